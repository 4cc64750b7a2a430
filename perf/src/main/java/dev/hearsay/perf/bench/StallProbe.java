package dev.hearsay.perf.bench;

/**
 * How often this machine takes the CPU away from a thread that never gives it up: the calling thread spins on
 * {@link System#nanoTime()} and counts the gaps between two consecutive reads longer than {@link #GAP_NANOS}. With
 * nothing else to run in the guest, such a gap is the hypervisor running something else on this vCPU (or the guest's
 * kernel doing so), which neither the guest's steal counter nor any code of ours can prevent. Every paced latency
 * figure pays for each stall that catches one of its threads, with every slot that falls into it (they are timed
 * from the slot); a closed loop pays once per stall at most, since it sends nothing meanwhile. One caller at a time.
 */
final class StallProbe
{
    /** Gaps shorter than this are the cost of reading the clock and of ordinary interrupts. */
    static final long GAP_NANOS = 50_000;
    static final long LONG_GAP_NANOS = 200_000;

    private final java.util.function.LongSupplier clock;
    private long probedNanos;
    private long gaps;
    private long longGaps;
    private long lostNanos;
    private long maxGapNanos;

    StallProbe()
    {
        this(System::nanoTime);
    }

    /** With another clock than {@link System#nanoTime()} (tests). */
    StallProbe(final java.util.function.LongSupplier clock)
    {
        this.clock = clock;
    }

    /** Spins for {@code nanos} on the calling thread and adds what it saw to the totals. */
    void run(final long nanos)
    {
        final long start = clock.getAsLong();
        final long end = start + nanos;
        long last = start;
        while (last - end < 0)
        {
            final long now = clock.getAsLong();
            final long gap = now - last;
            if (gap > GAP_NANOS)
            {
                gaps++;
                lostNanos += gap;
                maxGapNanos = Math.max(maxGapNanos, gap);
                if (gap > LONG_GAP_NANOS)
                {
                    longGaps++;
                }
            }
            last = now;
        }
        probedNanos += last - start;
    }

    long probedNanos()
    {
        return probedNanos;
    }

    /** Gaps longer than {@link #GAP_NANOS}. */
    long gaps()
    {
        return gaps;
    }

    /** Gaps longer than {@link #LONG_GAP_NANOS}. */
    long longGaps()
    {
        return longGaps;
    }

    long maxGapNanos()
    {
        return maxGapNanos;
    }

    /** Share of the probed time spent in gaps. */
    double lostFraction()
    {
        return probedNanos == 0 ? 0 : (double)lostNanos / probedNanos;
    }
}
