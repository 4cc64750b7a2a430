package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * The ids of messages already seen by a topic, for deduplication, kept for a retention time. Bounded: ids are
 * kept in arrival order in a ring; when the ring is full the oldest id is forgotten early (counted), which can only
 * let a very late duplicate through, never lose a message.
 */
final class ReceivedIds
{
    private final IdTable table;
    private final int capacity;
    private NodeId[] authors = new NodeId[64];
    private int[] epochs = new int[64];
    private long[] sequences = new long[64];
    private long[] times = new long[64];
    private long head;
    private long tail;

    ReceivedIds(final int capacity)
    {
        this.capacity = capacity;
        this.table = new IdTable(capacity);
    }

    boolean contains(final NodeId author, final int epoch, final long sequence)
    {
        return table.contains(author, epoch, sequence);
    }

    int size()
    {
        return (int)(tail - head);
    }

    /** Records an id at {@code now}; returns true if an older id had to be forgotten early to make room. */
    boolean add(final NodeId author, final int epoch, final long sequence, final long now)
    {
        boolean early = false;
        if (tail - head == capacity)
        {
            removeHead();
            early = true;
        }
        if (tail - head == authors.length)
        {
            grow();
        }
        final int i = (int)(tail & (authors.length - 1));
        authors[i] = author;
        epochs[i] = epoch;
        sequences[i] = sequence;
        times[i] = now;
        tail++;
        table.put(author, epoch, sequence, i);
        return early;
    }

    /** Forgets ids recorded at or before {@code cutoff}. */
    void evictOlderThan(final long cutoff)
    {
        while (head < tail && times[(int)(head & (authors.length - 1))] <= cutoff)
        {
            removeHead();
        }
    }

    private void removeHead()
    {
        final int i = (int)(head & (authors.length - 1));
        table.remove(authors[i], epochs[i], sequences[i]);
        authors[i] = null;
        head++;
    }

    private void grow()
    {
        final int n = authors.length;
        final NodeId[] a = new NodeId[n * 2];
        final int[] e = new int[a.length];
        final long[] s = new long[a.length];
        final long[] t = new long[a.length];
        for (long k = head; k < tail; k++)
        {
            final int from = (int)(k & (n - 1));
            final int to = (int)(k & (a.length - 1));
            a[to] = authors[from];
            e[to] = epochs[from];
            s[to] = sequences[from];
            t[to] = times[from];
        }
        authors = a;
        epochs = e;
        sequences = s;
        times = t;
    }
}
