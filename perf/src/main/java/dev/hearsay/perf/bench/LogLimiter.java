package dev.hearsay.perf.bench;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps the bench's stderr readable when the engine logs the same warning thousands of times under overload (for
 * example one line per frame refused by a full peer queue): the first few lines of each message pattern are
 * printed, the rest only counted and summed up at the end. Nothing is hidden: the counters in the report carry the
 * totals.
 */
final class LogLimiter implements Filter
{
    private static final int SHOWN_PER_PATTERN = 3;

    private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
    private final Handler[] handlers;
    private final Filter[] previous;

    private LogLimiter(final Handler[] handlers)
    {
        this.handlers = handlers;
        this.previous = new Filter[handlers.length];
        for (int i = 0; i < handlers.length; i++)
        {
            previous[i] = handlers[i].getFilter();
        }
    }

    /** Installs a limiter on the root logger's handlers; {@link #summarize} prints what it held back. */
    static LogLimiter install()
    {
        final LogLimiter limiter = new LogLimiter(Logger.getLogger("").getHandlers());
        for (final Handler handler : limiter.handlers)
        {
            handler.setFilter(limiter);
        }
        return limiter;
    }

    @Override
    public boolean isLoggable(final LogRecord record)
    {
        // The message pattern, before its parameters are filled in: one key per kind of line.
        final String key = record.getLoggerName() + ": " + record.getMessage();
        return seen.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet() <= SHOWN_PER_PATTERN;
    }

    /** Puts the handlers' previous filters back and prints how many lines of each pattern were not shown. */
    void summarize(final PrintStream err)
    {
        for (int i = 0; i < handlers.length; i++)
        {
            handlers[i].setFilter(previous[i]);
        }
        seen.forEach((pattern, count) ->
        {
            if (count.get() > SHOWN_PER_PATTERN)
            {
                err.printf("[bench] %,d more log lines like: %s%n", count.get() - SHOWN_PER_PATTERN, pattern);
            }
        });
    }
}
