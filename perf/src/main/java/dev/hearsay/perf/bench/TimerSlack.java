package dev.hearsay.perf.bench;

import java.util.concurrent.TimeUnit;

/**
 * What a timed wait overshoots by on this machine (with Linux's default timer slack about 57 us on this class of VM,
 * with the pacers' slack of {@link KernelTimerSlack#PACER_NANOS} about 4 us), learned as a moving average, so that a pacer can wake up that much early and spin the rest of the way to its
 * slot. Bounded: a late wake-up on a loaded machine must not turn the pacer into a spinner. One thread only.
 */
final class TimerSlack
{
    /** Most a pacer spins before its slot. */
    static final long MAX_NANOS = TimeUnit.MICROSECONDS.toNanos(80);

    /** Spin rather than park when the deadline is at most this much beyond the slack. */
    static final long SPIN_MARGIN_NANOS = 5_000;

    private long slackNanos = TimeUnit.MICROSECONDS.toNanos(60);
    private boolean kernelSlackAsked;

    /**
     * Asks the kernel for the pacers' timer slack ({@link KernelTimerSlack#PACER_NANOS}) on the calling thread, the
     * one this pacer runs on; only the first call does anything.
     */
    void onPacingThread()
    {
        if (!kernelSlackAsked)
        {
            kernelSlackAsked = true;
            KernelTimerSlack.setForCurrentThread(KernelTimerSlack.PACER_NANOS);
        }
    }

    /** How early to ask for a wake-up. */
    long nanos()
    {
        return slackNanos;
    }

    /**
     * Waits until {@code deadline} ({@link System#nanoTime()}): parks until this slack before it, learning from each
     * park, then spins the rest of the way. False if {@code keepWaiting} turned false first.
     */
    boolean awaitDeadline(final long deadline, final java.util.function.BooleanSupplier keepWaiting)
    {
        while (keepWaiting.getAsBoolean())
        {
            final long now = System.nanoTime();
            final long remaining = deadline - now;
            if (remaining <= 0)
            {
                return true;
            }
            if (remaining > slackNanos + SPIN_MARGIN_NANOS)
            {
                final long request = remaining - slackNanos;
                java.util.concurrent.locks.LockSupport.parkNanos(request);
                observe(request, System.nanoTime() - now);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        return false;
    }

    /** A wait asked for {@code requested} ns took {@code took} ns. */
    void observe(final long requested, final long took)
    {
        final long overshoot = took - requested;
        slackNanos += (Math.max(0, Math.min(overshoot, MAX_NANOS)) - slackNanos) >> 3;
    }
}
