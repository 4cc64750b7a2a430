package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * PlumTree IHave: a batch of message ids the sender has, each with the hop count at which the sender got it. At
 * most {@link #MAX_ENTRIES} per message.
 */
public final class IHave extends Message
{
    /** Largest number of ids in one IHave. */
    public static final int MAX_ENTRIES = 256;

    private final NodeId[] authors = new NodeId[MAX_ENTRIES];
    private final int[] epochs = new int[MAX_ENTRIES];
    private final long[] sequences = new long[MAX_ENTRIES];
    private final int[] hops = new int[MAX_ENTRIES];
    private int size;

    @Override
    public MessageType type()
    {
        return MessageType.IHAVE;
    }

    /** Number of ids. */
    public int size()
    {
        return size;
    }

    /** Author of entry {@code i}. */
    public NodeId author(final int i)
    {
        check(i);
        return authors[i];
    }

    /** Epoch of entry {@code i}. */
    public int epoch(final int i)
    {
        check(i);
        return epochs[i];
    }

    /** Sequence of entry {@code i}. */
    public long sequence(final int i)
    {
        check(i);
        return sequences[i];
    }

    /** Hop count of entry {@code i}. */
    public int hops(final int i)
    {
        check(i);
        return hops[i];
    }

    /** True when no more entries fit. */
    public boolean isFull()
    {
        return size == MAX_ENTRIES;
    }

    /** Appends an entry; false (nothing added) when full. */
    public boolean add(final NodeId author, final int epoch, final long sequence, final int hopCount)
    {
        if (size == MAX_ENTRIES)
        {
            return false;
        }
        authors[size] = author;
        epochs[size] = epoch;
        sequences[size] = sequence;
        hops[size] = hopCount;
        size++;
        return true;
    }

    /** Removes all entries. */
    public IHave clear()
    {
        java.util.Arrays.fill(authors, 0, size, null);
        size = 0;
        return this;
    }

    private void check(final int i)
    {
        if (i < 0 || i >= size)
        {
            throw new IndexOutOfBoundsException("entry " + i + " of " + size);
        }
    }

    @Override
    public IHave copy()
    {
        final IHave c = new IHave();
        for (int i = 0; i < size; i++)
        {
            c.add(authors[i], epochs[i], sequences[i], hops[i]);
        }
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "IHave(" + size + " ids)";
    }
}
