package dev.hearsay.perf.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * Heap bytes allocated by the threads of this JVM, from {@link com.sun.management.ThreadMXBean}'s per-thread
 * counters, and the garbage collections so far. The calling thread (the bench's controller, which formats progress
 * lines) is left out; every other live thread counts, grouped by what it is.
 */
final class AllocationMeter
{
    /** Thread groups, by name. */
    static final String[] GROUPS = {"dispatcher", "transport-io", "bench", "other"};

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final Map<Long, Integer> groupOf = new HashMap<>();

    AllocationMeter()
    {
        if (!threads.isThreadAllocatedMemorySupported())
        {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /** Bytes allocated so far per group ({@link #GROUPS}), all live threads but the caller. */
    long[] allocated()
    {
        final long self = Thread.currentThread().getId();
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final long[] out = new long[GROUPS.length];
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] == self || bytes[i] < 0)
            {
                continue;
            }
            out[group(ids[i])] += bytes[i];
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
            name.startsWith("bench-") ? 2 : 3;
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
