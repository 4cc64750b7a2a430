package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.awaitReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory transport: connection events on first contact, kill, dial failure, send filter. */
final class InMemoryNetworkTest
{
    private static final TopicId TOPIC = TopicId.of("in-memory");

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void firstContactConnectsBothSidesAndAKilledPeerGoesDownEverywhere() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(3, GossipConfig.defaults()).start())
        {
            final List<Subscription> subs = ClusterTest.joinChain(cluster, 3);
            for (int n = 0; n < 3; n++)
            {
                assertTrue(cluster.get(n).counter(EngineCounter.PEERS_CONNECTED) >= 1, "node " + n);
            }
            assertTrue(subs.get(0).neighbors().contains(cluster.id(2))
                || subs.get(1).neighbors().contains(cluster.id(2)));

            cluster.network.kill(cluster.id(2));
            for (int n = 0; n < 2; n++)
            {
                final Subscription sub = subs.get(n);
                await("node 2 gone from node " + n, () -> !sub.neighbors().contains(cluster.id(2)));
            }
            assertTrue(cluster.get(0).counter(EngineCounter.PEERS_DISCONNECTED)
                + cluster.get(1).counter(EngineCounter.PEERS_DISCONNECTED) >= 1);

            // The survivors still talk to each other.
            final byte[] after = "after the crash".getBytes(StandardCharsets.UTF_8);
            await("0 and 1 are neighbors", () -> subs.get(0).neighbors().contains(cluster.id(1)));
            assertTrue(subs.get(0).broadcast(after) >= 0);
            awaitReceived(subs.get(1), after);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void dialToAnUnknownOrDeadNodeFailsAndIsReported()
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
        {
            cluster.network.kill(cluster.id(1));
            final Subscription sub =
                cluster.get(0).subscribe(TOPIC, List.of(cluster.id(1), EngineTestSupport.key(50).id()));
            await("two dials failed", () -> cluster.get(0).counter(EngineCounter.DIALS_FAILED) >= 2);
            assertTrue(sub.neighbors().isEmpty());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sendFilterCanLoseFramesAndTheOverlayStillForms() throws Exception
    {
        final InMemoryNetwork network = new InMemoryNetwork();
        final AtomicBoolean dropOnce = new AtomicBoolean(true);
        network.sendFilter((from, to, frame, offset, length) -> !dropOnce.getAndSet(false));
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.builder()
            .neighborRequestTimeout(java.time.Duration.ofMillis(50)).build(), network).start())
        {
            cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            // The first Join is lost; the protocol joins again through its bootstrap peer.
            b.joined().get();
            assertEquals(1, cluster.transports.get(1).framesFiltered());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void joinPeersJoinsThroughPeersGivenLaterAndContactDataReachesTheTransport() throws Exception
    {
        final InMemoryNetwork network = new InMemoryNetwork();
        final java.util.Map<dev.hearsay.NodeId, byte[]> learned = new java.util.concurrent.ConcurrentHashMap<>();
        final GossipEngine a = new GossipEngine(EngineTestSupport.key(0), GossipConfig.defaults(),
            network.transport(EngineTestSupport.key(0).id()), 1, 1);
        final InMemoryTransport bTransport = network.transport(EngineTestSupport.key(1).id());
        final Transport recording = new Transport()
        {
            @Override
            public void bind(final NetworkEvents events)
            {
                bTransport.bind(events);
            }

            @Override
            public boolean send(final dev.hearsay.NodeId peer, final org.agrona.DirectBuffer frame, final int offset,
                final int length)
            {
                return bTransport.send(peer, frame, offset, length);
            }

            @Override
            public void disconnect(final dev.hearsay.NodeId peer)
            {
                bTransport.disconnect(peer);
            }

            @Override
            public int flush()
            {
                return bTransport.flush();
            }

            @Override
            public void onContactData(final dev.hearsay.NodeId peer, final byte[] data)
            {
                learned.put(peer, data);
            }

            @Override
            public void close()
            {
                bTransport.close();
            }
        };
        final GossipEngine b = new GossipEngine(EngineTestSupport.key(1), GossipConfig.defaults(), recording, 2, 1);
        try (a; b)
        {
            a.contactData("addr-of-a".getBytes(StandardCharsets.UTF_8));
            a.start();
            b.start();
            final Subscription atA = a.subscribe(TOPIC, List.of());
            final Subscription atB = b.subscribe(TOPIC, List.of());
            atB.joinPeers(List.of(a.id()));
            atB.joined().get();
            atA.joined().get();
            await("B learned A's contact data", () -> learned.containsKey(a.id()));
            assertEquals("addr-of-a", new String(learned.get(a.id()), StandardCharsets.UTF_8));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aNodeIdJoinsTheNetworkOnce()
    {
        final InMemoryNetwork network = new InMemoryNetwork();
        network.transport(EngineTestSupport.key(1).id());
        assertThrows(IllegalArgumentException.class, () -> network.transport(EngineTestSupport.key(1).id()));
        final InMemoryTransport t = network.transport(EngineTestSupport.key(2).id());
        assertEquals(EngineTestSupport.key(2).id(), t.id());
    }
}
