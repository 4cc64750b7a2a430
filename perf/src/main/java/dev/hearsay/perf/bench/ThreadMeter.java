package dev.hearsay.perf.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Heap bytes allocated and CPU time used by the threads of this JVM, from {@link com.sun.management.ThreadMXBean}'s
 * per-thread counters, their context switches (Linux {@code /proc}) and the garbage collections so far. The calling
 * thread (the bench's controller, which formats progress lines) is left out of the first two; every other live
 * thread counts, grouped by what it is.
 */
final class ThreadMeter
{
    /** Thread groups, by name: engine threads, the bench's publishers and receiver, the baselines' threads. */
    static final String[] GROUPS = {"dispatcher", "transport-io", "bench", "baseline", "other"};
    /** Index of the transport's I/O threads in {@link #GROUPS}. */
    static final int IO_GROUP = 1;

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

    /** Values per group that {@link #read()} returns: allocated bytes, CPU ns, voluntary and involuntary switches. */
    static final int FIELDS = 4;

    /**
     * Per group ({@link #GROUPS}), all live threads but the caller: bytes allocated so far at {@code [group]},
     * CPU nanoseconds used so far at {@code [GROUPS.length + group]}, then (Linux only, zero elsewhere) voluntary and
     * involuntary context switches at {@code [2 * GROUPS.length + group]} and {@code [3 * GROUPS.length + group]}.
     * Involuntary switches are a runnable thread losing its vCPU: preempted, or yielding to another runnable thread.
     */
    long[] read()
    {
        final long self = Thread.currentThread().getId();
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final long[] cpu = threads.isThreadCpuTimeEnabled() ? threads.getThreadCpuTime(ids) : new long[ids.length];
        final long[] out = new long[GROUPS.length * FIELDS];
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
        addContextSwitches(out);
        return out;
    }

    /** Adds every thread's context switches from {@code /proc/self/task}, grouped by the thread's native name. */
    private static void addContextSwitches(final long[] out)
    {
        final Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks))
        {
            return;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks))
        {
            for (final Path task : dir)
            {
                try
                {
                    // The controller (the JVM's main thread, named "java") lands in "other", like the JIT and GC.
                    final String name = Files.readString(task.resolve("comm")).trim();
                    final int group = groupOfNativeName(name);
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:"))
                        {
                            out[2 * GROUPS.length + group] += Long.parseLong(line.substring(24).trim());
                        }
                        else if (line.startsWith("nonvoluntary_ctxt_switches:"))
                        {
                            out[3 * GROUPS.length + group] += Long.parseLong(line.substring(27).trim());
                        }
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // The thread ended while being read: it no longer counts.
                }
            }
        }
        catch (final IOException ex)
        {
            // No /proc: no context switch counts.
        }
    }

    /** The group of a thread by its native name, which Linux truncates to 15 characters. */
    static int groupOfNativeName(final String name)
    {
        if (name.startsWith("hearsay-dispatc"))
        {
            return 0;
        }
        if (name.startsWith("hearsay-io"))
        {
            return 1;
        }
        if (name.startsWith("bench-publisher") || name.startsWith("bench-receiver"))
        {
            return 2;
        }
        return name.startsWith("bench-") ? 3 : 4;
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

    /**
     * The VM's safepoint counters (count, and total milliseconds the application was stopped), read through
     * HotSpot's internal runtime bean: {@code sun.management} must be exported to us (the jar's manifest does it).
     * Null where it is not: the figures are then reported as not measured.
     */
    private static final java.lang.invoke.MethodHandle[] SAFEPOINTS = safepointReaders();

    private static java.lang.invoke.MethodHandle[] safepointReaders()
    {
        try
        {
            final Object bean = Class.forName("sun.management.ManagementFactoryHelper")
                .getMethod("getHotspotRuntimeMBean").invoke(null);
            final Class<?> type = Class.forName("sun.management.HotspotRuntimeMBean");
            final java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            final java.lang.invoke.MethodType returnsLong = java.lang.invoke.MethodType.methodType(long.class);
            return new java.lang.invoke.MethodHandle[] {
                lookup.findVirtual(type, "getSafepointCount", returnsLong).bindTo(bean),
                lookup.findVirtual(type, "getTotalSafepointTime", returnsLong).bindTo(bean)};
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return null;
        }
    }

    /** Safepoints so far (every one stops all Java threads), or -1 where the VM's counters are not readable. */
    static long safepointCount()
    {
        return readSafepoints(0);
    }

    /** Milliseconds all Java threads were stopped at safepoints so far, or -1 where not readable. */
    static long safepointMillis()
    {
        return readSafepoints(1);
    }

    /**
     * Milliseconds the JIT compilers have spent compiling so far (all compiler threads together), or -1 where the
     * VM does not report it. Compiler threads are hidden from the thread bean, so this is the only view of them.
     */
    static long compileMillis()
    {
        final java.lang.management.CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
        return bean != null && bean.isCompilationTimeMonitoringSupported() ? bean.getTotalCompilationTime() : -1;
    }

    private static long readSafepoints(final int which)
    {
        if (SAFEPOINTS == null)
        {
            return -1;
        }
        try
        {
            return (long)SAFEPOINTS[which].invoke();
        }
        catch (final Throwable ex)
        {
            return -1;
        }
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
