package dev.hearsay.perf.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line on stderr (stdout stays for the result). On a terminal it rewrites one line; otherwise it
 * prints one line per step. Silent when quiet.
 */
final class Progress
{
    private final PrintStream err;
    private final boolean enabled;
    private final boolean rewrite;
    private final long startNanos = System.nanoTime();
    private final double plannedSeconds;
    private int lastLength;
    private String lastKey = "";
    private long lastPrintNanos;

    Progress(final PrintStream err, final boolean enabled, final double plannedSeconds)
    {
        this.err = err;
        this.enabled = enabled;
        this.rewrite = err == System.err && System.console() != null;
        this.plannedSeconds = plannedSeconds;
    }

    /** Shows {@code step}, with the time so far. */
    void show(final String step)
    {
        if (!enabled)
        {
            return;
        }
        final String line = String.format(Locale.ROOT, "[bench %5.1f s / ~%.0f s] %s",
            (System.nanoTime() - startNanos) / 1e9, plannedSeconds, step);
        if (rewrite)
        {
            final StringBuilder sb = new StringBuilder("\r").append(line);
            for (int i = line.length(); i < lastLength; i++)
            {
                sb.append(' ');
            }
            lastLength = line.length();
            err.print(sb);
            err.flush();
        }
        else
        {
            // Not a terminal: one line per new step, and at most one every two seconds for updates of a step.
            final String key = step.replaceAll("[0-9,.]+", "#");
            final long now = System.nanoTime();
            if (!key.equals(lastKey) || now - lastPrintNanos > 2_000_000_000L)
            {
                err.println(line);
                lastKey = key;
                lastPrintNanos = now;
            }
        }
    }

    /** Ends the rewritten line, so what follows starts on a fresh one. */
    void done()
    {
        if (enabled && rewrite && lastLength > 0)
        {
            err.println();
            lastLength = 0;
        }
    }

    /** A warning that stays visible. */
    void warn(final String message)
    {
        done();
        err.println("[bench] " + message);
    }
}
