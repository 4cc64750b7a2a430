package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * PlumTree Graft: the sender adds the receiver to its eager peers and, when it names a message id, asks for that
 * message. Without an id it only repairs the tree edge (tree optimisation).
 */
public final class Graft extends Message
{
    private boolean hasId;
    private NodeId author;
    private int epoch;
    private long sequence;
    private int hops;

    @Override
    public MessageType type()
    {
        return MessageType.GRAFT;
    }

    /** True if a message is requested. */
    public boolean hasId()
    {
        return hasId;
    }

    /** Author of the requested message (when {@link #hasId()}). */
    public NodeId author()
    {
        return author;
    }

    /** Epoch of the requested message. */
    public int epoch()
    {
        return epoch;
    }

    /** Sequence of the requested message. */
    public long sequence()
    {
        return sequence;
    }

    /** Hop count the IHave advertised. */
    public int hops()
    {
        return hops;
    }

    /** Asks for message (author, epoch, sequence). */
    public Graft set(final NodeId author, final int epoch, final long sequence, final int hops)
    {
        this.hasId = true;
        this.author = author;
        this.epoch = epoch;
        this.sequence = sequence;
        this.hops = hops;
        return this;
    }

    /** Repairs the edge only, asking for no message. */
    public Graft setNoId()
    {
        this.hasId = false;
        this.author = null;
        this.epoch = 0;
        this.sequence = 0;
        this.hops = 0;
        return this;
    }

    @Override
    public Graft copy()
    {
        final Graft c = new Graft();
        if (hasId)
        {
            c.set(author, epoch, sequence, hops);
        }
        else
        {
            c.setNoId();
        }
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return hasId ? "Graft(" + author.shortString() + "/" + epoch + "/" + sequence + ")" : "Graft(edge)";
    }
}
