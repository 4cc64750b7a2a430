package dev.hearsay.engine;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The live values of the {@link EngineCounter}s, one cache line each so that writers on different threads do not
 * share lines. Counters written only by the dispatcher use an ordered store (single writer, no atomic
 * read-modify-write); counters written by producers use an atomic add. Readers may run on any thread.
 */
final class EngineCounters
{
    private static final int STRIDE = BitUtil.CACHE_LINE_LENGTH * 2;
    private static final EngineCounter[] ALL = EngineCounter.values();

    private final UnsafeBuffer values = new UnsafeBuffer(new byte[STRIDE * ALL.length]);

    /** Increment from the single writing thread of {@code counter}. */
    void increment(final EngineCounter counter)
    {
        final int offset = counter.ordinal() * STRIDE;
        values.putLongOrdered(offset, values.getLong(offset) + 1);
    }

    /** Add from the single writing thread of {@code counter}. */
    void add(final EngineCounter counter, final long delta)
    {
        final int offset = counter.ordinal() * STRIDE;
        values.putLongOrdered(offset, values.getLong(offset) + delta);
    }

    /** Increment from any thread. */
    void incrementShared(final EngineCounter counter)
    {
        values.getAndAddLong(counter.ordinal() * STRIDE, 1);
    }

    long get(final EngineCounter counter)
    {
        return values.getLongVolatile(counter.ordinal() * STRIDE);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("EngineCounters{");
        for (int i = 0; i < ALL.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(ALL[i].name().toLowerCase()).append('=').append(get(ALL[i]));
        }
        return sb.append('}').toString();
    }
}
