package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * The ranges of messages grafted from this node and not yet sent, per neighbor slot, in the order they were asked
 * for: {@link PlumTree} sends them a batch at a time so that one Graft for half a million messages cannot flood a
 * link. Owned by the dispatcher thread. Bounded: at most {@link #MAX_RANGES} ranges per slot; a range that follows
 * or overlaps the slot's last one of the same stream is merged into it, and one that does not fit is refused (the
 * caller counts its ids as not answered: the requester grafts them again when its retry timer runs out).
 */
final class GraftAnswers
{
    /** Ranges one neighbor may have waiting: as many as the Grafts it may have outstanding to this node. */
    static final int MAX_RANGES = PlumTree.MAX_GRAFTS_IN_FLIGHT;

    private final NodeId[] authors;
    private final int[] epochs;
    private final long[] nexts;
    private final long[] lasts;
    private final int[] heads;
    private final int[] counts;
    private int ranges;

    GraftAnswers(final int slots)
    {
        authors = new NodeId[slots * MAX_RANGES];
        epochs = new int[slots * MAX_RANGES];
        nexts = new long[slots * MAX_RANGES];
        lasts = new long[slots * MAX_RANGES];
        heads = new int[slots];
        counts = new int[slots];
        for (int slot = 0; slot < slots; slot++)
        {
            heads[slot] = slot * MAX_RANGES;
        }
    }

    /** Ranges waiting on every slot. */
    int size()
    {
        return ranges;
    }

    boolean isEmpty(final int slot)
    {
        return counts[slot] == 0;
    }

    /**
     * Queues {@code first..last} of (author, epoch) for {@code slot}. Returns true if it was queued or merged into
     * the slot's last range, false if the slot has {@link #MAX_RANGES} ranges already (nothing queued).
     */
    boolean add(final int slot, final NodeId author, final int epoch, final long first, final long last)
    {
        final int count = counts[slot];
        if (count > 0)
        {
            final int tail = index(slot, count - 1);
            if (epochs[tail] == epoch && author.equals(authors[tail]) && first <= lasts[tail] + 1
                && last >= nexts[tail] - 1 && lasts[tail] != Long.MAX_VALUE)
            {
                nexts[tail] = Math.min(nexts[tail], first);
                lasts[tail] = Math.max(lasts[tail], last);
                return true;
            }
        }
        if (count == MAX_RANGES)
        {
            return false;
        }
        final int i = index(slot, count);
        authors[i] = author;
        epochs[i] = epoch;
        nexts[i] = first;
        lasts[i] = last;
        counts[slot] = count + 1;
        ranges++;
        return true;
    }

    /** Author of the slot's first range (the slot must not be empty). */
    NodeId author(final int slot)
    {
        return authors[heads[slot]];
    }

    int epoch(final int slot)
    {
        return epochs[heads[slot]];
    }

    /** The next sequence to send of the slot's first range. */
    long next(final int slot)
    {
        return nexts[heads[slot]];
    }

    /** The last sequence of the slot's first range. */
    long last(final int slot)
    {
        return lasts[heads[slot]];
    }

    /** The slot's first range is done up to and including {@code sequence}: it moves on, or is dropped when done. */
    void doneThrough(final int slot, final long sequence)
    {
        final int head = heads[slot];
        if (sequence >= lasts[head])
        {
            drop(slot);
        }
        else
        {
            nexts[head] = sequence + 1;
        }
    }

    /** Drops the slot's first range. */
    void drop(final int slot)
    {
        final int head = heads[slot];
        authors[head] = null;
        heads[slot] = index(slot, 1);
        counts[slot]--;
        ranges--;
    }

    /** Drops every range of the slot (its neighbor went away). */
    void clear(final int slot)
    {
        while (counts[slot] > 0)
        {
            drop(slot);
        }
    }

    void clear()
    {
        for (int slot = 0; slot < counts.length; slot++)
        {
            clear(slot);
        }
    }

    /** Array index of the slot's {@code k}-th range. */
    private int index(final int slot, final int k)
    {
        final int base = slot * MAX_RANGES;
        return base + (heads[slot] - base + k) % MAX_RANGES;
    }
}
