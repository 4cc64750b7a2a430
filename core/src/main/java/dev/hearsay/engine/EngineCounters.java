package dev.hearsay.engine;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * The live values of the {@link EngineCounter}s, one Agrona {@link AtomicCounter} each in the node's
 * {@link NodeCounters} buffer (a counter value takes two cache lines, so writers on different threads do not share
 * lines). Counters written only by the dispatcher use a release store (single writer, no atomic
 * read-modify-write); counters written by producers use an atomic add. Readers may run on any thread, or in
 * another process when the buffer is a mapped file.
 */
final class EngineCounters
{
    private static final EngineCounter[] ALL = EngineCounter.values();

    private final AtomicCounter[] values = new AtomicCounter[ALL.length];

    EngineCounters(final NodeCounters counters)
    {
        for (final EngineCounter c : ALL)
        {
            values[c.ordinal()] = counters.newCounter(c.label(), NodeCounters.TYPE_ENGINE);
        }
    }

    /** Increment from the single writing thread of {@code counter}. */
    void increment(final EngineCounter counter)
    {
        values[counter.ordinal()].incrementRelease();
    }

    /** Add from the single writing thread of {@code counter}. */
    void add(final EngineCounter counter, final long delta)
    {
        values[counter.ordinal()].getAndAddRelease(delta);
    }

    /** Set a gauge from its single writing thread. */
    void set(final EngineCounter counter, final long value)
    {
        values[counter.ordinal()].setRelease(value);
    }

    /** Increment from any thread; returns the value after. */
    long incrementShared(final EngineCounter counter)
    {
        return values[counter.ordinal()].increment() + 1;
    }

    long get(final EngineCounter counter)
    {
        return values[counter.ordinal()].get();
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
