package dev.hearsay.transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owned by the listening socket's event loop: a token bucket per source of new connections, so that one address
 * cannot make the node handshake faster than {@code perSecond} connections a second on average, in bursts of
 * {@code burst}. A source is an IPv4 address, or the /64 prefix of an IPv6 address (one host usually holds a whole
 * /64).
 *
 * <p>Bounded: at most {@code maxSources} buckets. When full, the source heard from least recently is forgotten to
 * make room (counted); its bucket was most likely full again anyway, and should it come back it starts with a full
 * bucket. An attacker with more addresses than that gets around the per-source limit for some of them, and meets
 * the node-wide limit of unauthenticated connections instead.
 */
final class SourceRateLimiter
{
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    /** One source's bucket: tokens in units of a billionth of a connection, refilled by the nanosecond. */
    private static final class Bucket
    {
        long tokens;
        long refilledAtNanos;
    }

    private final long perSecond;
    private final long capacity;
    private final int maxSources;
    private final AtomicLong forgotten;
    private final LinkedHashMap<Long, Bucket> buckets;

    /**
     * @param perSecond  connections a second on average per source (at least 1).
     * @param burst      connections a source may open at once (the bucket's size).
     * @param maxSources sources remembered at most.
     * @param forgotten  counts the sources forgotten to make room.
     */
    SourceRateLimiter(final int perSecond, final int burst, final int maxSources, final AtomicLong forgotten)
    {
        if (perSecond < 1 || burst < 1 || maxSources < 1)
        {
            throw new IllegalArgumentException("perSecond " + perSecond + ", burst " + burst + ", maxSources "
                + maxSources);
        }
        this.perSecond = perSecond;
        this.capacity = burst * NANOS_PER_SECOND;
        this.maxSources = maxSources;
        this.forgotten = forgotten;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Long, Bucket> eldest)
            {
                if (size() > SourceRateLimiter.this.maxSources)
                {
                    SourceRateLimiter.this.forgotten.incrementAndGet();
                    return true;
                }
                return false;
            }
        };
    }

    /** True if a new connection from {@code source} is within its rate (and takes a token); false to refuse it. */
    boolean tryAcquire(final InetAddress source, final long nowNanos)
    {
        final Long key = key(source);
        Bucket bucket = buckets.get(key);
        if (bucket == null)
        {
            bucket = new Bucket();
            bucket.tokens = capacity;
            bucket.refilledAtNanos = nowNanos;
            buckets.put(key, bucket);
        }
        else
        {
            final long elapsed = Math.max(0, nowNanos - bucket.refilledAtNanos);
            // perSecond tokens a second, each worth NANOS_PER_SECOND units: perSecond units a nanosecond.
            final long refill = elapsed > capacity / perSecond ? capacity : elapsed * perSecond;
            bucket.tokens = Math.min(capacity, bucket.tokens + refill);
            bucket.refilledAtNanos = nowNanos;
        }
        if (bucket.tokens < NANOS_PER_SECOND)
        {
            return false;
        }
        bucket.tokens -= NANOS_PER_SECOND;
        return true;
    }

    /** Sources remembered right now. */
    int sources()
    {
        return buckets.size();
    }

    /** The source of {@code address}: the IPv4 address, or the first 64 bits of an IPv6 address. */
    static long key(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        if (address instanceof Inet4Address)
        {
            // Tagged with bit 32: no prefix of the assigned IPv6 space (2000::/3, fc00::/7, fe80::/10) has that form.
            return (1L << 32) | ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
        }
        long prefix = 0;
        for (int i = 0; i < 8; i++)
        {
            prefix = (prefix << 8) | (b[i] & 0xFFL);
        }
        return prefix;
    }
}
