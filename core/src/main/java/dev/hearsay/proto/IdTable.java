package dev.hearsay.proto;

import dev.hearsay.NodeId;

import java.util.Arrays;

/**
 * Open-addressing map from a message id (author, epoch, sequence) to an int, with linear probing and backward-shift
 * deletion, so it needs no tombstones and never allocates once grown. Starts small and grows (see {@link Growth}) up
 * to a fixed maximum number of entries, or starts at it; {@link #put} returns false when that maximum is reached
 * (the owner decides what to evict).
 */
final class IdTable
{
    private static final int MIN_SLOTS = 64;

    private final int maxEntries;
    private NodeId[] authors;
    private int[] epochs;
    private long[] sequences;
    private int[] values;
    private int mask;
    private int size;

    IdTable(final int maxEntries)
    {
        this(maxEntries, false);
    }

    /** {@code preallocate}: slots for {@code maxEntries} ids from the start, so the table never grows. */
    IdTable(final int maxEntries, final boolean preallocate)
    {
        this.maxEntries = maxEntries;
        allocate(preallocate ? boundSlots() : MIN_SLOTS);
    }

    /** Current number of slots (for tests). */
    int slots()
    {
        return authors.length;
    }

    /** Slots of the table at its bound: at most half full with {@code maxEntries} ids. */
    private int boundSlots()
    {
        return Math.max(MIN_SLOTS, org.agrona.BitUtil.findNextPositivePowerOfTwo(maxEntries * 2));
    }

    private void allocate(final int slots)
    {
        authors = new NodeId[slots];
        epochs = new int[slots];
        sequences = new long[slots];
        values = new int[slots];
        mask = slots - 1;
    }

    int size()
    {
        return size;
    }

    boolean isFull()
    {
        return size >= maxEntries;
    }

    static int hash(final NodeId author, final int epoch, final long sequence)
    {
        long h = author.hashCode() * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + sequence;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (int)h;
    }

    private int find(final NodeId author, final int epoch, final long sequence)
    {
        int slot = hash(author, epoch, sequence) & mask;
        NodeId a;
        while ((a = authors[slot]) != null)
        {
            if (sequences[slot] == sequence && epochs[slot] == epoch && a.equals(author))
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1 - slot;
    }

    /** The value mapped to the id, or -1. */
    int get(final NodeId author, final int epoch, final long sequence)
    {
        if (size == 0)
        {
            return -1; // the steady state of a missing-message table: no hash, no probe
        }
        final int slot = find(author, epoch, sequence);
        return slot >= 0 ? values[slot] : -1;
    }

    boolean contains(final NodeId author, final int epoch, final long sequence)
    {
        return find(author, epoch, sequence) >= 0;
    }

    /** Maps the id to {@code value} (replacing any). False, and nothing stored, when full and the id is new. */
    boolean put(final NodeId author, final int epoch, final long sequence, final int value)
    {
        int slot = find(author, epoch, sequence);
        if (slot >= 0)
        {
            values[slot] = value;
            return true;
        }
        if (size >= maxEntries)
        {
            return false;
        }
        if ((size + 1) * 2 > authors.length)
        {
            grow();
            slot = find(author, epoch, sequence);
        }
        slot = -1 - slot;
        authors[slot] = author;
        epochs[slot] = epoch;
        sequences[slot] = sequence;
        values[slot] = value;
        size++;
        return true;
    }

    /** Removes the id; returns its value or -1 if absent. */
    int remove(final NodeId author, final int epoch, final long sequence)
    {
        int slot = find(author, epoch, sequence);
        if (slot < 0)
        {
            return -1;
        }
        final int removed = values[slot];
        // Backward-shift deletion: pull later members of the probe run into the hole when their home slot allows.
        int next = (slot + 1) & mask;
        while (authors[next] != null)
        {
            final int home = hash(authors[next], epochs[next], sequences[next]) & mask;
            if (((next - home) & mask) >= ((next - slot) & mask))
            {
                authors[slot] = authors[next];
                epochs[slot] = epochs[next];
                sequences[slot] = sequences[next];
                values[slot] = values[next];
                slot = next;
            }
            next = (next + 1) & mask;
        }
        authors[slot] = null;
        size--;
        return removed;
    }

    void clear()
    {
        Arrays.fill(authors, null);
        size = 0;
    }

    private void grow()
    {
        final NodeId[] oldAuthors = authors;
        final int[] oldEpochs = epochs;
        final long[] oldSequences = sequences;
        final int[] oldValues = values;
        allocate(Growth.next(oldAuthors.length, boundSlots()));
        for (int i = 0; i < oldAuthors.length; i++)
        {
            final NodeId a = oldAuthors[i];
            if (a != null)
            {
                final int slot = -1 - find(a, oldEpochs[i], oldSequences[i]);
                authors[slot] = a;
                epochs[slot] = oldEpochs[i];
                sequences[slot] = oldSequences[i];
                values[slot] = oldValues[i];
            }
        }
    }
}
