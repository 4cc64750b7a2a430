package dev.hearsay.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long the dispatcher's busy duty cycles take, and what the slowest of them did: the first place to look for
 * the source of a latency tail. Written by the dispatcher only (one {@link System#nanoTime()} more per busy
 * cycle); any thread may take a snapshot.
 *
 * <p>Durations go into power-of-two buckets: bucket {@code i} counts cycles of {@code [2^i, 2^(i+1))}
 * nanoseconds ({@code i = 0} also holds shorter ones). The slowest cycle since the last counters refresh is kept
 * with its breakdown (ring events, whether protocol timers, FIFO timers or the counters refresh ran, links
 * flushed) and published as gauges with the other counters.
 */
public final class DutyCycles
{
    /** Number of duration buckets: up to 2^40 ns (about 18 minutes) and beyond in the last. */
    public static final int BUCKETS = 41;
    /** Part of the slowest cycle: protocol timers ran. */
    public static final int RAN_TIMERS = 1;
    /** Part of the slowest cycle: FIFO gap timers ran. */
    public static final int RAN_FIFO_TIMERS = 2;
    /** Part of the slowest cycle: the counters were refreshed. */
    public static final int RAN_COUNTERS_REFRESH = 4;

    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private long slowestNanos;
    private int slowestEvents;
    private int slowestParts;
    private int slowestFlushed;

    private static int bucketOf(final long nanos)
    {
        return nanos <= 1 ? 0 : Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(nanos));
    }

    /** Dispatcher: one busy cycle took {@code nanos}, handling {@code events} ring events. */
    void record(final long nanos, final int events, final int parts, final int flushed)
    {
        final int bucket = bucketOf(nanos);
        buckets.lazySet(bucket, buckets.get(bucket) + 1);
        if (nanos > slowestNanos)
        {
            slowestNanos = nanos;
            slowestEvents = events;
            slowestParts = parts;
            slowestFlushed = flushed;
        }
    }

    /** Dispatcher: publishes the slowest cycle since the last call into {@code counters} and starts over. */
    void publishSlowest(final EngineCounters counters)
    {
        counters.set(EngineCounter.SLOWEST_CYCLE_MICROS, slowestNanos / 1_000);
        counters.set(EngineCounter.SLOWEST_CYCLE_EVENTS, slowestEvents);
        counters.set(EngineCounter.SLOWEST_CYCLE_PARTS, slowestParts);
        counters.set(EngineCounter.SLOWEST_CYCLE_LINKS_FLUSHED, slowestFlushed);
        slowestNanos = 0;
        slowestEvents = 0;
        slowestParts = 0;
        slowestFlushed = 0;
    }

    /** Any thread: the count of busy cycles per duration bucket so far (a copy; racy against the dispatcher). */
    public long[] histogram()
    {
        final long[] copy = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++)
        {
            copy[i] = buckets.get(i);
        }
        return copy;
    }

    /** Any thread: busy cycles that took {@code nanos} or longer, counted to the bucket (a power of two) below it. */
    public long atLeast(final long nanos)
    {
        final int from = bucketOf(nanos);
        long total = 0;
        for (int i = from; i < BUCKETS; i++)
        {
            total += buckets.get(i);
        }
        return total;
    }
}
