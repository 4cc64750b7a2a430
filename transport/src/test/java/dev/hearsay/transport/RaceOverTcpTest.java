package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's race over real sockets: a node subscribes and joins, and both sides broadcast immediately, before the
 * join has completed. Nothing may be lost in either direction, over many iterations.
 */
@Timeout(180)
class RaceOverTcpTest
{
    @Test
    void subscribeJoinBroadcastImmediatelyLosesNothingBothWays() throws Exception
    {
        try (GossipNode a = ClusterTest.loopback(IoMode.AUTO).start();
             GossipNode b = ClusterTest.loopback(IoMode.AUTO).start())
        {
            a.addPeer(b.addr());
            b.addPeer(a.addr());
            for (int i = 0; i < 1_000; i++)
            {
                final TopicId topic = TopicId.of("race-" + i);
                final Subscription sa = a.subscribe(topic, List.of());
                final Subscription sb = b.subscribe(topic, List.of(a.id()));
                final byte[] fromA = ("a" + i).getBytes(StandardCharsets.UTF_8);
                final byte[] fromB = ("b" + i).getBytes(StandardCharsets.UTF_8);
                assertTrue(sa.broadcast(fromA) >= 0);
                assertTrue(sb.broadcast(fromB) >= 0);
                final int iteration = i;
                assertEquals("a" + i, nextText(sb), () -> "iteration " + iteration + ": b lost a's message\n"
                    + diagnostics(a, b, topic));
                assertEquals("b" + i, nextText(sa), () -> "iteration " + iteration + ": a lost b's message\n"
                    + diagnostics(a, b, topic));
                sb.close();
                sa.close();
            }
        }
    }

    static String diagnostics(final GossipNode a, final GossipNode b, final TopicId topic)
    {
        return "a=" + a.engine() + "\n  " + a.transport().counters() + "\n  " + a.protocolStats()
            + "\nb=" + b.engine() + "\n  " + b.transport().counters() + "\n  " + b.protocolStats();
    }

    private static String nextText(final Subscription s) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline)
        {
            final GossipEvent e = s.next(Duration.ofMillis(200));
            if (e instanceof GossipEvent.Received r)
            {
                return new String(r.content(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
