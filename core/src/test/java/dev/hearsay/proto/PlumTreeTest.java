package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.hearsay.proto.TestNet.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class PlumTreeTest
{
    /** a - b - c in a line (capacity 1 at the ends keeps the topology fixed). */
    private static TestNet line(final int n, final GossipConfig config)
    {
        final TestNet net = new TestNet(config);
        for (int i = 0; i < n; i++)
        {
            final TestNet.Node node = net.add();
            node.state.join(TOPIC, i == 0 ? List.of() : List.of(net.nodes.get(i - 1).id), net.now);
            net.pump();
        }
        return net;
    }

    @Test
    void broadcastReachesEveryoneWithAuthorAndHops()
    {
        final TestNet net = line(12, GossipConfig.builder().activeViewCapacity(3).build());
        final TestNet.Node a = net.nodes.get(0);
        a.broadcast("hello");
        net.pump();
        int maxHops = 0;
        for (int i = 1; i < net.nodes.size(); i++)
        {
            final TestNet.Node n = net.nodes.get(i);
            assertEquals(List.of("hello"), n.payloads(), "node " + i);
            final TestNet.Delivery d = n.deliveries.get(0);
            assertEquals(a.id, d.author());
            assertTrue(n.active().contains(d.from()), "delivered by a non-neighbor");
            // hops counts forwarding steps: 0 straight from the author, else one more than the last hop had.
            final int expected = d.from().equals(a.id) ? 0 : net.node(d.from()).deliveries.get(0).hops() + 1;
            assertEquals(expected, d.hops(), "hops at node " + i);
            maxHops = Math.max(maxHops, d.hops());
        }
        assertTrue(maxHops >= 1, "12 nodes with 3 neighbors each cannot all be one hop from the author");
        assertTrue(a.deliveries.isEmpty(), "the author does not deliver to itself");
    }

    @Test
    void aSlowEagerPeerIsAnnouncedToInsteadAndGraftsWhatItMisses()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        a.slow.add(c.id);
        final int since = net.sent.size();
        final long duplicates = c.state.stats().duplicates;
        a.broadcast("m");
        net.pump();
        assertEquals(List.of(), gossipSent(net, a.id, c.id, since), "no push into the slow link");
        assertEquals(1, gossipSent(net, a.id, b.id, since).size(), "the fast peer gets the push");
        assertTrue(a.state.lazyPeers(TOPIC).contains(c.id), "c is lazy at a");
        assertTrue(net.sent.subList(since, net.sent.size()).stream().anyMatch(e -> e.from().equals(a.id)
            && e.to().equals(c.id) && e.message().type() == MessageType.PRUNE), "a prunes the edge at c's end too");
        assertEquals(1, a.state.stats().slowPeersSpared);
        assertEquals(List.of(), a.waitedFor, "a does not wait for c");
        net.advance(500, 5);
        assertEquals(List.of("warm-up", "m"), c.payloads(), "c grafts the message, once");
        assertEquals(duplicates, c.state.stats().duplicates);
    }

    @Test
    void whenEveryPeerIsSlowThePushGoesAheadAndTheNodeWaitsForThem()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        a.slow.add(b.id);
        a.slow.add(c.id);
        final int since = net.sent.size();
        a.broadcast("m");
        net.pump();
        assertEquals(1, gossipSent(net, a.id, b.id, since).size());
        assertEquals(1, gossipSent(net, a.id, c.id, since).size());
        assertEquals(Set.of(b.id, c.id), Set.copyOf(a.waitedFor));
        assertEquals(0, a.state.stats().slowPeersSpared);
        assertEquals(List.of("warm-up", "m"), b.payloads());
        assertEquals(List.of("warm-up", "m"), c.payloads());
    }

    @Test
    void aRelayDoesNotPushIntoASlowLinkWhileAnotherPeerIsFast()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        // b relays a's messages to c only if c is eager at b: make it so, then make c slow at b.
        b.state.onMessage(c.id, new Graft().setNoId().topic(TOPIC), net.now);
        net.pump();
        assertTrue(b.state.eagerPeers(TOPIC).contains(c.id));
        b.slow.add(c.id);
        final int since = net.sent.size();
        a.broadcast("m");
        net.pump();
        assertEquals(List.of(), gossipSent(net, b.id, c.id, since), "b spares the slow link");
        assertTrue(b.state.lazyPeers(TOPIC).contains(c.id));
        assertEquals(List.of(), b.waitedFor);
        assertEquals(List.of("warm-up", "m"), c.payloads());
    }

    @Test
    void identicalPayloadsAreTwoMessages()
    {
        final TestNet net = line(3, GossipConfig.defaults());
        net.nodes.get(0).broadcast("same");
        net.nodes.get(0).broadcast("same");
        net.pump();
        assertEquals(List.of("same", "same"), net.nodes.get(2).payloads());
        assertEquals(1, net.nodes.get(2).deliveries.get(0).sequence());
        assertEquals(2, net.nodes.get(2).deliveries.get(1).sequence());
    }

    @Test
    void duplicateTriggersPruneAndTreeStabilises()
    {
        // Triangle: every edge starts eager, so the first broadcast reaches someone twice.
        final TestNet net = threeJoined();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        assertEquals(2, a.active().size());
        assertEquals(2, c.active().size());
        a.broadcast("m1");
        net.pump();
        assertEquals(1, b.deliveries.size());
        assertEquals(1, c.deliveries.size());
        final long prunes = net.countSent(MessageType.PRUNE);
        assertTrue(prunes >= 1, "no prune after a duplicate");
        assertTrue(b.state.stats().duplicates + c.state.stats().duplicates >= 1);

        final long gossipBefore = net.countSent(MessageType.GOSSIP);
        a.broadcast("m2");
        net.pump();
        final long gossip = net.countSent(MessageType.GOSSIP) - gossipBefore;
        assertEquals(2, gossip, "after pruning, a broadcast to 2 receivers costs 2 payload messages");
    }

    @Test
    void lostEagerPushIsRecoveredByGraftFromAnnouncer()
    {
        final TestNet net = joinedTriangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        // Now find a tree edge into c and drop the next payload on it.
        final List<NodeId> eagerToC = new ArrayList<>();
        for (final TestNet.Node n : List.of(a, b))
        {
            if (n.state.eagerPeers(TOPIC).contains(c.id))
            {
                eagerToC.add(n.id);
            }
        }
        assertFalse(eagerToC.isEmpty());
        net.drop = e -> e.to().equals(c.id) && e.message().type() == MessageType.GOSSIP
            && new String(((Gossip)e.message()).payloadBytes()).equals("lost");
        a.broadcast("lost");
        net.pump();
        assertFalse(c.payloads().contains("lost"));
        net.drop = e -> false;
        net.advance(200, 5);
        assertTrue(c.payloads().contains("lost"), "graft did not recover the message: " + c.payloads());
        assertTrue(c.state.stats().graftsSent >= 1);
        assertEquals(1, c.payloads().stream().filter("lost"::equals).count(), "delivered twice");
    }

    /** Triangle a, b, c (all neighbors of each other), just joined: every edge still eager. */
    private static TestNet threeJoined()
    {
        return TestNet.threeJoined(GossipConfig.defaults());
    }

    /** {@link #threeJoined()} after one warm-up broadcast from a and 20 ms. */
    private static TestNet joinedTriangle()
    {
        return TestNet.warmTriangle(GossipConfig.defaults());
    }

    /** {@link #joinedTriangle()} whose tree is known: a pushes to b and c, b announces to c. */
    private static TestNet triangle()
    {
        return triangle(GossipConfig.defaults());
    }

    /** {@link #triangle()} with {@code config}. */
    private static TestNet triangle(final GossipConfig config)
    {
        final TestNet net = TestNet.warmTriangle(config);
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        assertTrue(a.state.eagerPeers(TOPIC).containsAll(List.of(b.id, c.id)), "a pushes to b and c");
        assertTrue(b.state.lazyPeers(TOPIC).contains(c.id), "b announces to c");
        return net;
    }

    /** The Gossip messages {@code from} sent to {@code to}, in order, from index {@code since} of the sent log. */
    private static List<Message> gossipSent(final TestNet net, final NodeId from, final NodeId to, final int since)
    {
        final List<Message> out = new ArrayList<>();
        for (final TestNet.Envelope e : net.sent.subList(since, net.sent.size()))
        {
            if (e.from().equals(from) && e.to().equals(to) && e.message().type() == MessageType.GOSSIP)
            {
                out.add(e.message());
            }
        }
        return out;
    }

    /**
     * In a {@link #triangle()}: a broadcasts "x", its eager copy to c is lost, and c's grafts are held back (returned)
     * until just past c's first graft timeout.
     */
    private static List<TestNet.Envelope> broadcastXLosingItsCopyToCAndHoldingCsGrafts(final TestNet net)
    {
        final NodeId a = net.nodes.get(0).id;
        final NodeId c = net.nodes.get(2).id;
        final List<TestNet.Envelope> grafts = new ArrayList<>();
        net.drop = e -> (e.from().equals(a) && e.to().equals(c) && e.message().type() == MessageType.GOSSIP)
            || (e.from().equals(c) && e.message().type() == MessageType.GRAFT && grafts.add(e));
        net.nodes.get(0).broadcast("x");
        net.pump();
        net.advance(100, 5);
        return grafts;
    }

    /** In a {@link #triangle()}: the warm-up's eager copy from a to c, to hand c again as a duplicate. */
    private static Message warmUpCopyFromAToC(final TestNet net)
    {
        final List<Message> copies = gossipSent(net, net.nodes.get(0).id, net.nodes.get(2).id, 0);
        assertFalse(copies.isEmpty(), "no warm-up copy from a to c");
        return copies.get(copies.size() - 1);
    }

    /**
     * a broadcasts {@code count} messages; its eager copies to c are held back (returned, in order) while b's
     * announcements to c go through.
     */
    private static java.util.ArrayDeque<TestNet.Envelope> broadcastHoldingBackEagerCopiesToC(final TestNet net,
        final int count)
    {
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node c = net.nodes.get(2);
        final java.util.ArrayDeque<TestNet.Envelope> delayed = new java.util.ArrayDeque<>();
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message().type() == MessageType.GOSSIP
            && delayed.add(e);
        for (int i = 0; i < count; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        return delayed;
    }

    /** Hands the held-back copies to c one every 6 ms (a stream that never stalls), then lets 300 ms pass. */
    private static void deliverOneEvery6Ms(final TestNet net, final TestNet.Node c,
        final java.util.ArrayDeque<TestNet.Envelope> delayed)
    {
        while (!delayed.isEmpty())
        {
            final TestNet.Envelope e = delayed.poll();
            c.state.onMessage(e.from(), e.message(), net.now);
            net.pump();
            net.advance(6);
        }
        net.advance(300, 5);
    }

    /**
     * The wait for a flowing stream is bounded by what the payload caches hold: once they evict early, a missing
     * sequence waits at most half of what this node's cache spans, since the announcers' caches, about as busy,
     * would no longer hold it when a Graft put off for longer asked for it.
     */
    @Test
    void announcedMessagesOnAFlowingStreamAreGraftedBeforeTheCachesTurnOver()
    {
        // Caches of 8 bytes: two or three of these payloads; on this stream they turn over every 12-18 ms.
        final TestNet net = TestNet.warmTriangle(GossipConfig.builder().payloadCacheBytes(8).build());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        assertTrue(a.state.eagerPeers(TOPIC).contains(c.id) && b.state.lazyPeers(TOPIC).contains(c.id));
        final java.util.ArrayDeque<TestNet.Envelope> delayed = broadcastHoldingBackEagerCopiesToC(net, 20);
        net.advance(10);
        final long graftsBefore = c.state.stats().graftsSent;
        deliverOneEvery6Ms(net, c, delayed);
        assertTrue(c.state.stats().graftsSent > graftsBefore, "waited for the stream past what the caches hold");
        assertEquals(21, c.deliveries.size());
        assertEquals(21, c.payloads().stream().distinct().count(), "delivered twice");
    }

    /**
     * A message whose eager copy is lost on a stream faster than the payload caches span is grafted while the
     * announcers still hold it: the first Graft waits at most half of what this node's cache spans, not the whole
     * first graft timeout, and a Graft put off while the stream flows is looked at again within that too.
     */
    @Test
    void copiesLostOnAStreamFasterThanTheCachesAreGraftedBeforeTheyTurnOver()
    {
        // Caches of 256 bytes: about 40 of these payloads, which a message a millisecond turns over in about 40 ms,
        // half the first graft timeout (80 ms).
        final TestNet net = TestNet.warmTriangle(GossipConfig.builder().payloadCacheBytes(256).build());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node c = net.nodes.get(2);
        assertTrue(a.state.eagerPeers(TOPIC).contains(c.id));
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message() instanceof Gossip g
            && new String(g.payloadBytes()).startsWith("lost");
        // The stream first fills the caches; then every tenth eager copy to c is lost.
        final int count = 260;
        for (int i = 0; i < count; i++)
        {
            a.broadcast((i >= 60 && i % 10 == 5 ? "lost" : "kept") + i);
            net.pump();
            net.advance(1);
        }
        net.advance(300, 1);
        assertEquals(count + 1, c.deliveries.size(), "every message, the warm-up's too");
        assertEquals(count + 1, c.payloads().stream().distinct().count(), "delivered twice");
        assertEquals(0, net.nodes.get(1).state.stats().graftsMissed + a.state.stats().graftsMissed,
            "a Graft asked for what the caches no longer held");
    }

    /**
     * Under load the eager copies trail their announcements by the queues on their path. While the author's stream
     * keeps arriving and has not passed a missing sequence, that sequence is on its way: no graft, so no second
     * copy and no pruned tree edge.
     */
    @Test
    void announcedMessagesTrailingOnAFlowingStreamAreNotGrafted()
    {
        final TestNet net = triangle();
        final TestNet.Node c = net.nodes.get(2);
        final java.util.ArrayDeque<TestNet.Envelope> delayed = broadcastHoldingBackEagerCopiesToC(net, 20);
        net.advance(10);
        assertEquals(1, c.deliveries.size(), "only the warm-up reached c");
        // The eager copies now come in one every 6 ms: the last is 120 ms behind its announcement, past the
        // first graft timeout (80 ms), but the stream never stalls.
        final long graftsBefore = c.state.stats().graftsSent;
        final long duplicatesBefore = c.state.stats().duplicates;
        deliverOneEvery6Ms(net, c, delayed);
        assertEquals(graftsBefore, c.state.stats().graftsSent, "grafted what was on its way");
        assertTrue(c.state.stats().graftsDeferred > 0, "the timers did fall due meanwhile");
        assertEquals(duplicatesBefore, c.state.stats().duplicates);
        assertEquals(21, c.deliveries.size());
        assertTrue(net.nodes.get(0).state.eagerPeers(TOPIC).contains(c.id), "the tree edge a-c was pruned");
    }

    /**
     * a broadcasts {@code 2 * gaps} messages and every other eager copy to c is lost ({@code gaps} one-message gaps:
     * that many runs to graft); once b's announcements have reached c, every Graft c sends is held (collected in the
     * list returned, as it is sent) and none is answered.
     */
    private static List<TestNet.Envelope> broadcastLosingEveryOtherCopyToCAndHoldingCsGrafts(final TestNet net,
        final int gaps)
    {
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node c = net.nodes.get(2);
        final java.util.function.Predicate<TestNet.Envelope> lost = e -> e.from().equals(a.id) && e.to().equals(c.id)
            && e.message() instanceof Gossip g && new String(g.payloadBytes()).startsWith("odd");
        net.drop = lost;
        for (int i = 0; i < gaps; i++)
        {
            a.broadcast("even" + i);
            a.broadcast("odd" + i);
        }
        net.pump();
        net.advance(10);
        final List<TestNet.Envelope> grafts = new ArrayList<>();
        net.drop = e -> lost.test(e) || (e.from().equals(c.id) && e.message().type() == MessageType.GRAFT
            && grafts.add(e));
        return grafts;
    }

    /**
     * After a stall hundreds of gaps can be open at once; each graft is answered with payloads, so a neighbor gets at
     * most {@link PlumTree#MAX_GRAFTS_IN_FLIGHT} of them outstanding and the rest follow as those are answered.
     */
    @Test
    void graftBurstIsPacedPerNeighborAndStillRecoversEverything()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final int gaps = 3 * PlumTree.MAX_GRAFTS_IN_FLIGHT + 10;
        final List<TestNet.Envelope> grafts = broadcastLosingEveryOtherCopyToCAndHoldingCsGrafts(net, gaps);
        // Past the first graft timeout (80 ms after the announcements), before the first retry (40 ms later).
        net.advance(100, 5);
        assertEquals(PlumTree.MAX_GRAFTS_IN_FLIGHT, grafts.size(), "grafts outstanding to b");
        assertTrue(c.state.stats().graftsDeferred >= gaps - PlumTree.MAX_GRAFTS_IN_FLIGHT);
        assertTrue(grafts.stream().allMatch(e -> e.to().equals(b.id)));
        // Answer them: the rest follow, and everything arrives exactly once.
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message() instanceof Gossip g
            && new String(g.payloadBytes()).startsWith("odd");
        for (final TestNet.Envelope g : grafts)
        {
            b.state.onMessage(c.id, g.message(), net.now);
        }
        net.pump();
        net.advance(2_000, 5);
        assertEquals(2 * gaps + 1, c.deliveries.size(), "not everything was grafted");
        assertEquals(2 * gaps + 1, c.payloads().stream().distinct().count());
    }

    /**
     * Gaps whose announcer has {@link PlumTree#MAX_GRAFTS_IN_FLIGHT} Grafts unanswered wait aside, each put off
     * once: not looked at again every graft timeout (under a storm, tens of millions of deferrals), and grafted as
     * soon as the announcer's earlier Grafts are given up.
     */
    @Test
    void messagesWaitingForAGraftSlotArePutOffOnceAndGraftedWhenOneFrees()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final int gaps = 3 * PlumTree.MAX_GRAFTS_IN_FLIGHT + 10;
        final List<TestNet.Envelope> grafts = broadcastLosingEveryOtherCopyToCAndHoldingCsGrafts(net, gaps);
        // Past the first graft timeout (80 ms after the announcements): 64 grafts out, the rest wait.
        net.advance(100, 5);
        assertEquals(PlumTree.MAX_GRAFTS_IN_FLIGHT, grafts.size());
        final long waiting = gaps - PlumTree.MAX_GRAFTS_IN_FLIGHT;
        assertEquals(waiting, c.state.stats().graftsDeferred, "each waiting gap put off once");
        // Past the retry timers of the 64 unanswered grafts (40 ms after them): b was their only announcer, so they
        // are given up, and the next 64 go out at once. None of those waiting was put off again meanwhile.
        net.advance(35, 1);
        assertEquals(2 * PlumTree.MAX_GRAFTS_IN_FLIGHT, grafts.size(), "the freed slots were used");
        assertEquals(waiting, c.state.stats().graftsDeferred, "waiting gaps were looked at again");
        // From here every graft is answered: everything arrives, exactly once.
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message() instanceof Gossip g
            && new String(g.payloadBytes()).startsWith("odd");
        for (final TestNet.Envelope g : grafts.subList(PlumTree.MAX_GRAFTS_IN_FLIGHT, grafts.size()))
        {
            b.state.onMessage(c.id, g.message(), net.now);
        }
        net.pump();
        net.advance(2_000, 5);
        assertEquals(1 + gaps + gaps - PlumTree.MAX_GRAFTS_IN_FLIGHT, c.deliveries.size(),
            "the warm-up, the even ones and every odd one not given up");
    }

    /**
     * The copies a peer queued before our Prune reached it arrive as duplicates too: they send no further Prune
     * (under overload one per queued copy, hundreds of thousands) for {@link PlumTree#PRUNE_REPEAT_NANOS}.
     */
    @Test
    void duplicatesQueuedBeforeAPruneSendNoFurtherPrunes()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        // Past the hold of the Prune c sent b while the tree formed.
        net.advance(PlumTree.MAX_REPAIR_HOLD_NANOS / 1_000_000 + 10, 10);
        final int sentBefore = net.sent.size();
        for (int i = 0; i < 10; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        final List<Message> copies = gossipSent(net, a.id, c.id, sentBefore);
        assertEquals(10, copies.size());
        final long prunes = c.state.stats().prunesSent;
        final long duplicates = c.state.stats().duplicates;
        // b pushed these before it took c's Prune (as if its edge to c had been eager): all are duplicates at c.
        for (final Message copy : copies)
        {
            c.state.onMessage(b.id, copy, net.now);
        }
        assertEquals(duplicates + 10, c.state.stats().duplicates);
        assertEquals(prunes + 1, c.state.stats().prunesSent, "one Prune, not one per queued copy");
        assertTrue(c.state.lazyPeers(TOPIC).contains(b.id));
        net.advance(PlumTree.PRUNE_REPEAT_NANOS / 1_000_000 - 1);
        c.state.onMessage(b.id, copies.get(0), net.now);
        assertEquals(prunes + 1, c.state.stats().prunesSent, "still within the quiet");
        // Past it a duplicate prunes again: the peer never took the first Prune, or turned the edge eager again.
        net.advance(2);
        c.state.onMessage(b.id, copies.get(0), net.now);
        assertEquals(prunes + 2, c.state.stats().prunesSent);
    }

    /**
     * Once the overlay had time to settle after a neighbor failed, the next message goes over every link, lazy ones
     * too, so that its first copies rebuild the tree; only once per burst of failures.
     */
    @Test
    void afterANeighborFailedTheFirstMessageOnceTheOverlaySettledGoesOverEveryLinkOnce()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        // Past the repair-push window: the failure leaves the last message alone.
        net.advance(PlumTree.REPAIR_PUSH_WINDOW_NANOS / 1_000_000 + 10, 10);
        net.crash(a);
        net.pump();
        assertTrue(b.state.lazyPeers(TOPIC).contains(c.id), "b still announces to c");
        net.advance(TreeRebuild.MIN_SETTLE_NANOS / 1_000_000 + 1);
        final int since = net.sent.size();
        b.broadcast("y");
        assertEquals(1, gossipSent(net, b.id, c.id, since).size(), "y pushed over the lazy link at once");
        assertEquals(1, b.state.stats().treeRebuilds);
        assertTrue(b.state.eagerPeers(TOPIC).contains(c.id), "the link turned eager");
        net.pump();
        assertEquals(List.of("warm-up", "y"), c.payloads());
        assertEquals(0, c.state.stats().graftsSent, "c had it without a graft");

        final int later = net.sent.size();
        c.broadcast("z");
        net.pump();
        assertEquals(1, c.state.stats().treeRebuilds, "c lost a too: its first message rebuilds");
        b.broadcast("w");
        net.pump();
        assertEquals(1, b.state.stats().treeRebuilds, "once per burst of failures");
        assertEquals(List.of("warm-up", "y", "w"), c.payloads());
        assertEquals(List.of("warm-up", "z"), b.payloads());
        assertEquals(0, prunesSent(net, b.id, c.id, later) + prunesSent(net, c.id, b.id, later),
            "each took the other's first copy: nothing to prune");
    }

    /** A neighbor swapped for another (alive), or repairPush off: no rebuild. */
    @Test
    void aNeighborEvictedAliveOrRepairPushOffRebuildsNothing()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        net.advance(PlumTree.REPAIR_PUSH_WINDOW_NANOS / 1_000_000 + 10, 10);
        b.state.onMessage(a.id, new Disconnect().set(true).topic(TOPIC), net.now);
        net.advance(TreeRebuild.MIN_SETTLE_NANOS / 1_000_000 + 1);
        final int since = net.sent.size();
        b.broadcast("y");
        assertEquals(0, gossipSent(net, b.id, c.id, since).size(), "announced, not pushed");
        assertEquals(0, b.state.stats().treeRebuilds);

        final TestNet off = triangle(GossipConfig.builder().repairPush(false).build());
        final TestNet.Node b2 = off.nodes.get(1);
        final TestNet.Node c2 = off.nodes.get(2);
        off.advance(PlumTree.REPAIR_PUSH_WINDOW_NANOS / 1_000_000 + 10, 10);
        off.crash(off.nodes.get(0));
        off.pump();
        off.advance(TreeRebuild.MIN_SETTLE_NANOS / 1_000_000 + 1);
        final int offSince = off.sent.size();
        b2.broadcast("y");
        assertEquals(0, gossipSent(off, b2.id, c2.id, offSince).size(), "repairPush off");
        assertEquals(0, b2.state.stats().treeRebuilds);
    }

    /**
     * A Graft to the only announcer whose answer is slower than the retry timer: the run is given up, and the copy
     * that then arrives by the tree is not pushed to that announcer (it has the message; its duplicate would prune
     * the edge the Graft turned eager, and every later message would need the same Graft again).
     */
    @Test
    void aMessageIsNotPushedToAnAnnouncerWhoseGraftIsUnansweredAfterTheRunWasGivenUp()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final List<TestNet.Envelope> held = new ArrayList<>();
        net.drop = e -> e.message().type() == MessageType.GOSSIP && e.to().equals(c.id) && held.add(e);
        final long grafts = c.state.stats().graftsSent;
        a.broadcast("x");
        net.pump();
        net.advance(1_000, 5);
        assertEquals(grafts + 1, c.state.stats().graftsSent, "c grafted x from b, its only announcer");
        assertEquals(0, c.state.missingRuns(TOPIC), "and gave the run up, unanswered");
        assertEquals(2, held.size(), "a's copy and b's answer, both still on their way");
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id), "the Graft turned b eager");
        net.drop = e -> false;
        final int since = net.sent.size();
        final TestNet.Envelope fromA = held.stream().filter(e -> e.from().equals(a.id)).findFirst().orElseThrow();
        c.state.onMessage(fromA.from(), fromA.message(), net.now);
        net.pump();
        assertEquals(List.of("warm-up", "x"), c.payloads());
        assertEquals(0, gossipSent(net, c.id, b.id, since).size(), "not pushed back to b");
        final TestNet.Envelope answer = held.stream().filter(e -> e.from().equals(b.id)).findFirst().orElseThrow();
        c.state.onMessage(answer.from(), answer.message(), net.now);
        net.pump();
        assertEquals(List.of("warm-up", "x"), c.payloads(), "the answer is a duplicate");
        assertEquals(0, prunesSent(net, c.id, b.id, since) + prunesSent(net, b.id, c.id, since), "no edge pruned");
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id));
    }

    /** Repair copies {@code from} sent {@code to} from index {@code since} of the sent log. */
    private static long repairCopiesSent(final TestNet net, final NodeId from, final NodeId to, final int since)
    {
        return gossipSent(net, from, to, since).stream().filter(m -> ((Gossip)m).repair()).count();
    }

    private static long prunesSent(final TestNet net, final NodeId from, final NodeId to, final int since)
    {
        return net.sent.subList(since, net.sent.size()).stream().filter(e -> e.from().equals(from)
            && e.to().equals(to) && e.message().type() == MessageType.PRUNE).count();
    }

    /**
     * A tree edge lost right after a message: the message is pushed at once, marked as a repair copy, over the
     * links it would otherwise cross only by announcement and graft, and those links turn eager.
     */
    @Test
    void aTreeEdgeLostRightAfterAMessageRepairPushesItToTheLazyNeighbors()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        b.broadcast("m");
        net.pump();
        assertEquals(List.of("warm-up", "m"), c.payloads());
        assertTrue(b.state.lazyPeers(TOPIC).contains(c.id), "b announces to c");
        final int since = net.sent.size();
        final long duplicates = c.state.stats().duplicates;
        net.crash(a);
        net.pump();
        assertEquals(1, repairCopiesSent(net, b.id, c.id, since), "b pushes its last message to c at once");
        assertEquals(1, b.state.stats().repairPushes);
        assertTrue(b.state.eagerPeers(TOPIC).contains(c.id), "the link it pushed over turns eager");
        assertEquals(duplicates + 1, c.state.stats().duplicates, "c had it: a duplicate");
        assertEquals(0, prunesSent(net, c.id, b.id, since), "a repair copy prunes nothing");
        assertEquals(List.of("warm-up", "m"), c.payloads(), "delivered once");
    }

    @Test
    void onlyARecentMessageIsRepairPushedAndOnlyWhenTheNeighborFailedOrLeft()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        b.broadcast("m");
        net.pump();
        // Evicted (alive), not lost: the tree edge is swapped, not broken.
        b.state.onMessage(a.id, new Disconnect().set(true).topic(TOPIC), net.now);
        assertEquals(0, b.state.stats().repairPushes);

        final TestNet off = triangle(GossipConfig.builder().repairPush(false).build());
        final TestNet.Node b3 = off.nodes.get(1);
        b3.broadcast("m");
        off.pump();
        off.crash(off.nodes.get(0));
        off.pump();
        assertEquals(0, b3.state.stats().repairPushes, "repairPush off");

        final TestNet later = triangle();
        final TestNet.Node b2 = later.nodes.get(1);
        b2.broadcast("m");
        later.pump();
        later.advance(PlumTree.REPAIR_PUSH_WINDOW_NANOS / 1_000_000 + 10, 10);
        later.crash(later.nodes.get(0));
        later.pump();
        assertEquals(0, b2.state.stats().repairPushes, "a message older than the window has long spread");
    }

    /**
     * A node that gets a repair copy first passes it on the same way, to every neighbor but the sender and the
     * holders: in a part of the tree that a failure cut off the repair spreads as a flood, not link by link.
     */
    @Test
    void aRepairCopyThatIsNewIsPassedOnAsARepairCopyToEveryNeighbor()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        net.drop = e -> e.from().equals(a.id) && e.message().type() == MessageType.GOSSIP;
        final int since = net.sent.size();
        a.broadcast("x");
        net.pump();
        net.drop = e -> false;
        final Gossip lost = (Gossip)gossipSent(net, a.id, b.id, since).get(0);
        final Gossip repair = lost.copy().repair(true);
        final int before = net.sent.size();
        b.state.onMessage(a.id, repair, net.now);
        assertEquals(List.of("warm-up", "x"), b.payloads());
        assertEquals(1, repairCopiesSent(net, b.id, c.id, before), "b passes it on to c, lazy until now");
        assertTrue(b.state.eagerPeers(TOPIC).contains(c.id));
        net.pump();
        assertEquals(List.of("warm-up", "x"), c.payloads(), "c, cut off from a, has it through b");
        assertEquals(0, repairCopiesSent(net, c.id, a.id, before), "not back to its author");
    }

    /**
     * A peer that repair-pushed to this node made the link eager after any Prune this node had sent it: its next
     * duplicate prunes again, instead of being taken for a copy queued before that Prune.
     */
    @Test
    void aDuplicateAfterARepairCopyPrunesEvenRightAfterAPrune()
    {
        final TestNet net = triangle();
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final Gossip warmUp = (Gossip)warmUpCopyFromAToC(net);
        final long prunes = c.state.stats().prunesSent;
        // Within the hold of the Prune c sent b while the tree formed: a duplicate from b prunes nothing.
        c.state.onMessage(b.id, warmUp, net.now);
        assertEquals(prunes, c.state.stats().prunesSent);
        c.state.onMessage(b.id, warmUp.copy().repair(true), net.now);
        assertEquals(prunes, c.state.stats().prunesSent, "a repair copy prunes nothing");
        c.state.onMessage(b.id, warmUp, net.now);
        assertEquals(prunes + 1, c.state.stats().prunesSent, "the next duplicate from b prunes");
    }

    /**
     * A Graft crosses the copies its peer queued before taking it: those arrive as duplicates and must not prune
     * the edge the Graft just asked for (with deep queues no graft ever held, and the tree churned for good). The
     * Graft's answer ends that: later duplicates prune as usual.
     */
    @Test
    void duplicatesQueuedBeforeAGraftDoNotPruneTheGraftedEdge()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final Message warmUp = warmUpCopyFromAToC(net);
        final List<TestNet.Envelope> grafts = broadcastXLosingItsCopyToCAndHoldingCsGrafts(net);
        assertEquals(1, grafts.size(), "c grafts x from its announcer b");
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id));
        final long prunes = c.state.stats().prunesSent;
        // A copy b queued before it took the Graft.
        c.state.onMessage(b.id, warmUp, net.now);
        assertEquals(prunes, c.state.stats().prunesSent, "pruned the edge it just grafted");
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id));
        // b takes the Graft and answers it.
        net.drop = e -> false;
        b.state.onMessage(c.id, grafts.get(0).message(), net.now);
        net.pump();
        assertEquals(List.of("warm-up", "x"), c.payloads());
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id) && b.state.eagerPeers(TOPIC).contains(c.id));
        // Everything b sends now left after the Graft: a duplicate prunes again.
        c.state.onMessage(b.id, warmUp, net.now);
        assertEquals(prunes + 1, c.state.stats().prunesSent);
        assertTrue(c.state.lazyPeers(TOPIC).contains(b.id));
    }

    /**
     * Only a graft that turns an edge eager keeps the peer's duplicates from pruning it: grafts to a peer already
     * eager change nothing about the edge, and renewing the quiet with each of them kept two eager parents under
     * sustained overload.
     */
    @Test
    void aGraftToAnEagerPeerDoesNotStopItsDuplicatesFromPruningIt()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final Message warmUp = warmUpCopyFromAToC(net);
        net.advance(PlumTree.MAX_REPAIR_HOLD_NANOS / 1_000_000 + 10, 10);
        // c pushes to b again (b asked for it), while b still only announces to c.
        c.state.onMessage(b.id, new Graft().setNoId().topic(TOPIC), net.now);
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id));
        final List<TestNet.Envelope> grafts = broadcastXLosingItsCopyToCAndHoldingCsGrafts(net);
        assertEquals(1, grafts.size(), "c grafts x from b");
        final long prunes = c.state.stats().prunesSent;
        c.state.onMessage(b.id, warmUp, net.now);
        assertEquals(prunes + 1, c.state.stats().prunesSent, "a duplicate from an eager peer prunes it");
    }

    /**
     * A message that reached c by another path than its author's push is not pushed back to the author: it has the
     * message, and the duplicate would prune the author's edge to c, the only one a single publisher's stream uses.
     */
    @Test
    void aMessageIsNeverPushedBackToItsAuthor()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        // c lost a's copy of x, grafted it from b and got it from b: a's edge to c is still eager on both sides.
        final long aDuplicates = a.state.stats().duplicates;
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message().type() == MessageType.GOSSIP;
        a.broadcast("x");
        net.pump();
        net.advance(200, 5);
        assertEquals(List.of("warm-up", "x"), c.payloads());
        assertTrue(c.state.eagerPeers(TOPIC).contains(a.id) && c.state.eagerPeers(TOPIC).contains(b.id));
        assertEquals(aDuplicates, a.state.stats().duplicates, "c pushed x back to its author");
        assertTrue(a.state.eagerPeers(TOPIC).contains(c.id), "the author's edge to c was pruned");
    }

    /**
     * A node that fell behind gets its messages after its neighbors announced them: it does not push them to those
     * neighbors (they have them; each copy would arrive as a duplicate and prune the edge).
     */
    @Test
    void aMessageIsNotPushedToANeighborThatAnnouncedIt()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final java.util.ArrayDeque<TestNet.Envelope> delayed = broadcastHoldingBackEagerCopiesToC(net, 5);
        net.advance(10);
        // c pushes to b again (b asked for it, for some other reason).
        c.state.onMessage(b.id, new Graft().setNoId().topic(TOPIC), net.now);
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id));
        final int sentBefore = net.sent.size();
        final long bDuplicates = b.state.stats().duplicates;
        while (!delayed.isEmpty())
        {
            final TestNet.Envelope e = delayed.poll();
            c.state.onMessage(e.from(), e.message(), net.now);
        }
        net.pump();
        assertEquals(6, c.deliveries.size());
        for (final TestNet.Envelope e : net.sent.subList(sentBefore, net.sent.size()))
        {
            assertFalse(e.from().equals(c.id) && e.message().type() == MessageType.GOSSIP,
                "c pushed an announced message to " + (e.to().equals(b.id) ? "b" : "a"));
        }
        assertEquals(bDuplicates, b.state.stats().duplicates);
        assertTrue(c.state.eagerPeers(TOPIC).contains(b.id), "b pruned c");
    }

    /**
     * A graft whose retry timer ran out stops counting against its peer's pacing, even if its entry is then put
     * off. Two announcers b and c, each the first to announce half of d's gaps (every other message of a's is lost on
     * its way to d, so each gap is a run of one): d grafts 64 from each,
     * none is answered, and every retry finds the other announcer at its limit. Counted until answered, the grafts
     * held both at the limit for good (a deadlock seen in the bench as tens of millions of deferrals).
     */
    @Test
    void timedOutGraftsStopCountingAgainstThePacing()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final List<TestNet.Node> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            nodes.add(net.add());
        }
        final TestNet.Node a = nodes.get(0);
        a.state.join(TOPIC, List.of(), net.now);
        for (int i = 1; i < 4; i++)
        {
            nodes.get(i).state.join(TOPIC, List.of(a.id), net.now);
            net.pump();
        }
        net.advance(10);
        a.broadcast("warm-up");
        net.pump();
        net.advance(20);
        TestNet.Node d = null;
        final List<TestNet.Node> announcers = new ArrayList<>();
        for (final TestNet.Node n : nodes.subList(1, 4))
        {
            final List<TestNet.Node> its = new ArrayList<>();
            for (final TestNet.Node other : nodes.subList(1, 4))
            {
                if (other != n && other.state.lazyPeers(TOPIC).contains(n.id))
                {
                    its.add(other);
                }
            }
            if (a.state.eagerPeers(TOPIC).contains(n.id) && its.size() == 2)
            {
                d = n;
                announcers.addAll(its);
            }
        }
        assertTrue(d != null, "no receiver with two announcers in this tree");
        final NodeId dId = d.id;
        final int half = PlumTree.MAX_GRAFTS_IN_FLIGHT + 16;
        final List<TestNet.Envelope> held = new ArrayList<>();
        // d never gets a's eager copies, nor an answer to its grafts; announcements to d are held and handed over
        // in a chosen order: b first for the first half, c first for the second.
        net.drop = e -> (e.from().equals(a.id) && e.to().equals(dId) && e.message() instanceof Gossip g
                && new String(g.payloadBytes()).contains("odd"))
            || (e.from().equals(dId) && e.message().type() == MessageType.GRAFT)
            || (e.to().equals(dId) && e.message().type() == MessageType.IHAVE && held.add(e));
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < half; i++)
            {
                a.broadcast("r" + round + "even" + i);
                a.broadcast("r" + round + "odd" + i);
            }
            net.pump();
            net.advance(10, 5);
            final NodeId first = announcers.get(round).id;
            for (final boolean firstPass : new boolean[] {true, false})
            {
                for (final TestNet.Envelope e : held)
                {
                    if (e.from().equals(first) == firstPass)
                    {
                        d.state.onMessage(e.from(), e.message(), net.now);
                    }
                }
            }
            held.clear();
            net.pump();
        }
        // Past the first graft timeout of both halves (80 ms after their announcements, 10 ms apart), before the
        // first retries (40 ms later): 64 outstanding to each announcer.
        net.advance(85, 5);
        assertEquals(2L * PlumTree.MAX_GRAFTS_IN_FLIGHT, d.state.stats().graftsSent, "paced");
        net.advance(3 * PlumTree.MAX_REPAIR_HOLD_NANOS / 1_000_000, 5);
        // Every gap was asked of both announcers (none answered): nothing stayed stuck behind the limit.
        assertEquals(4L * half, d.state.stats().graftsSent, "grafts of " + 2 * half + " gaps to 2 announcers");
    }

    /** A stream that stops short of announced sequences (its tree edge broke) gets them grafted. */
    @Test
    void announcedMessagesAfterAStalledStreamAreGrafted()
    {
        final TestNet net = triangle();
        final TestNet.Node c = net.nodes.get(2);
        final java.util.ArrayDeque<TestNet.Envelope> delayed = broadcastHoldingBackEagerCopiesToC(net, 20);
        final long duplicatesBefore = c.state.stats().duplicates;
        // Five arrive, the other fifteen never do.
        for (int i = 0; i < 5; i++)
        {
            final TestNet.Envelope e = delayed.poll();
            c.state.onMessage(e.from(), e.message(), net.now);
        }
        net.pump();
        net.advance(400, 5);
        assertEquals(21, c.deliveries.size(), "the stalled stream's rest was not grafted: " + c.payloads());
        assertTrue(c.state.stats().graftsSent >= 1);
        assertEquals(duplicatesBefore, c.state.stats().duplicates);
    }

    /** A stream that skips past an announced sequence will not bring it: graft at the timeout, no waiting. */
    @Test
    void announcedMessageSkippedByTheStreamIsGraftedAtTheTimeout()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node c = net.nodes.get(2);
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message().type() == MessageType.GOSSIP
            && new String(((Gossip)e.message()).payloadBytes()).equals("lost");
        a.broadcast("lost");
        final long announced = net.now;
        net.pump();
        long graftedAt = -1;
        // The stream goes on (one message every 5 ms, so it never stalls) past the lost sequence.
        for (int i = 0; i < 40 && graftedAt < 0; i++)
        {
            a.broadcast("after" + i);
            net.pump();
            net.advance(5);
            if (c.payloads().contains("lost"))
            {
                graftedAt = net.now;
            }
        }
        assertTrue(graftedAt > 0, "never grafted");
        assertTrue(graftedAt - announced <= 100_000_000L, "graft put off: " + (graftedAt - announced) / 1_000_000 + " ms");
    }

    @Test
    void graftAfterCacheRetentionFindsNothing()
    {
        final GossipConfig config = GossipConfig.builder()
            .messageCacheRetention(Duration.ofMillis(100)).cacheEvictInterval(Duration.ofMillis(10)).build();
        final TestNet net = line(2, config);
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        a.broadcast("old");
        net.pump();
        final TestNet.Delivery d = b.deliveries.get(0);
        final Graft early = new Graft().set(a.id, 1, d.sequence(), 0);
        a.state.onMessage(b.id, early.topic(TOPIC), net.now);
        net.pump();
        assertEquals(1, a.state.stats().graftsAnswered);
        net.advance(300, 10);
        a.state.onMessage(b.id, early.topic(TOPIC), net.now);
        net.pump();
        assertEquals(1, a.state.stats().graftsMissed, "payload still cached after its retention");
    }

    @Test
    void broadcastBeforeFirstNeighborIsHeldThenSent()
    {
        final GossipConfig config = GossipConfig.builder().pendingBroadcastCapacity(2).build();
        final TestNet net = new TestNet(config);
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        final byte[] p = "early".getBytes();
        assertEquals(ProtocolState.HELD, a.state.broadcast(TOPIC, new UnsafeBuffer(p), 0, p.length, false, net.now));
        assertEquals(ProtocolState.HELD, a.state.broadcast(TOPIC, new UnsafeBuffer(p), 0, p.length, false, net.now));
        assertEquals(ProtocolState.REJECTED_HOLD_FULL,
            a.state.broadcast(TOPIC, new UnsafeBuffer(p), 0, p.length, false, net.now));
        assertEquals(1, a.state.stats().heldRejected);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertEquals(List.of("early", "early"), b.payloads());
        assertEquals(0, a.state.heldBroadcasts(TOPIC));
    }

    @Test
    void neighborsScopeIsNeverForwarded()
    {
        final TestNet net = line(3, GossipConfig.builder().activeViewCapacity(2).build());
        final TestNet.Node b = net.nodes.get(1);
        final byte[] p = "local".getBytes();
        b.state.broadcast(TOPIC, new UnsafeBuffer(p), 0, p.length, true, net.now);
        net.pump();
        net.advance(100, 5);
        assertEquals(List.of("local"), net.nodes.get(0).payloads());
        assertEquals(List.of("local"), net.nodes.get(2).payloads());
        assertTrue(net.nodes.get(0).deliveries.get(0).neighborsOnly());
        assertEquals(0, net.countSent(MessageType.IHAVE), "neighbors-only messages are not announced");
    }

    @Test
    void longerEagerPathIsOptimisedAway()
    {
        final GossipConfig config = GossipConfig.builder().optimizationThreshold(2).build();
        final TestNet net = new TestNet(config);
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        // An IHave from a advertises hop 0 before a gossip arrives from a long path (hops 5) via a.
        final IHave ihave = new IHave();
        final NodeId author = NodeId.fromBytes(new byte[32]);
        ihave.add(author, 7, 1, 0);
        b.state.onMessage(a.id, ihave.topic(TOPIC), net.now);
        // Pretend a third node c delivers it with 5 hops: c must be a neighbor of b for the swap.
        final TestNet.Node c = net.add();
        c.state.join(TOPIC, List.of(b.id), net.now);
        net.pump();
        final Gossip g = new Gossip().set(author, 7, 1, 5, false);
        g.payload(new UnsafeBuffer(new byte[]{1}), 0, 1);
        b.state.onMessage(c.id, g.topic(TOPIC), net.now);
        assertEquals(1, b.state.stats().optimizations);
        assertTrue(b.state.eagerPeers(TOPIC).contains(a.id));
        assertTrue(b.state.lazyPeers(TOPIC).contains(c.id));
    }

    @Test
    void sameSeedSameOutputs()
    {
        final List<String> first = run();
        final List<String> second = run();
        assertEquals(first, second);
        assertTrue(first.size() > 100);
    }

    private static List<String> run()
    {
        final TestNet net = new TestNet(GossipConfig.builder().shuffleInterval(Duration.ofMillis(500)).build());
        for (int i = 0; i < 25; i++)
        {
            final TestNet.Node n = net.add();
            n.state.join(TOPIC, i == 0 ? List.of() : List.of(net.nodes.get(i / 2).id), net.now);
            net.pump();
        }
        net.advance(1_000, 10);
        net.nodes.get(3).broadcast("x");
        net.advance(500, 5);
        final List<String> trace = new ArrayList<>();
        for (final TestNet.Envelope e : net.sent)
        {
            trace.add(e.from().shortString() + ">" + e.to().shortString() + ":" + e.message());
        }
        return trace;
    }

    /**
     * A new link starts lazy at an end whose tree is whole, and eager on both ends when one end's tree may be broken:
     * it has received nothing yet, or it lost an eager neighbor and received nothing since.
     */
    @Test
    void aNewNeighborIsAskedForEagerPushOnlyWhereTheTreeMayBeBroken()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);

        // d has received nothing: it asks each new neighbor to push. b and c, fed by a's warm-up, ask nothing (a,
        // which has received nothing either, would).
        int since = net.sent.size();
        final long[] before = {b.state.stats().treeLinksRequested, c.state.stats().treeLinksRequested};
        final TestNet.Node d = net.add();
        d.state.join(TOPIC, List.of(b.id), net.now);
        net.pump();
        assertTrue(d.active().contains(b.id));
        for (final NodeId peer : d.active())
        {
            assertEquals(1, graftsWithoutId(net, d.id, peer, since), "d asks " + peer.shortString());
            assertTrue(net.node(peer).state.eagerPeers(TOPIC).contains(d.id), "pushes to d");
            assertTrue(d.state.eagerPeers(TOPIC).contains(peer), "d pushes to it");
        }
        assertEquals(0, graftsWithoutId(net, b.id, d.id, since), "b asks nothing");
        assertEquals(0, graftsWithoutId(net, c.id, d.id, since), "c asks nothing");
        assertEquals(d.active().size(), d.state.stats().treeLinksRequested);
        assertEquals(before[0], b.state.stats().treeLinksRequested);
        assertEquals(before[1], c.state.stats().treeLinksRequested);

        // Once fed, d's tree is whole; then its tree edge to a breaks, and its next new neighbor is asked to push.
        a.broadcast("feeds d");
        net.pump();
        net.advance(20);
        assertEquals(List.of("feeds d"), d.payloads());
        final NodeId parent = d.deliveries.get(0).from();
        assertTrue(d.state.eagerPeers(TOPIC).contains(parent), "d's parent is eager");
        net.crash(net.node(parent));
        net.pump();
        since = net.sent.size();
        final long asked = d.state.stats().treeLinksRequested;
        final TestNet.Node e = net.add();
        e.state.join(TOPIC, List.of(d.id), net.now);
        net.pump();
        assertTrue(d.active().contains(e.id));
        assertEquals(1, graftsWithoutId(net, d.id, e.id, since), "d, cut from its parent, asks e to push");
        assertEquals(asked + 1, d.state.stats().treeLinksRequested);
    }

    /** Grafts without id (requests for eager push) {@code from} sent to {@code to} from index {@code since}. */
    private static int graftsWithoutId(final TestNet net, final NodeId from, final NodeId to, final int since)
    {
        int count = 0;
        for (final TestNet.Envelope e : net.sent.subList(since, net.sent.size()))
        {
            if (e.from().equals(from) && e.to().equals(to) && e.message() instanceof Graft g && !g.hasId())
            {
                count++;
            }
        }
        return count;
    }

    @Test
    void newNeighborCatchesUpOnRecentMessages()
    {
        final TestNet net = line(2, GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        a.broadcast("before-c");
        net.pump();
        final TestNet.Node c = net.add();
        c.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertTrue(c.payloads().isEmpty());
        net.advance(200, 5);
        assertEquals(List.of("before-c"), c.payloads(), "a late neighbor did not catch up");
        assertEquals(1, c.state.stats().graftsSent);
    }

    @Test
    void catchUpIsBoundedByItsWindow()
    {
        final GossipConfig config = GossipConfig.builder().neighborCatchUpWindow(Duration.ofMillis(100)).build();
        final TestNet net = line(2, config);
        final TestNet.Node a = net.nodes.get(0);
        a.broadcast("old");
        net.pump();
        net.advance(500, 50);
        a.broadcast("recent");
        net.pump();
        final TestNet.Node c = net.add();
        c.state.join(TOPIC, List.of(a.id), net.now);
        net.advance(300, 5);
        assertEquals(List.of("recent"), c.payloads());
    }

    @Test
    void peerTurnedEagerBeforeTheFlushStillGetsTheAnnouncement()
    {
        final TestNet net = line(3, GossipConfig.builder().activeViewCapacity(2).build());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        assertTrue(b.active().contains(c.id) && b.active().contains(a.id));
        // c tells b it wants no eager pushes: b now announces to c lazily.
        b.state.onMessage(c.id, new Prune().topic(TOPIC), net.now);
        assertTrue(b.state.lazyPeers(TOPIC).contains(c.id));
        net.drop = e -> e.to().equals(c.id) && !e.from().equals(b.id);
        a.broadcast("m");
        net.pump();
        // Before b's IHave flush, c grafts the edge back (for another reason): c turns eager at b.
        b.state.onMessage(c.id, new Graft().setNoId().topic(TOPIC), net.now);
        assertTrue(b.state.eagerPeers(TOPIC).contains(c.id));
        net.advance(300, 5);
        assertEquals(List.of("m"), c.payloads(), "c got neither the push nor the announcement");
    }

    /** The IHave messages {@code from} sent to {@code to} from index {@code since} of the sent log. */
    private static List<IHave> ihavesSent(final TestNet net, final NodeId from, final NodeId to, final int since)
    {
        final List<IHave> out = new ArrayList<>();
        for (final TestNet.Envelope e : net.sent.subList(since, net.sent.size()))
        {
            if (e.from().equals(from) && e.to().equals(to) && e.message().type() == MessageType.IHAVE)
            {
                out.add((IHave)e.message());
            }
        }
        return out;
    }

    private static long sequenceOf(final TestNet.Node receiver, final String payload)
    {
        return receiver.deliveries.stream().filter(d -> new String(d.payload()).equals(payload)).findFirst()
            .orElseThrow(() -> new AssertionError("never delivered: " + payload)).sequence();
    }

    @Test
    void aStreamIsAnnouncedToALazyPeerAsOneRunPerFlush()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final int since = net.sent.size();
        final long grafts = c.state.stats().graftsSent;
        for (int i = 0; i < 100; i++)
        {
            a.broadcast("s" + i);
        }
        net.pump();
        net.advance(10, 1);
        net.advance(300, 5);
        assertEquals(grafts, c.state.stats().graftsSent, "c had them all: the run asks for nothing");
        final List<IHave> announced = ihavesSent(net, b.id, c.id, since);
        assertEquals(1, announced.size(), "one flush, one IHave");
        final IHave ihave = announced.get(0);
        assertEquals(1, ihave.size(), "one run: " + ihave);
        assertEquals(100, ihave.idCount());
        assertEquals(a.id, ihave.author(0));
        assertEquals(sequenceOf(b, "s0"), ihave.firstSequence(0));
        assertEquals(sequenceOf(b, "s99"), ihave.firstSequence(0) + 99);
        assertEquals(1, ihave.hops(0), "b got them one hop from a");
    }

    /**
     * The IHave queue grows like the repair tables: doubling while small, then in one step to its bound, so that a
     * busy topic's announcements allocate once (a run per message when a stream arrives with gaps).
     */
    @Test
    void theIHaveQueueJumpsToItsBoundOnceItHoldsAThousandRuns()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        // Every other message of a's stream reaches b: each one b announces to c is a run of its own.
        net.drop = e -> e.from().equals(a.id) && e.to().equals(b.id) && e.message().type() == MessageType.GOSSIP
            && Integer.parseInt(new String(((Gossip)e.message()).payloadBytes()).substring(1)) % 2 == 1;
        final int runs = Growth.KNEE + 100;
        for (int i = 0; i < 2 * runs; i++)
        {
            a.broadcast("s" + i);
        }
        net.pump();
        assertEquals(GossipConfig.defaults().lazyQueueCapacity(), b.state.lazyQueueLength(TOPIC),
            "from the knee straight to the bound");
    }

    @Test
    void anAnnouncedRunGraftsOnlyTheIdsMissingFromIt()
    {
        final TestNet net = triangle();
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final int since = net.sent.size();
        net.drop = e -> e.from().equals(a.id) && e.to().equals(c.id) && e.message().type() == MessageType.GOSSIP
            && List.of("s3", "s7").contains(new String(((Gossip)e.message()).payloadBytes()));
        for (int i = 0; i < 10; i++)
        {
            a.broadcast("s" + i);
        }
        net.pump();
        net.drop = e -> false;
        net.advance(2_000, 5);
        assertEquals(1, ihavesSent(net, b.id, c.id, since).get(0).size(), "b announced the ten as one run");
        final List<Long> grafted = new ArrayList<>();
        for (final TestNet.Envelope e : net.sent.subList(since, net.sent.size()))
        {
            if (e.from().equals(c.id) && e.message() instanceof Graft g && g.hasId())
            {
                grafted.add(g.sequence());
            }
        }
        assertEquals(List.of(sequenceOf(b, "s3"), sequenceOf(b, "s7")), grafted);
        for (int i = 0; i < 10; i++)
        {
            final String p = "s" + i;
            assertEquals(1, c.payloads().stream().filter(p::equals).count(), p);
        }
    }

    @Test
    void aNewNeighborsCatchUpIsOneRunPerStream()
    {
        final TestNet net = line(2, GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        for (int i = 0; i < 50; i++)
        {
            a.broadcast("before-c" + i);
        }
        net.pump();
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.add();
        final int since = net.sent.size();
        c.state.join(TOPIC, List.of(b.id), net.now);
        net.pump();
        final List<IHave> catchUp = ihavesSent(net, b.id, c.id, since);
        assertEquals(1, catchUp.size());
        assertEquals(1, catchUp.get(0).size(), "one run, oldest first: " + catchUp.get(0));
        assertEquals(50, catchUp.get(0).idCount());
        assertEquals(sequenceOf(b, "before-c0"), catchUp.get(0).firstSequence(0));
        net.advance(300, 5);
        assertEquals(50, c.payloads().size(), "c grafted what it missed");
    }

    @Test
    void aRunEndingAtTheLargestSequenceIsStillAnnounced()
    {
        final TestNet net = line(2, GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        a.broadcast("first");
        net.pump();
        assertEquals(List.of("first"), b.payloads(), "b keeps a log of a's stream (epoch 1)");
        final int since = net.sent.size();
        final IHave ihave = new IHave();
        ihave.appendRun(a.id, 1, Long.MAX_VALUE - 2, 3, 0);
        b.state.onMessage(a.id, ihave.topic(TOPIC), net.now);
        net.advance(300, 5);
        final List<String> grafted = new ArrayList<>();
        for (final TestNet.Envelope e : net.sent.subList(since, net.sent.size()))
        {
            if (e.from().equals(b.id) && e.message() instanceof Graft g && g.hasId())
            {
                grafted.add(g.sequence() + ".." + g.lastSequence());
            }
        }
        assertTrue(grafted.contains((Long.MAX_VALUE - 2) + ".." + Long.MAX_VALUE),
            "the three missing ids are grafted as one range: " + grafted);
    }
}
