package dev.hearsay.proto;

/**
 * FIFO of (deadline, entry, generation) timers whose deadlines are non-decreasing in insertion order (every timer
 * of one queue has the same delay), so the head is always the earliest. Stale timers are recognised by their
 * generation and skipped by the owner. Grows by doubling, then straight to {@code maxSize} (see
 * {@link Growth}), or is allocated at it; {@link #add} returns false beyond.
 */
final class DeadlineQueue
{
    private final int maxSize;
    private long[] deadlines;
    private int[] entries;
    private int[] generations;
    private long head;
    private long tail;

    DeadlineQueue(final int maxSize)
    {
        this(maxSize, false);
    }

    /** {@code preallocate}: room for {@code maxSize} timers at once, so the queue never grows. */
    DeadlineQueue(final int maxSize, final boolean preallocate)
    {
        this.maxSize = maxSize;
        final int length = preallocate ? boundLength() : 16;
        this.deadlines = new long[length];
        this.entries = new int[length];
        this.generations = new int[length];
    }

    /** Current room before the next growth (for tests). */
    int length()
    {
        return deadlines.length;
    }

    private int boundLength()
    {
        return Math.max(16, org.agrona.BitUtil.findNextPositivePowerOfTwo(maxSize));
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    int size()
    {
        return (int)(tail - head);
    }

    boolean add(final long deadline, final int entry, final int generation)
    {
        if (tail - head >= maxSize)
        {
            return false;
        }
        if (tail - head == deadlines.length)
        {
            grow();
        }
        final int i = (int)(tail & (deadlines.length - 1));
        deadlines[i] = deadline;
        entries[i] = entry;
        generations[i] = generation;
        tail++;
        return true;
    }

    /** Deadline of the head, or {@link Long#MAX_VALUE} when empty. */
    long headDeadline()
    {
        return head == tail ? Long.MAX_VALUE : deadlines[(int)(head & (deadlines.length - 1))];
    }

    int headEntry()
    {
        return entries[(int)(head & (deadlines.length - 1))];
    }

    int headGeneration()
    {
        return generations[(int)(head & (deadlines.length - 1))];
    }

    void removeHead()
    {
        head++;
    }

    /** True if a timer for ({@code entry}, {@code generation}) is queued (a scan: for checks, not the hot path). */
    boolean contains(final int entry, final int generation)
    {
        for (long k = head; k < tail; k++)
        {
            final int i = (int)(k & (deadlines.length - 1));
            if (entries[i] == entry && generations[i] == generation)
            {
                return true;
            }
        }
        return false;
    }

    void clear()
    {
        head = tail = 0;
    }

    private void grow()
    {
        final int n = deadlines.length;
        final int length = Growth.next(n, boundLength());
        final long[] d = new long[length];
        final int[] e = new int[length];
        final int[] g = new int[length];
        for (long k = head; k < tail; k++)
        {
            final int from = (int)(k & (n - 1));
            final int to = (int)(k & (length - 1));
            d[to] = deadlines[from];
            e[to] = entries[from];
            g[to] = generations[from];
        }
        deadlines = d;
        entries = e;
        generations = g;
    }
}
