package dev.hearsay.proto;

import dev.hearsay.NodeId;

/** HyParView Shuffle: a random walk carrying a sample of the origin's views. */
public final class Shuffle extends Message
{
    private NodeId origin;
    private byte[] originData = NO_DATA;
    private int ttl;
    private final ContactList contacts = new ContactList();

    @Override
    public MessageType type()
    {
        return MessageType.SHUFFLE;
    }

    /** The node that started the shuffle; the reply goes straight to it. */
    public NodeId origin()
    {
        return origin;
    }

    /** The origin's contact data. */
    public byte[] originData()
    {
        return originData;
    }

    /** Remaining hops of the walk. */
    public int ttl()
    {
        return ttl;
    }

    /** The sample of the origin's views. */
    public ContactList contacts()
    {
        return contacts;
    }

    /** Sets the scalar fields and clears the contacts. */
    public Shuffle set(final NodeId origin, final byte[] originData, final int ttl)
    {
        this.origin = origin;
        this.originData = data(originData);
        this.ttl = ttl;
        contacts.clear();
        return this;
    }

    /** Sets the remaining hops, keeping everything else. */
    public Shuffle ttl(final int ttl)
    {
        this.ttl = ttl;
        return this;
    }

    @Override
    public Shuffle copy()
    {
        final Shuffle c = new Shuffle().set(origin, originData.clone(), ttl);
        c.contacts.copyFrom(contacts);
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "Shuffle(" + origin.shortString() + ", ttl=" + ttl + ", " + contacts + ")";
    }
}
