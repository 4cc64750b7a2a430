package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A neighbor that stops reading is disconnected when its queue overflows; everyone else is unaffected. */
@Timeout(60)
class SlowPeerTest
{
    @Test
    void peerThatNeverReadsIsDisconnectedAndOthersGetEverything() throws Exception
    {
        final TopicId topic = TopicId.of("slow");
        // A small queue and in-flight bound keep the test short; their ratio is the default one.
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO)
            .config(GossipConfig.builder().maxInFlightBroadcastBytes(16 * 1024).maxInFlightFrameBytes(16 * 1024).build())
            .transportOptions(TransportOptions.defaults().withOutboundQueueBytes(64 * 1024)).start();
        final GossipNode honest = ClusterTest.loopback(IoMode.AUTO).start();
        try (node; honest; Socket stalled = new Socket())
        {
            honest.addPeer(node.addr());
            final Subscription s = node.subscribe(topic, List.of());
            final Subscription h = honest.subscribe(topic, List.of(node.id()));
            h.joined().get(10, TimeUnit.SECONDS);

            // An authenticated peer that joins the topic, then never reads again.
            stalled.setReceiveBufferSize(4096);
            stalled.connect(node.localAddress());
            final NodeKey key = NodeKey.fromSeed(4242);
            RelayFlowControlTest.handshakeAndJoin(stalled, key, topic);
            assertTrue(Await.until(() -> node.engine().protocolStats().controlSent > 0
                && s.neighbors().contains(key.id()), 10_000), "the stalled peer never became a neighbor");
            // Alive (it sends heartbeats, so the failure detector keeps it), but it reads nothing.
            final Thread beats = new Thread(() ->
            {
                try
                {
                    while (!stalled.isClosed())
                    {
                        stalled.getOutputStream().write(new byte[4]);
                        Thread.sleep(200);
                    }
                }
                catch (final java.io.IOException | InterruptedException e)
                {
                    // closed by the node: what the test waits for
                }
            }, "heartbeats");
            beats.setDaemon(true);
            beats.start();

            final AtomicInteger received = new AtomicInteger();
            final Thread reader = new Thread(() ->
            {
                try
                {
                    while (received.get() < 3_000)
                    {
                        final GossipEvent e = h.next(Duration.ofMillis(100));
                        if (e instanceof GossipEvent.Received)
                        {
                            received.incrementAndGet();
                        }
                        if (Thread.interrupted())
                        {
                            return;
                        }
                    }
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            reader.start();
            final byte[] payload = new byte[GossipConfig.defaults().maxMessageSize()];
            for (int i = 0; i < 3_000; i++)
            {
                while (s.broadcast(payload) < 0)
                {
                    Thread.onSpinWait();
                }
            }
            assertTrue(Await.until(() -> node.transport().counters().slowPeerDisconnects.get() >= 1, 20_000),
                "slow peer never disconnected: " + node.transport().counters());
            assertEquals(0, node.transport().counters().peersConvicted.get(), "a live peer was convicted");
            assertTrue(Await.until(() -> !s.neighbors().contains(key.id()), 10_000),
                "the slow peer is still a neighbor");
            reader.join(30_000);
            assertEquals(3_000, received.get(), () -> "the honest peer lost messages\n"
                + RaceOverTcpTest.diagnostics(node, honest, topic));
        }
    }
}
