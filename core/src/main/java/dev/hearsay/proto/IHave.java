package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * PlumTree IHave: the message ids the sender has, as runs of consecutive sequence numbers of one author's epoch, each
 * run with the hop count at which the sender got its messages. At most {@link #MAX_RUNS} runs and {@link #MAX_IDS}
 * ids in all per message.
 *
 * <p>Runs, because an author's messages reach a node in order and are announced in order: a busy author's stream
 * of a few thousand messages between two flushes is one run of 48 bytes on the wire and one duplicate check on
 * arrival, where a list of ids cost 46 bytes, an id lookup and a check per message.
 */
public final class IHave extends Message
{
    /** Largest number of runs in one IHave. */
    public static final int MAX_RUNS = 256;
    /** Largest number of ids in one run (an unsigned 16-bit count on the wire). */
    public static final int MAX_RUN_LENGTH = 0xFFFF;
    /** Largest number of ids in one IHave, all runs together: bounds the work of one IHave at its receiver. */
    public static final int MAX_IDS = 1 << 16;
    /** How many of the latest runs {@link #add} and {@link #addRun} try to extend before starting a new run. */
    private static final int MERGE_DEPTH = 4;

    private final NodeId[] authors = new NodeId[MAX_RUNS];
    private final int[] epochs = new int[MAX_RUNS];
    private final long[] firsts = new long[MAX_RUNS];
    private final int[] counts = new int[MAX_RUNS];
    private final int[] hops = new int[MAX_RUNS];
    private int size;
    private int ids;

    @Override
    public MessageType type()
    {
        return MessageType.IHAVE;
    }

    /** Number of runs. */
    public int size()
    {
        return size;
    }

    /** Number of ids, all runs together. */
    public int idCount()
    {
        return ids;
    }

    /** Author of run {@code i}. */
    public NodeId author(final int i)
    {
        check(i);
        return authors[i];
    }

    /** Epoch of run {@code i}. */
    public int epoch(final int i)
    {
        check(i);
        return epochs[i];
    }

    /** First sequence of run {@code i}. */
    public long firstSequence(final int i)
    {
        check(i);
        return firsts[i];
    }

    /** Ids in run {@code i}, 1 to {@link #MAX_RUN_LENGTH}: sequences {@code firstSequence(i)} onwards. */
    public int count(final int i)
    {
        check(i);
        return counts[i];
    }

    /** Hop count of run {@code i}. */
    public int hops(final int i)
    {
        check(i);
        return hops[i];
    }

    /** True when no id can be added: all runs used (and none extendable is assumed) or {@link #MAX_IDS} reached. */
    public boolean isFull()
    {
        return size == MAX_RUNS || ids == MAX_IDS;
    }

    /** Adds one id, extending one of the latest runs when it follows it; false (nothing added) when full. */
    public boolean add(final NodeId author, final int epoch, final long sequence, final int hopCount)
    {
        return addRun(author, epoch, sequence, 1, hopCount) == 1;
    }

    /**
     * Adds the run of {@code count} ids from {@code first}, extending one of the latest runs when it follows it.
     * Returns how many of its ids fit (from {@code first} on), 0 to {@code count}: the caller sends this IHave and
     * adds the rest to the next one.
     *
     * @throws IllegalArgumentException if {@code count} is not positive or the run passes {@code Long.MAX_VALUE}.
     */
    public int addRun(final NodeId author, final int epoch, final long first, final int count, final int hopCount)
    {
        if (count <= 0 || first > Long.MAX_VALUE - (count - 1))
        {
            throw new IllegalArgumentException("run of " + count + " ids from sequence " + first);
        }
        int left = Math.min(count, MAX_IDS - ids);
        if (left == 0)
        {
            return 0;
        }
        long next = first;
        for (int i = size - 1, stop = Math.max(0, size - MERGE_DEPTH); i >= stop; i--)
        {
            if (counts[i] < MAX_RUN_LENGTH && epochs[i] == epoch && hops[i] == hopCount
                && firsts[i] + counts[i] == next && next > firsts[i] && author.equals(authors[i]))
            {
                final int n = Math.min(left, MAX_RUN_LENGTH - counts[i]);
                counts[i] += n;
                ids += n;
                next += n;
                left -= n;
                break;
            }
        }
        while (left > 0 && size < MAX_RUNS)
        {
            final int n = Math.min(left, MAX_RUN_LENGTH);
            append(author, epoch, next, n, hopCount);
            next += n;
            left -= n;
        }
        return (int)(next - first);
    }

    /**
     * Adds one id, extending one of the latest runs downwards when it comes right before it (for ids listed newest
     * first); false (nothing added) when full.
     */
    public boolean addPreceding(final NodeId author, final int epoch, final long sequence, final int hopCount)
    {
        if (ids == MAX_IDS)
        {
            return false;
        }
        for (int i = size - 1, stop = Math.max(0, size - MERGE_DEPTH); i >= stop; i--)
        {
            if (counts[i] < MAX_RUN_LENGTH && epochs[i] == epoch && hops[i] == hopCount
                && firsts[i] - 1 == sequence && sequence < firsts[i] && author.equals(authors[i]))
            {
                firsts[i] = sequence;
                counts[i]++;
                ids++;
                return true;
            }
        }
        if (size == MAX_RUNS)
        {
            return false;
        }
        append(author, epoch, sequence, 1, hopCount);
        return true;
    }

    /**
     * Appends a run as it is, without extending an earlier one (the decoder: runs stay as they were on the wire, so
     * that re-encoding gives the same bytes); false (nothing added) if no run is left or the ids would pass
     * {@link #MAX_IDS}.
     *
     * @throws IllegalArgumentException if {@code count} is not 1 to {@link #MAX_RUN_LENGTH} or the run passes
     * {@code Long.MAX_VALUE}.
     */
    public boolean appendRun(final NodeId author, final int epoch, final long first, final int count,
        final int hopCount)
    {
        if (count <= 0 || count > MAX_RUN_LENGTH || first > Long.MAX_VALUE - (count - 1))
        {
            throw new IllegalArgumentException("run of " + count + " ids from sequence " + first);
        }
        if (size == MAX_RUNS || count > MAX_IDS - ids)
        {
            return false;
        }
        append(author, epoch, first, count, hopCount);
        return true;
    }

    /** Appends a run the caller checked fits. */
    private void append(final NodeId author, final int epoch, final long first, final int count, final int hopCount)
    {
        authors[size] = author;
        epochs[size] = epoch;
        firsts[size] = first;
        counts[size] = count;
        hops[size] = hopCount;
        size++;
        ids += count;
    }

    /** Removes all runs. */
    public IHave clear()
    {
        java.util.Arrays.fill(authors, 0, size, null);
        size = 0;
        ids = 0;
        return this;
    }

    private void check(final int i)
    {
        if (i < 0 || i >= size)
        {
            throw new IndexOutOfBoundsException("run " + i + " of " + size);
        }
    }

    @Override
    public IHave copy()
    {
        final IHave c = new IHave();
        System.arraycopy(authors, 0, c.authors, 0, size);
        System.arraycopy(epochs, 0, c.epochs, 0, size);
        System.arraycopy(firsts, 0, c.firsts, 0, size);
        System.arraycopy(counts, 0, c.counts, 0, size);
        System.arraycopy(hops, 0, c.hops, 0, size);
        c.size = size;
        c.ids = ids;
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "IHave(" + ids + " ids in " + size + " runs)";
    }
}
