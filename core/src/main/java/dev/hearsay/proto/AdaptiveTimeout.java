package dev.hearsay.proto;

/**
 * A timeout that follows measured delays the way TCP's retransmission timer does (smoothed mean plus four mean
 * deviations, RFC 6298 gains), never below its configured floor and never above {@code maxFactor} times it. With
 * delays below the floor (a LAN) it is simply the configured value; on slow or uneven links it grows so that
 * PlumTree does not graft messages whose eager copy is merely late.
 */
final class AdaptiveTimeout
{
    private final long floor;
    private final long ceiling;
    private long smoothed;
    private long deviation;
    private boolean sampled;

    AdaptiveTimeout(final long floorNanos, final int maxFactor)
    {
        this.floor = floorNanos;
        this.ceiling = floorNanos * maxFactor;
    }

    void sample(final long delayNanos)
    {
        if (delayNanos < 0)
        {
            return;
        }
        if (!sampled)
        {
            smoothed = delayNanos;
            deviation = delayNanos / 2;
            sampled = true;
            return;
        }
        deviation += (Math.abs(smoothed - delayNanos) - deviation) / 4;
        smoothed += (delayNanos - smoothed) / 8;
    }

    long timeout()
    {
        if (!sampled)
        {
            return floor;
        }
        return Math.max(floor, Math.min(ceiling, smoothed + 4 * deviation));
    }
}
