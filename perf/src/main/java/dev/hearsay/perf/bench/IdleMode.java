package dev.hearsay.perf.bench;

import dev.hearsay.GossipConfig;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

/** What the dispatchers and the bench's receiver thread do when they have no work. */
enum IdleMode
{
    /** Spin: lowest wake-up latency, one vCPU per thread even when idle. */
    BUSY("busy", "busy-spin"),
    /** The engine's default: spin, then yield, then park 1 us doubling to 100 us. */
    BACKOFF("backoff", "backoff (engine default: spin, yield, park 1-100 us)"),
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

    /** A new strategy instance (they hold state: one per thread). */
    IdleStrategy create()
    {
        return switch (this)
        {
            case BUSY -> new BusySpinIdleStrategy();
            case BACKOFF -> GossipConfig.defaults().idleStrategy();
            case SLEEP -> new SleepingIdleStrategy();
        };
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
