package dev.hearsay.perf.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * Heap bytes allocated and CPU time used by the threads of this JVM, from {@link com.sun.management.ThreadMXBean}'s
 * per-thread counters, and the garbage collections so far. The calling thread (the bench's controller, which formats
 * progress lines) is left out; every other live thread counts, grouped by what it is.
 */
final class ThreadMeter
{
    /** Thread groups, by name: engine threads, the bench's publishers and receiver, the baselines' threads. */
    static final String[] GROUPS = {"dispatcher", "transport-io", "bench", "baseline", "other"};

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final Map<Long, Integer> groupOf = new HashMap<>();

    ThreadMeter()
    {
        if (!threads.isThreadAllocatedMemorySupported())
        {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /**
     * Per group ({@link #GROUPS}), all live threads but the caller: bytes allocated so far at {@code [group]} and
     * CPU nanoseconds used so far at {@code [GROUPS.length + group]}.
     */
    long[] read()
    {
        final long self = Thread.currentThread().getId();
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final long[] cpu = threads.isThreadCpuTimeEnabled() ? threads.getThreadCpuTime(ids) : new long[ids.length];
        final long[] out = new long[GROUPS.length * 2];
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] == self)
            {
                continue;
            }
            final int group = group(ids[i]);
            out[group] += Math.max(0, bytes[i]);
            out[GROUPS.length + group] += Math.max(0, cpu[i]);
        }
        return out;
    }

    private int group(final long id)
    {
        final Integer known = groupOf.get(id);
        if (known != null)
        {
            return known;
        }
        final ThreadInfo info = threads.getThreadInfo(id);
        final String name = info == null ? "" : info.getThreadName();
        final int group = name.startsWith("hearsay-dispatcher") ? 0 :
            name.startsWith("hearsay-io") ? 1 :
            name.startsWith("bench-publisher") || name.startsWith("bench-receiver") ? 2 :
            name.startsWith("bench-") ? 3 : 4;
        groupOf.put(id, group);
        return group;
    }

    /** Collections so far, all collectors. */
    static long gcCount()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** Milliseconds spent collecting so far, all collectors. */
    static long gcMillis()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }
}
