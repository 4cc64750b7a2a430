package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.hearsay.proto.TestNet.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class HyParViewTest
{
    private static GossipConfig small(final int active, final int passive)
    {
        return GossipConfig.builder().activeViewCapacity(active).passiveViewCapacity(passive).build();
    }

    @Test
    void joinMakesBothSidesNeighbors()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertEquals(Set.of(b.id), a.active());
        assertEquals(Set.of(a.id), b.active());
        assertEquals(List.of("up " + b.id), a.events);
        assertEquals(List.of("up " + a.id), b.events);
        assertEquals(Set.of(a.id), b.state.eagerPeers(TOPIC));
    }

    @Test
    void joinFromAlreadyActivePeerStillGetsReply()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        final int repliesBefore = (int)net.countSent(MessageType.NEIGHBOR_REPLY);
        b.state.join(TOPIC, List.of(a.id), net.now);
        // b already has a active, so it sends nothing; a fresh b (restarted) would: simulate by a raw Join.
        a.state.onMessage(b.id, new Join().topic(TOPIC), net.now);
        net.pump();
        assertEquals(repliesBefore + 1, net.countSent(MessageType.NEIGHBOR_REPLY));
        assertEquals(Set.of(b.id), a.active());
    }

    @Test
    void forwardJoinSpreadsJoinerAndViewsStaySymmetric()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node first = net.add();
        first.state.join(TOPIC, List.of(), net.now);
        for (int i = 1; i < 30; i++)
        {
            final TestNet.Node n = net.add();
            n.state.join(TOPIC, List.of(net.nodes.get((i * 7) % i).id), net.now);
            net.pump();
        }
        net.advance(2_000, 5);
        assertEquals(0, net.asymmetricPairs());
        for (final TestNet.Node n : net.nodes)
        {
            assertFalse(n.active().isEmpty(), "node without neighbors");
            assertTrue(n.active().size() <= 5);
            assertFalse(n.active().contains(n.id));
            for (final NodeId p : n.active())
            {
                assertFalse(n.passive().contains(p), "peer both active and passive");
            }
        }
        final long withPassive = net.nodes.stream().filter(n -> !n.passive().isEmpty()).count();
        assertTrue(withPassive > 20, "passive views stay empty: " + withPassive);
    }

    @Test
    void joinIntoFullViewEvictsRandomPeerWithDisconnectAndContacts()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node hub = net.add();
        hub.state.join(TOPIC, List.of(), net.now);
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        final TestNet.Node d = net.add();
        b.state.join(TOPIC, List.of(hub.id), net.now);
        net.pump();
        c.state.join(TOPIC, List.of(hub.id), net.now);
        net.pump();
        assertEquals(Set.of(b.id, c.id), hub.active());
        d.state.join(TOPIC, List.of(hub.id), net.now);
        net.pump();
        assertTrue(hub.active().contains(d.id), "a Join is always accepted");
        assertEquals(2, hub.active().size());
        final long disconnects = net.sent.stream()
            .filter(e -> e.message() instanceof Disconnect && e.from().equals(hub.id)).count();
        assertTrue(disconnects >= 1, "evicted peer was not told");
        final Disconnect first = (Disconnect)net.sent.stream()
            .filter(e -> e.message() instanceof Disconnect && e.from().equals(hub.id))
            .findFirst().orElseThrow().message();
        assertTrue(first.alive());
        assertEquals(0, net.asymmetricPairs());
    }

    @Test
    void lowPriorityNeighborRefusedWhenFullHighPriorityEvicts()
    {
        final TestNet net = new TestNet(small(1, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        c.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertEquals(Set.of(b.id), a.active());

        a.state.onMessage(c.id, new Neighbor().set(false, null).topic(TOPIC), net.now);
        net.pump();
        assertEquals(Set.of(b.id), a.active(), "low priority must not evict");
        assertTrue(a.passive().contains(c.id));
        final NeighborReply refusal = (NeighborReply)net.sent.get(net.sent.size() - 1).message();
        assertFalse(refusal.accepted());

        a.state.onMessage(c.id, new Neighbor().set(true, null).topic(TOPIC), net.now);
        assertEquals(Set.of(c.id), a.active(), "high priority must evict");
        net.pump();
        assertTrue(a.passive().contains(b.id));
        assertTrue(b.passive().contains(a.id), "evicted peer keeps the evicter as a passive contact");
        assertTrue(b.active().isEmpty());
    }

    @Test
    void refillFromPassiveAfterNeighborDies()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        final TestNet.Node d = net.add();
        for (final TestNet.Node n : net.nodes)
        {
            n.state.join(TOPIC, List.of(), net.now);
        }
        b.state.join(TOPIC, List.of(a.id), net.now);
        c.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        // d is a known passive contact of a.
        a.state.onMessage(d.id, new ShuffleReply().topic(TOPIC), net.now);
        final ShuffleReply reply = new ShuffleReply();
        reply.contacts().add(d.id, null);
        a.state.onMessage(b.id, reply.topic(TOPIC), net.now);
        net.pump();
        assertTrue(a.passive().contains(d.id));
        assertTrue(a.active().contains(b.id));

        net.crash(b);
        net.pump();
        assertFalse(a.active().contains(b.id));
        assertTrue(a.events.contains("down " + b.id));
        net.advance(10);
        assertTrue(a.active().contains(d.id), "a did not refill from its passive view: " + a.active());
        assertTrue(d.active().contains(a.id));
    }

    @Test
    void neighborRequestTimesOutAndDropsSilentCandidate()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node silent = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        silent.state.join(TOPIC, List.of(), net.now);
        final ShuffleReply reply = new ShuffleReply();
        reply.contacts().add(silent.id, null);
        net.drop = e -> e.to().equals(silent.id);
        a.state.onMessage(silent.id, reply.topic(TOPIC), net.now);
        net.pump();
        assertEquals(1, net.countSent(MessageType.NEIGHBOR), "refill did not ask the passive contact");
        net.advance(600, 10);
        assertEquals(1, a.state.stats().neighborRequestTimeouts);
        assertFalse(a.passive().contains(silent.id));
        assertTrue(a.events.contains("disconnect " + silent.id));
    }

    @Test
    void shuffleExchangesPassiveContacts()
    {
        final GossipConfig config = GossipConfig.builder().shuffleInterval(Duration.ofSeconds(1)).build();
        final TestNet net = new TestNet(config);
        final TestNet.Node first = net.add();
        first.state.join(TOPIC, List.of(), net.now);
        for (int i = 1; i < 40; i++)
        {
            net.add().state.join(TOPIC, List.of(net.nodes.get(i - 1).id), net.now);
            net.pump();
        }
        final int before = net.nodes.stream().mapToInt(n -> n.passive().size()).sum();
        net.advance(5_000, 10);
        assertTrue(net.countSent(MessageType.SHUFFLE) > 40);
        assertTrue(net.countSent(MessageType.SHUFFLE_REPLY) > 10);
        final int after = net.nodes.stream().mapToInt(n -> n.passive().size()).sum();
        assertTrue(after > before, "shuffles did not grow passive views: " + before + " -> " + after);
        assertEquals(0, net.asymmetricPairs());
    }

    @Test
    void quitSendsDisconnectAndPeersForgetTheLeaver()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        c.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertTrue(b.active().contains(a.id));
        a.state.quit(TOPIC, net.now);
        net.pump();
        assertFalse(a.state.isJoined(TOPIC));
        assertFalse(b.active().contains(a.id));
        assertFalse(b.passive().contains(a.id), "a leaver must not stay a passive contact");
        assertFalse(c.active().contains(a.id));
        assertTrue(a.events.contains("disconnect " + b.id));
        final Disconnect d = (Disconnect)net.sent.stream().filter(e -> e.message() instanceof Disconnect)
            .findFirst().orElseThrow().message();
        assertFalse(d.alive());
    }

    @Test
    void contactDataTravelsWithJoin()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        b.state.contactData(new byte[]{1, 2, 3});
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertNotNull(a.contacts.get(b.id));
        assertEquals(3, a.contacts.get(b.id).length);
    }

    @Test
    void lostJoinIsRetriedThroughBootstrapPeers()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        net.drop = e -> e.message() instanceof Join;
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertTrue(b.active().isEmpty());
        net.drop = e -> false;
        net.advance(3_000, 10);
        assertEquals(Set.of(a.id), b.active(), "the join was not retried");
        assertTrue(net.countSent(MessageType.JOIN) >= 2);
    }

    @Test
    void lostJoinIsRetriedEvenWhenOthersJoinedThroughTheJoiner()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        net.drop = e -> e.message() instanceof Join && e.from().equals(b.id);
        b.state.join(TOPIC, List.of(a.id), net.now);
        c.state.join(TOPIC, List.of(b.id), net.now);
        net.pump();
        assertEquals(Set.of(c.id), b.active(), "c joined through b, whose own Join was lost");
        net.drop = e -> false;
        net.advance(3_000, 10);
        assertTrue(b.active().contains(a.id), "b never reached the overlay it asked to join: " + b.active());
        assertTrue(a.active().contains(b.id));
        final long joins = net.countSent(MessageType.JOIN);
        net.advance(60_000, 100);
        assertEquals(joins, net.countSent(MessageType.JOIN), "Joins go on once a bootstrap contact is a neighbor");
    }

    @Test
    void joinRetriesBackOff()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        net.drop = e -> e.message() instanceof Join;
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.advance(10_000, 10);
        final long joins = net.countSent(MessageType.JOIN);
        // 500 ms timeout, then waits of 0.5, 1, 2, 4 s: about 5 attempts in 10 s, not 20.
        assertTrue(joins >= 3 && joins <= 7, "joins sent in 10 s: " + joins);
    }
}
