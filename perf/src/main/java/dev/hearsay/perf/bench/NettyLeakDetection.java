package dev.hearsay.perf.bench;

import io.netty.util.ResourceLeakDetector;

import java.util.Locale;

/**
 * The bench runs with Netty's buffer leak detector off unless {@code -Dio.netty.leakDetection.level} says
 * otherwise. At its default level (simple) the detector tracks 1 in 128 pooled buffers and records a stack trace
 * for each (about 1 to 2 KB): allocation per buffer, not per message, that the engine cannot avoid through
 * Netty's API (the level is global). Measured on this bench, it is 15 to 30 B per delivery at 10,000 msg/s (where
 * every frame is a buffer of its own) and about 1 B per delivery at max rate; the rest of the transport allocates
 * nothing per message. Give {@code -Dio.netty.leakDetection.level=simple} to measure with it.
 */
final class NettyLeakDetection
{
    static final String PROPERTY = "io.netty.leakDetection.level";

    private NettyLeakDetection()
    {
    }

    /** Turns the detector off unless the property was given; returns the level in force, lower case. */
    static String defaultToDisabled()
    {
        if (System.getProperty(PROPERTY) == null)
        {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        return level();
    }

    /** The level in force, lower case. */
    static String level()
    {
        return ResourceLeakDetector.getLevel().name().toLowerCase(Locale.ROOT);
    }

    /** For the report header. */
    static String describe(final String level)
    {
        return "disabled".equals(level) ?
            "disabled (the bench's default; -D" + PROPERTY + "=simple to measure with Netty's default, which "
                + "allocates a stack trace for 1 in 128 buffers)" :
            level + " (" + PROPERTY + "; it allocates per sampled buffer, counted in the allocation figures)";
    }
}
