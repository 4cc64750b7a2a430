package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

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
        assertEquals(1, a.state.stats().neighborsReplaced, "the evicter counts the eviction");
        assertEquals(1, b.state.stats().neighborsReplaced, "so does the evicted");
        assertEquals(0, a.state.stats().neighborsLost + b.state.stats().neighborsLost, "an eviction is no failure");
    }

    @Test
    void refillFromPassiveAfterNeighborDies()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        final TestNet.Node d = net.add();
        startAlone(net);
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
        assertEquals(1, a.state.stats().neighborsLost);
        assertEquals(0, a.state.stats().neighborsReplaced);
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
        assertEquals(1, b.state.stats().neighborsLost, "a neighbor that left is counted lost");
        assertEquals(0, b.state.stats().neighborsReplaced);
        assertEquals(0, a.state.stats().neighborsLost + a.state.stats().neighborsReplaced,
            "the leaver's own departure is neither");
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

    // ------------------------------------------------------------------------------------------------------------
    // Re-merging through failed contacts

    /** Every node of {@code net} starts the topic alone (no bootstrap peer). */
    private static void startAlone(final TestNet net)
    {
        for (final TestNet.Node n : net.nodes)
        {
            n.state.join(TOPIC, List.of(), net.now);
        }
    }

    /** Makes {@code from} and {@code to} neighbors the way a high-priority Neighbor request does. */
    private static void link(final TestNet net, final TestNet.Node from, final TestNet.Node to)
    {
        to.state.onMessage(from.id, new Neighbor().set(true, null).topic(TOPIC), net.now);
        net.pump();
        assertTrue(from.active().contains(to.id) && to.active().contains(from.id), "link " + from.id + " " + to.id);
    }

    private static List<TestNet.Node> addNodes(final TestNet net, final int count)
    {
        final List<TestNet.Node> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            nodes.add(net.add());
        }
        return nodes;
    }

    /** Links every pair of {@code nodes}: with as many as the active capacity plus one, every view is full. */
    private static void linkAll(final TestNet net, final List<TestNet.Node> nodes)
    {
        for (int i = 0; i < nodes.size(); i++)
        {
            for (int j = i + 1; j < nodes.size(); j++)
            {
                link(net, nodes.get(i), nodes.get(j));
            }
        }
    }

    /** {@code node} learns {@code contacts} as passive contacts, from a shuffle reply of its neighbor {@code from}. */
    private static void teachContacts(final TestNet net, final TestNet.Node node, final TestNet.Node from,
        final List<TestNet.Node> contacts)
    {
        final ShuffleReply reply = new ShuffleReply();
        for (final TestNet.Node n : contacts)
        {
            reply.contacts().add(n.id, null);
        }
        node.state.onMessage(from.id, reply.topic(TOPIC), net.now);
        net.pump();
    }

    /** Both ends of every link between {@code side} and the others hear that it went down (a failure detector). */
    private static void reportCut(final TestNet net, final Set<TestNet.Node> side)
    {
        for (final TestNet.Node n : net.nodes)
        {
            for (final NodeId peer : n.active())
            {
                if (side.contains(n) != side.contains(net.node(peer)))
                {
                    net.queue.add(new TestNet.Envelope(peer, n.id, null, true));
                }
            }
        }
        net.pump();
    }

    private static Predicate<TestNet.Envelope> across(final TestNet net, final Set<TestNet.Node> side)
    {
        return e -> side.contains(net.node(e.from())) != side.contains(net.node(e.to()));
    }

    private static long probes(final TestNet net)
    {
        return net.nodes.stream().mapToLong(n -> n.state.stats().contactProbes).sum();
    }

    @Test
    void partitionedSidesWithFullViewsLinkAgainWhenTheCutHeals()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node a1 = net.add();
        final TestNet.Node a2 = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node b1 = net.add();
        final TestNet.Node b2 = net.add();
        startAlone(net);
        link(net, a, b);
        final Set<TestNet.Node> sideA = Set.of(a, a1, a2);
        net.drop = across(net, sideA);
        reportCut(net, sideA);
        assertEquals(1, a.state.failedContactCount(TOPIC));
        assertEquals(1, b.state.failedContactCount(TOPIC));
        // Each side builds full views of its own (capacity 2: triangles), as refill would.
        link(net, a1, a);
        link(net, a2, a);
        link(net, a1, a2);
        link(net, b1, b);
        link(net, b2, b);
        link(net, b1, b2);
        net.advance(20_000, 10);
        assertTrue(probes(net) > 0, "the failed contacts are probed during the partition");
        assertFalse(a.active().contains(b.id));

        net.drop = e -> false;
        net.advance(40_000, 10);
        assertTrue(a.active().contains(b.id), "a and b did not link again: " + a.active());
        assertTrue(b.active().contains(a.id));
        assertEquals(0, a.state.failedContactCount(TOPIC));
        assertEquals(0, b.state.failedContactCount(TOPIC));
        assertTrue(a.state.stats().contactsRelinked + b.state.stats().contactsRelinked >= 1);
        assertEquals(0, net.asymmetricPairs());
        for (final TestNet.Node n : net.nodes)
        {
            assertTrue(n.active().size() <= 2);
        }
        final long settled = probes(net);
        net.advance(120_000, 100);
        assertEquals(settled, probes(net), "probing stops once nothing failed");
    }

    /**
     * Survivors of a mass crash linked only to each other: each has a neighbor, so refill asks with low priority, and
     * every live contact it knows has a full view and refuses. After two refusals a node with at most half its view
     * asks with high priority, and the pair joins the rest.
     */
    @Test
    void aPairLinkedOnlyToEachOtherJoinsAGroupOfFullViewsByEscalating()
    {
        final TestNet net = new TestNet(small(4, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node doomedA = net.add();
        final TestNet.Node doomedB = net.add();
        final List<TestNet.Node> group = addNodes(net, 5);
        startAlone(net);
        linkAll(net, group);
        link(net, a, b);
        link(net, a, doomedA);
        link(net, b, doomedB);
        teachContacts(net, a, b, group);
        teachContacts(net, b, a, group);
        for (final TestNet.Node n : group)
        {
            assertEquals(4, n.active().size(), "the group's views are full");
        }
        // Their other neighbors crash: the pair refills, and every live contact it knows refuses.
        net.crash(doomedA);
        net.crash(doomedB);
        net.pump();
        assertEquals(Set.of(b.id), a.active());
        assertEquals(Set.of(a.id), b.active());

        net.advance(30_000, 10);
        final Set<NodeId> groupIds = new java.util.HashSet<>();
        group.forEach(n -> groupIds.add(n.id));
        assertTrue(a.active().stream().anyMatch(groupIds::contains) || b.active().stream().anyMatch(groupIds::contains),
            "the pair is still apart: a " + a.active() + ", b " + b.active());
        final long escalated = a.state.stats().escalatedNeighborRequests + b.state.stats().escalatedNeighborRequests;
        assertTrue(escalated >= 1, "no request was escalated");
        assertEquals(0, net.asymmetricPairs());
        for (final TestNet.Node n : net.nodes)
        {
            assertTrue(n.active().size() <= 4);
            assertEquals(0, n == a || n == b ? 0 : n.state.stats().escalatedNeighborRequests,
                "a node with a full view escalated");
        }
        net.advance(60_000, 100);
        assertEquals(escalated,
            a.state.stats().escalatedNeighborRequests + b.state.stats().escalatedNeighborRequests,
            "escalation goes on once the pair has joined");
    }

    @Test
    void aNodeWithMoreThanHalfItsViewNeverEscalates()
    {
        final TestNet net = new TestNet(small(4, 10));
        final List<TestNet.Node> group = addNodes(net, 5);
        final TestNet.Node a = net.add();
        final List<TestNet.Node> others = List.of(net.add(), net.add(), net.add());
        final TestNet.Node doomed = net.add();
        startAlone(net);
        linkAll(net, group);
        for (final TestNet.Node n : others)
        {
            link(net, a, n);
        }
        link(net, a, doomed);
        teachContacts(net, a, others.get(0), group);
        net.crash(doomed);
        net.advance(30_000, 10);
        assertEquals(3, a.active().size(), "a: " + a.active());
        final long refusals = net.sent.stream()
            .filter(e -> e.to().equals(a.id) && e.message() instanceof NeighborReply r && !r.accepted()).count();
        assertTrue(refusals >= 4, "the group refused a only " + refusals + " times");
        assertEquals(refusals, a.state.stats().neighborRequestsRefused, "each refusal of a's requests is counted");
        assertEquals(0, a.state.stats().escalatedNeighborRequests);
        for (final TestNet.Node n : group)
        {
            assertEquals(4, n.active().size(), "a group member lost a neighbor");
        }
    }

    @Test
    void nothingIsProbedWhenNothingFailed()
    {
        final TestNet net = new TestNet(GossipConfig.builder().shuffleInterval(Duration.ofSeconds(1)).build());
        net.add().state.join(TOPIC, List.of(), net.now);
        for (int i = 1; i < 20; i++)
        {
            net.add().state.join(TOPIC, List.of(net.nodes.get(i / 2).id), net.now);
            net.pump();
        }
        net.advance(30_000, 10);
        assertEquals(0, probes(net));
        for (final TestNet.Node n : net.nodes)
        {
            assertEquals(0, n.state.failedContactCount(TOPIC));
        }
    }

    @Test
    void aSilentContactIsProbedRarelyAndForgottenAfterItsRetention()
    {
        final GossipConfig config = GossipConfig.builder().activeViewCapacity(2).passiveViewCapacity(10)
            .failedContactRetention(Duration.ofMinutes(5)).build();
        final TestNet net = new TestNet(config);
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(), net.now);
        link(net, a, b);
        // b goes silent (a partition, or a frozen process): nothing reaches it, nothing comes back.
        net.drop = e -> e.to().equals(b.id) || e.from().equals(b.id);
        net.queue.add(new TestNet.Envelope(b.id, a.id, null, true));
        net.pump();
        assertTrue(a.active().isEmpty());
        assertEquals(1, a.state.failedContactCount(TOPIC));
        net.advance(4 * 60_000, 100);
        final long probesInFourMinutes = a.state.stats().contactProbes;
        // Waits of 1, 2, 4, 8, 16 s, then about 32 s: some 10 probes in four minutes, not 240.
        assertTrue(probesInFourMinutes >= 5 && probesInFourMinutes <= 16, "probes " + probesInFourMinutes);
        net.advance(61_000, 100);
        assertEquals(0, a.state.failedContactCount(TOPIC), "forgotten after its retention");
        final long probesAtRetention = a.state.stats().contactProbes;
        net.advance(10 * 60_000, 1000);
        assertEquals(probesAtRetention, a.state.stats().contactProbes, "no probe after the retention");
    }

    @Test
    void aContactThatRefusesTwoProbesInARowIsTakenForCrashedAndForgotten()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(), net.now);
        link(net, a, b);
        // A crash: every message to b comes back as a reset, long before a probe's timeout.
        net.crash(b);
        net.pump();
        assertEquals(1, a.state.failedContactCount(TOPIC));
        net.advance(1_600, 10);
        assertEquals(1, a.state.stats().contactProbes);
        assertEquals(1, a.state.failedContactCount(TOPIC), "one refusal is not enough");
        net.advance(10_000, 10);
        assertEquals(2, a.state.stats().contactProbes);
        assertEquals(0, a.state.failedContactCount(TOPIC), "forgotten after the second refusal");
        net.advance(60_000, 100);
        assertEquals(2, a.state.stats().contactProbes, "never probed again");
    }

    @Test
    void theFailedListIsBoundedWhenManyContactsFail()
    {
        final GossipConfig config = GossipConfig.builder().activeViewCapacity(3).passiveViewCapacity(30)
            .failedContactCapacity(4).build();
        final TestNet net = new TestNet(config);
        final TestNet.Node a = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        final ShuffleReply reply = new ShuffleReply();
        for (int i = 0; i < 12; i++)
        {
            final TestNet.Node silent = net.add();
            silent.state.join(TOPIC, List.of(), net.now);
            reply.contacts().add(silent.id, null);
        }
        net.drop = e -> !e.to().equals(a.id);
        a.state.onMessage(net.nodes.get(1).id, reply.topic(TOPIC), net.now);
        net.pump();
        int most = 0;
        for (int i = 0; i < 100; i++)
        {
            net.advance(100, 10);
            most = Math.max(most, a.state.failedContactCount(TOPIC));
        }
        assertTrue(a.state.stats().neighborRequestTimeouts >= 8, "timeouts " + a.state.stats().neighborRequestTimeouts);
        assertEquals(4, most, "the list holds at most failedContactCapacity contacts");
    }

    @Test
    void aContactThatAnswersItsFirstProbeDoesNotClearTheOthers()
    {
        final TestNet net = new TestNet(small(3, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node lossy = net.add();
        final TestNet.Node cut = net.add();
        startAlone(net);
        link(net, a, lossy);
        link(net, a, cut);
        // Both links are reported down; cut stays unreachable, lossy answers its first probe.
        net.drop = e -> e.from().equals(cut.id) || e.to().equals(cut.id);
        net.queue.add(new TestNet.Envelope(lossy.id, a.id, null, true));
        net.queue.add(new TestNet.Envelope(cut.id, a.id, null, true));
        net.queue.add(new TestNet.Envelope(a.id, lossy.id, null, true));
        net.pump();
        assertEquals(2, a.state.failedContactCount(TOPIC));
        net.advance(3_000, 10);
        assertTrue(a.active().contains(lossy.id) && lossy.active().contains(a.id), "lossy linked again");
        assertEquals(1, a.state.failedContactCount(TOPIC), "cut is still to be probed");
    }

    @Test
    void aFormerlyFailedContactIsAcceptedEvenAtLowPriorityIntoAFullView()
    {
        final TestNet net = new TestNet(small(1, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final TestNet.Node c = net.add();
        startAlone(net);
        link(net, a, b);
        net.queue.add(new TestNet.Envelope(b.id, a.id, null, true));
        net.queue.add(new TestNet.Envelope(a.id, b.id, null, true));
        net.pump();
        link(net, a, c);
        assertEquals(Set.of(c.id), a.active());
        a.state.onMessage(b.id, new Neighbor().set(false, null).topic(TOPIC), net.now);
        net.pump();
        assertEquals(Set.of(b.id), a.active(), "b had failed: its request links even into a full view");
    }

    @Test
    void aPeerThisNodeDroppedItselfIsNotProbedBack()
    {
        final TestNet net = new TestNet(small(2, 10));
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(), net.now);
        link(net, a, b);
        // Bad input or a send queue that stayed full: the node pushed the peer away; it did not vanish.
        a.state.onPeerDropped(b.id, net.now);
        assertFalse(a.active().contains(b.id));
        assertEquals(0, a.state.failedContactCount(TOPIC));
        net.advance(10_000, 10);
        assertEquals(0, a.state.stats().contactProbes);
    }
}
