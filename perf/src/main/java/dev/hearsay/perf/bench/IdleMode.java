package dev.hearsay.perf.bench;

import dev.hearsay.GossipConfig;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

/** What the dispatchers and the bench's receiver thread do when they have no work. */
enum IdleMode
{
    /** Spin: lowest wake-up latency, one vCPU per thread even when idle. */
    BUSY("busy", "busy-spin"),
    /**
     * The engine's default: spin, yield, then park until woken by an event (dispatchers: a publish on the ring,
     * its next timer at the latest; the receiver thread: events offered to a subscription, 1 ms at most).
     */
    BACKOFF("backoff", "backoff (engine default: spin, yield, then park until woken by an event)"),
    /** Agrona's backoff: spin, yield, then timed parks of 1 us doubling to 100 us; no event wakes the thread. */
    TIMED("timed", "timed backoff (spin, yield, park 1-100 us; not woken by events)"),
    /** Park 1 us at once (about 55 us here: the kernel's timer slack). */
    SLEEP("sleep", "sleep (park 1 us each idle cycle)");

    private final String cliName;
    private final String description;

    IdleMode(final String cliName, final String description)
    {
        this.cliName = cliName;
        this.description = description;
    }

    String cliName()
    {
        return cliName;
    }

    String description()
    {
        return description;
    }

    /** A new strategy instance for a dispatcher (they hold state: one per thread). */
    IdleStrategy create()
    {
        return switch (this)
        {
            case BUSY -> new BusySpinIdleStrategy();
            case BACKOFF -> GossipConfig.defaults().idleStrategy();
            case TIMED -> new BackoffIdleStrategy(1, 10, 1_000, 100_000);
            case SLEEP -> new SleepingIdleStrategy();
        };
    }

    /** A new strategy instance for the bench's receiver thread; null: park until the subscriptions wake it. */
    IdleStrategy createForReceiver()
    {
        return this == BACKOFF ? null : create();
    }

    static IdleMode fromCliName(final String name)
    {
        for (final IdleMode mode : values())
        {
            if (mode.cliName.equals(name))
            {
                return mode;
            }
        }
        return null;
    }
}
