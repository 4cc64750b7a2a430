package dev.hearsay.proto;

/**
 * HyParView Disconnect: the sender removes the receiver from its active view. {@code alive} says whether the sender
 * stays in the topic (the receiver then keeps it as a passive contact). Carries a few passive contacts so the
 * receiver does not run dry.
 */
public final class Disconnect extends Message
{
    private boolean alive;
    private final ContactList contacts = new ContactList();

    @Override
    public MessageType type()
    {
        return MessageType.DISCONNECT;
    }

    /** True if the sender stays in the topic. */
    public boolean alive()
    {
        return alive;
    }

    /** Contacts handed over to the receiver. */
    public ContactList contacts()
    {
        return contacts;
    }

    /** Sets {@code alive} and clears the contacts. */
    public Disconnect set(final boolean alive)
    {
        this.alive = alive;
        contacts.clear();
        return this;
    }

    @Override
    public Disconnect copy()
    {
        final Disconnect c = new Disconnect().set(alive);
        c.contacts.copyFrom(contacts);
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "Disconnect(" + (alive ? "alive" : "leaving") + ", " + contacts + ")";
    }
}
