package dev.hearsay.transport;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JVM's direct memory has room for another buffer, asked before allocating one on the dispatcher. Near
 * its limit, {@code ByteBuffer.allocateDirect} does not fail at once: it runs a full GC and then sleeps and retries
 * for about half a second before throwing, and on the dispatcher that half second stops the node. Asking first turns
 * it into an immediate refusal, which the caller handles like a full queue. Any thread; stateless after
 * construction.
 *
 * <p>The limit is the JVM's ({@code -XX:MaxDirectMemorySize}, by default the maximum heap); a buffer is refused
 * when it would take the memory in use past {@code limit - limit / 8}, the eighth kept for the JDK's and Netty's own
 * direct buffers. The memory in use is what the JVM's "direct" buffer pool reports.
 */
final class DirectMemory
{
    private static final BufferPoolMXBean DIRECT_POOL = directPool();
    /** The JVM's process-wide limit. */
    static final long JVM_LIMIT = jvmLimit();

    private final long usable;

    /** A guard for the JVM's own limit. */
    static final DirectMemory JVM = new DirectMemory(JVM_LIMIT);

    /** @param limit the direct memory this guard lets the process reach, in bytes. */
    DirectMemory(final long limit)
    {
        this.usable = limit - limit / 8;
    }

    /** True if {@code bytes} more may be allocated now without nearing the limit. */
    boolean hasRoomFor(final long bytes)
    {
        return DIRECT_POOL == null || DIRECT_POOL.getMemoryUsed() + bytes <= usable;
    }

    private static BufferPoolMXBean directPool()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool;
            }
        }
        return null;
    }

    /**
     * {@code jdk.internal.misc.VM.maxDirectMemory()}, readable because Hearsay runs with
     * {@code --add-exports java.base/jdk.internal.misc} (Agrona needs it too); the JDK's default, the maximum heap,
     * if it cannot be read.
     */
    private static long jvmLimit()
    {
        try
        {
            return (long)Class.forName("jdk.internal.misc.VM").getMethod("maxDirectMemory").invoke(null);
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError e)
        {
            return Runtime.getRuntime().maxMemory();
        }
    }
}
