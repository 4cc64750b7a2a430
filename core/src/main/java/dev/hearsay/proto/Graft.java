package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * PlumTree Graft: the sender adds the receiver to its eager peers and, when it names a range of message ids, asks
 * for those messages: sequences {@link #sequence()} to {@link #lastSequence()} of one author's epoch, at most
 * {@link #MAX_COUNT} of them. The receiver sends the ones it still has cached, in order and paced over its flushes.
 * Without an id it only repairs the tree edge (tree optimisation).
 */
public final class Graft extends Message
{
    /** Largest number of ids one Graft asks for (the wire format's bound on its count). */
    public static final int MAX_COUNT = 1 << 20;

    private boolean hasId;
    private NodeId author;
    private int epoch;
    private long sequence;
    private int count;
    private int hops;

    @Override
    public MessageType type()
    {
        return MessageType.GRAFT;
    }

    /** True if messages are requested. */
    public boolean hasId()
    {
        return hasId;
    }

    /** Author of the requested messages (when {@link #hasId()}). */
    public NodeId author()
    {
        return author;
    }

    /** Epoch of the requested messages. */
    public int epoch()
    {
        return epoch;
    }

    /** First requested sequence. */
    public long sequence()
    {
        return sequence;
    }

    /** How many consecutive sequences are requested from {@link #sequence()} on: 1 to {@link #MAX_COUNT}. */
    public int count()
    {
        return count;
    }

    /** Last requested sequence: {@code sequence() + count() - 1}. */
    public long lastSequence()
    {
        return sequence + (count - 1);
    }

    /** Hop count the IHave advertised. */
    public int hops()
    {
        return hops;
    }

    /** Asks for the one message (author, epoch, sequence). */
    public Graft set(final NodeId author, final int epoch, final long sequence, final int hops)
    {
        return set(author, epoch, sequence, 1, hops);
    }

    /**
     * Asks for the {@code count} messages of (author, epoch) from {@code first} on.
     *
     * @throws IllegalArgumentException if {@code count} is not 1 to {@link #MAX_COUNT} or the range passes
     * {@code Long.MAX_VALUE}.
     */
    public Graft set(final NodeId author, final int epoch, final long first, final int count, final int hops)
    {
        if (count <= 0 || count > MAX_COUNT || first > Long.MAX_VALUE - (count - 1))
        {
            throw new IllegalArgumentException("graft of " + count + " ids from sequence " + first);
        }
        this.hasId = true;
        this.author = author;
        this.epoch = epoch;
        this.sequence = first;
        this.count = count;
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
        this.count = 0;
        this.hops = 0;
        return this;
    }

    @Override
    public Graft copy()
    {
        final Graft c = new Graft();
        if (hasId)
        {
            c.set(author, epoch, sequence, count, hops);
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
        return hasId ? "Graft(" + author.shortString() + "/" + epoch + "/" + sequence + "+" + count + ")"
            : "Graft(edge)";
    }
}
