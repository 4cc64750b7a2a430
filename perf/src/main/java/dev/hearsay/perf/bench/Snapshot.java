package dev.hearsay.perf.bench;

import java.util.List;
import java.util.Map;

/**
 * Counters of a whole cluster at one moment: deliveries per node and tag, when each node's process read them, and
 * what its threads allocated and collected so far. The difference of two snapshots is a measurement window.
 */
final class Snapshot
{
    /** Per node, the {@link System#nanoTime()} of its process when it was read. */
    final long[] nanos;
    /** Deliveries per node and tag: index {@code node * Tag.COUNT + tag}. */
    final long[] delivered;
    /** Bytes allocated per thread group ({@link ThreadMeter#GROUPS}), summed over processes. */
    final long[] allocated;
    /** CPU nanoseconds used per thread group, summed over processes. */
    final long[] cpu;
    /** Voluntary context switches per thread group (a thread blocked or parked). */
    final long[] voluntarySwitches;
    /** Involuntary context switches per thread group (still runnable: preempted, or yielded to another thread). */
    final long[] involuntarySwitches;
    final long gcCount;
    final long gcMillis;
    /** Safepoints of this process so far and the time they stopped it (-1: not measured, as in child processes). */
    final long safepointCount;
    final long safepointMillis;
    /** JIT compilation time of this process so far (-1: not measured, as in child processes). */
    final long compileMillis;
    /** {@link NodeCounters}, summed over nodes. */
    final Map<String, Long> counters;
    /** {@link NodeCounters} of each node. */
    final List<Map<String, Long>> nodeCounters;

    Snapshot(final long[] nanos, final long[] delivered, final long[] threads, final long gcCount,
        final long gcMillis, final List<Map<String, Long>> nodeCounters)
    {
        this(nanos, delivered, threads, gcCount, gcMillis, -1, -1, -1, nodeCounters);
    }

    Snapshot(final long[] nanos, final long[] delivered, final long[] threads, final long gcCount,
        final long gcMillis, final long safepointCount, final long safepointMillis, final long compileMillis,
        final List<Map<String, Long>> nodeCounters)
    {
        this.safepointCount = safepointCount;
        this.safepointMillis = safepointMillis;
        this.compileMillis = compileMillis;
        this.nanos = nanos;
        this.delivered = delivered;
        this.allocated = java.util.Arrays.copyOfRange(threads, 0, ThreadMeter.GROUPS.length);
        final int g = ThreadMeter.GROUPS.length;
        this.cpu = java.util.Arrays.copyOfRange(threads, g, 2 * g);
        this.voluntarySwitches = java.util.Arrays.copyOfRange(threads, 2 * g, 3 * g);
        this.involuntarySwitches = java.util.Arrays.copyOfRange(threads, 3 * g, 4 * g);
        this.gcCount = gcCount;
        this.gcMillis = gcMillis;
        this.nodeCounters = nodeCounters;
        this.counters = new java.util.LinkedHashMap<>();
        for (final Map<String, Long> node : nodeCounters)
        {
            node.forEach((name, value) -> counters.merge(name, value, Long::sum));
        }
    }

    long counter(final String name)
    {
        return counters.getOrDefault(name, 0L);
    }

    int nodes()
    {
        return nanos.length;
    }

    long delivered(final int node, final int tag)
    {
        return delivered[node * Tag.COUNT + tag];
    }

    /** Deliveries of {@code tag} at every node. */
    long delivered(final int tag)
    {
        long n = 0;
        for (int node = 0; node < nodes(); node++)
        {
            n += delivered(node, tag);
        }
        return n;
    }

    long allocatedTotal()
    {
        long n = 0;
        for (final long b : allocated)
        {
            n += b;
        }
        return n;
    }
}
