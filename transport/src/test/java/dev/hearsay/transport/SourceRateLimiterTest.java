package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-source token buckets, on a clock the test moves. */
@Timeout(10)
class SourceRateLimiterTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aSourceGetsItsBurstThenItsRate() throws Exception
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(10, 4, 16, new AtomicLong());
        final InetAddress a = InetAddress.getByName("10.0.0.1");
        final long t = 1_000 * SECOND;
        for (int i = 0; i < 4; i++)
        {
            assertTrue(limiter.tryAcquire(a, t), "burst " + i);
        }
        assertFalse(limiter.tryAcquire(a, t));
        assertFalse(limiter.tryAcquire(a, t + SECOND / 20), "half a token");
        assertTrue(limiter.tryAcquire(a, t + SECOND / 10), "one token after a tenth of a second");
        assertFalse(limiter.tryAcquire(a, t + SECOND / 10));
        // A long silence refills the bucket to its size, not beyond.
        final long later = t + 3_600 * SECOND;
        for (int i = 0; i < 4; i++)
        {
            assertTrue(limiter.tryAcquire(a, later));
        }
        assertFalse(limiter.tryAcquire(a, later));
    }

    @Test
    void sourcesHaveBucketsOfTheirOwn() throws Exception
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(1, 1, 16, new AtomicLong());
        final long t = 5 * SECOND;
        assertTrue(limiter.tryAcquire(InetAddress.getByName("10.0.0.1"), t));
        assertFalse(limiter.tryAcquire(InetAddress.getByName("10.0.0.1"), t));
        assertTrue(limiter.tryAcquire(InetAddress.getByName("10.0.0.2"), t));
        // IPv6: one source per /64.
        assertTrue(limiter.tryAcquire(InetAddress.getByName("2001:db8:1:2::1"), t));
        assertFalse(limiter.tryAcquire(InetAddress.getByName("2001:db8:1:2::ffff"), t), "same /64");
        assertTrue(limiter.tryAcquire(InetAddress.getByName("2001:db8:1:3::1"), t), "another /64");
        assertNotEquals(SourceRateLimiter.key(InetAddress.getByName("0.0.0.1")),
            SourceRateLimiter.key(InetAddress.getByName("::1")));
    }

    @Test
    void whenFullTheSourceHeardFromLeastRecentlyIsForgottenAndCounted() throws Exception
    {
        final AtomicLong forgotten = new AtomicLong();
        final SourceRateLimiter limiter = new SourceRateLimiter(1, 1, 2, forgotten);
        final InetAddress a = InetAddress.getByName("10.0.0.1");
        final InetAddress b = InetAddress.getByName("10.0.0.2");
        final InetAddress c = InetAddress.getByName("10.0.0.3");
        final long t = 5 * SECOND;
        assertTrue(limiter.tryAcquire(a, t));
        assertTrue(limiter.tryAcquire(b, t));
        assertFalse(limiter.tryAcquire(a, t), "a heard again: b is now the least recent");
        assertTrue(limiter.tryAcquire(c, t));
        assertEquals(1, forgotten.get());
        assertEquals(2, limiter.sources());
        assertFalse(limiter.tryAcquire(a, t), "a is still remembered, with its empty bucket");
        assertTrue(limiter.tryAcquire(b, t), "b was forgotten: a full bucket again");
        assertEquals(2, forgotten.get());
    }

    @Test
    void invalidSettingsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(0, 1, 1, new AtomicLong()));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 0, 1, new AtomicLong()));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 1, 0, new AtomicLong()));
    }
}
