package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The catch-up list for a new neighbor: the window's ids as runs, and the newest when not all fit. */
@Timeout(10)
class PayloadCacheRecentTest
{
    private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[8]);

    private static NodeId node(final int n)
    {
        final byte[] b = new byte[NodeId.LENGTH];
        b[0] = (byte)n;
        b[1] = (byte)(n >> 8);
        b[31] = 7;
        return NodeId.fromBytes(b);
    }

    @Test
    void interleavedStreamsAreOneRunEach()
    {
        final PayloadCache cache = new PayloadCache(1 << 20, 10_000);
        for (long seq = 1; seq <= 1_000; seq++)
        {
            cache.put(node(1), 1, seq, 1, PAYLOAD, 0, 8, 100 + seq);
            cache.put(node(2), 1, seq, 1, PAYLOAD, 0, 8, 100 + seq);
        }
        final IHave out = new IHave();
        assertEquals(2_000, cache.recent(0, out, node(99)));
        assertEquals(2, out.size(), out.toString());
        for (int i = 0; i < 2; i++)
        {
            assertEquals(1, out.firstSequence(i));
            assertEquals(1_000, out.count(i));
        }
        // The window and the skipped author.
        out.clear();
        assertEquals(500, cache.recent(100 + 500, out, node(2)));
        assertEquals(501, out.firstSequence(0));
        assertEquals(node(1), out.author(0));
    }

    @Test
    void whenNotAllFitTheNewestAreKept()
    {
        final PayloadCache cache = new PayloadCache(1 << 20, 10_000);
        for (int n = 1; n <= 300; n++)
        {
            cache.put(node(n), 1, 5, 1, PAYLOAD, 0, 8, n);
        }
        final IHave out = new IHave();
        assertEquals(IHave.MAX_RUNS, cache.recent(0, out, null));
        for (int i = 0; i < out.size(); i++)
        {
            assertEquals(node(300 - i), out.author(i), "newest first");
        }
    }
}
