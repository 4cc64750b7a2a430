package dev.hearsay.proto;

/** HyParView ShuffleReply: a sample of the replier's passive view, sent to the shuffle's origin. */
public final class ShuffleReply extends Message
{
    private final ContactList contacts = new ContactList();

    @Override
    public MessageType type()
    {
        return MessageType.SHUFFLE_REPLY;
    }

    /** The sample. */
    public ContactList contacts()
    {
        return contacts;
    }

    /** Clears the contacts. */
    public ShuffleReply clear()
    {
        contacts.clear();
        return this;
    }

    @Override
    public ShuffleReply copy()
    {
        final ShuffleReply c = new ShuffleReply();
        c.contacts.copyFrom(contacts);
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "ShuffleReply(" + contacts + ")";
    }
}
