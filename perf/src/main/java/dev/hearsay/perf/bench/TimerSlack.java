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

    private long slackNanos = TimeUnit.MICROSECONDS.toNanos(60);

    /** How early to ask for a wake-up. */
    long nanos()
    {
        return slackNanos;
    }

    /** A wait asked for {@code requested} ns took {@code took} ns. */
    void observe(final long requested, final long took)
    {
        final long overshoot = took - requested;
        slackNanos += (Math.max(0, Math.min(overshoot, MAX_NANOS)) - slackNanos) >> 3;
    }
}
