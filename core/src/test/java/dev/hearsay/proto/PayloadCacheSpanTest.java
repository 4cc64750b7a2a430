package dev.hearsay.proto;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How long a payload stays in the cache at the current rate, before and after the cache first evicts early. */
final class PayloadCacheSpanTest
{
    private static final NodeId AUTHOR = NodeKey.fromSeed(9).id();
    private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[8]);
    private static final long MS = 1_000_000L;

    @Test
    @Timeout(10)
    void spanIsTheOldestEntrysAgeOnceFullAndScaledFromTheFillBefore()
    {
        final PayloadCache cache = new PayloadCache(1 << 20, 64);
        assertEquals(Long.MAX_VALUE, cache.span(0), "empty");
        // One entry a millisecond: 7 entries are under an eighth of 64, too few to tell the rate.
        for (int i = 0; i < 7; i++)
        {
            cache.put(AUTHOR, 1, i, 0, PAYLOAD, 0, 8, i * MS);
        }
        assertEquals(Long.MAX_VALUE, cache.span(7 * MS));
        // 16 entries in 16 ms: a quarter of the entry bound, so the whole bound holds about 64 ms.
        for (int i = 7; i < 16; i++)
        {
            cache.put(AUTHOR, 1, i, 0, PAYLOAD, 0, 8, i * MS);
        }
        assertEquals(64 * MS, cache.span(16 * MS));
        // Full and evicting: the age of the oldest entry still cached, 64 entries back.
        for (int i = 16; i < 100; i++)
        {
            cache.put(AUTHOR, 1, i, 0, PAYLOAD, 0, 8, i * MS);
        }
        assertEquals(64 * MS, cache.span(100 * MS));
    }

    @Test
    @Timeout(10)
    void theNearerBoundSetsTheSpanBeforeTheCacheIsFull()
    {
        // 800 bytes and 64 entries: 25 payloads of 8 bytes are a quarter of the bytes and under half the entries.
        final PayloadCache cache = new PayloadCache(800, 64);
        for (int i = 0; i < 25; i++)
        {
            cache.put(AUTHOR, 1, i, 0, PAYLOAD, 0, 8, i * MS);
        }
        assertEquals(25 * MS * 64 / 25, cache.span(25 * MS), "the entries, a bit nearer (25 of 64)");
        final PayloadCache bytes = new PayloadCache(400, 1024);
        for (int i = 0; i < 25; i++)
        {
            bytes.put(AUTHOR, 1, i, 0, PAYLOAD, 0, 8, i * MS);
        }
        assertEquals(50 * MS, bytes.span(25 * MS), "the bytes: half of 400 in 25 ms");
    }
}
