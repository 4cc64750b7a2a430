package dev.hearsay.perf.faults;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline: the only way the fault suite waits for other processes. */
public final class Poll
{
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Poll()
    {
    }

    /** Polls {@code condition} until it holds (true) or {@code timeout} passes (false). */
    public static boolean until(final BooleanSupplier condition, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return condition.getAsBoolean();
            }
            pause();
        }
        return true;
    }

    /** One short pause between polls. */
    public static void pause()
    {
        LockSupport.parkNanos(PAUSE_NANOS);
    }

    /**
     * Lets {@code duration} pass while the system under test works (load phases, partitions). Not a
     * synchronisation: what follows checks its outcome with {@link #until}.
     */
    public static void hold(final Duration duration)
    {
        final long deadline = System.nanoTime() + duration.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }
}
