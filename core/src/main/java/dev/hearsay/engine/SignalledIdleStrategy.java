package dev.hearsay.engine;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The dispatcher's default idle strategy: after work, a spin and a few yields (under load the next event is
 * usually there by then), then parks. At low load a park lasts until the next publish on the ring, which ends it at
 * once, or until the dispatcher's next deadline (its earliest timer, the next counters refresh), at most
 * {@code maxParkNanos}: an idle node wakes only when it has something to do, a few dozen times a second rather than
 * thousands. Under load (at least {@value #BUSY_EVENTS} events handled in the last millisecond) a park is timed,
 * {@value #BUSY_PARK_NANOS} ns, and no event ends it.
 *
 * <p>Why not Agrona's backoff alone: a timed park cannot be shorter than the kernel's timer slack (about 50 us), so
 * an event that found the dispatcher asleep waited out the park, and parks had to stay short (100 us) to bound
 * that, waking an idle dispatcher 10,000 times a second. Woken by the publish instead, it sleeps as long as its
 * timers allow and answers an event within one thread wake-up.
 *
 * <p>Why not signalled parks alone: under load the dispatcher then fell asleep and was woken for every few events,
 * and its per-cycle work (flushing the peer links, waking their event loops) was no longer shared by a batch: 5-node
 * throughput was about 7% lower (medians of 9 interleaved runs). Neither removing the yields nor a first timed park
 * after every burst helped; switching on the recent event rate does.
 *
 * <p>Holds per-thread state: one instance serves one dispatcher. The engine binds it to its ring; unbound (another
 * agent), every park is timed.
 */
public final class SignalledIdleStrategy implements IdleStrategy
{
    /**
     * Default longest park, when the dispatcher gives no deadline sooner. Bound to the engine, the dispatcher's
     * deadlines come first; unbound, parks are timed at {@link #BUSY_PARK_NANOS} anyway.
     */
    public static final long DEFAULT_MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Events handled per millisecond from which the dispatcher counts as loaded and parks on a timer. */
    static final long BUSY_EVENTS = 64;
    /** A loaded dispatcher's park: long enough for a batch to gather, short against the kernel's timer slack. */
    static final long BUSY_PARK_NANOS = 50_000;
    private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int maxSpins;
    private final int maxYields;
    private final long maxParkNanos;
    private int spins;
    private int yields;
    private long recentEvents;
    private long windowStart = System.nanoTime();
    private boolean busy;
    private DispatcherWakeup wakeup;
    private BooleanSupplier hasWork;
    private java.util.function.LongSupplier untilDeadline;

    /** One spin, ten yields, then parks of at most {@link #DEFAULT_MAX_PARK_NANOS}. */
    public SignalledIdleStrategy()
    {
        this(1, 10, DEFAULT_MAX_PARK_NANOS);
    }

    /**
     * @param maxSpins     idle cycles that only spin, after work.
     * @param maxYields    idle cycles that yield the CPU, after the spins.
     * @param maxParkNanos longest park after that (positive); at low load a publish on the ring ends it.
     */
    public SignalledIdleStrategy(final int maxSpins, final int maxYields, final long maxParkNanos)
    {
        if (maxSpins < 0 || maxYields < 0)
        {
            throw new IllegalArgumentException("maxSpins and maxYields must not be negative: " + maxSpins + ", "
                + maxYields);
        }
        if (maxParkNanos <= 0)
        {
            throw new IllegalArgumentException("maxParkNanos must be positive: " + maxParkNanos);
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxParkNanos = maxParkNanos;
    }

    /**
     * Called once by the engine before the dispatcher starts: who wakes it, how it checks for events, and how long
     * it may sleep without an event ({@code untilDeadline}, nanoseconds, asked on the dispatcher thread).
     */
    void bind(final DispatcherWakeup wakeup, final BooleanSupplier hasWork,
        final java.util.function.LongSupplier untilDeadline)
    {
        if (this.wakeup != null)
        {
            throw new IllegalStateException("a SignalledIdleStrategy serves one dispatcher only");
        }
        this.wakeup = wakeup;
        this.hasWork = hasWork;
        this.untilDeadline = untilDeadline;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            recentEvents += workCount;
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < maxYields)
        {
            yields++;
            Thread.yield();
        }
        else if (wakeup == null || loaded())
        {
            LockSupport.parkNanos(this, Math.min(maxParkNanos, BUSY_PARK_NANOS));
        }
        else
        {
            wakeup.sleeping(Thread.currentThread());
            try
            {
                // After announcing ourselves: a publish we do not see here will see us, and unpark.
                if (!hasWork.getAsBoolean())
                {
                    final long untilNext = untilDeadline.getAsLong();
                    if (untilNext > 0)
                    {
                        LockSupport.parkNanos(this, Math.min(maxParkNanos, untilNext));
                    }
                }
            }
            finally
            {
                wakeup.awake();
            }
        }
    }

    /** True if the last full millisecond (or more) saw at least {@link #BUSY_EVENTS} per millisecond. */
    private boolean loaded()
    {
        final long now = System.nanoTime();
        final long elapsed = now - windowStart;
        if (elapsed >= WINDOW_NANOS)
        {
            busy = recentEvents >= BUSY_EVENTS * (elapsed / WINDOW_NANOS);
            recentEvents = 0;
            windowStart = now;
        }
        return busy;
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
    }

    @Override
    public String alias()
    {
        return "signalled";
    }
}
