package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.hearsay.proto.TestNet.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Repair by ranges: a gap of an author's stream is one run to graft, whatever its length, and a Graft for a range is
 * answered in batches. (TestNet checks the repair invariants after every event.)
 */
class RangeRepairTest
{
    /**
     * Triangle a, b, c (each a neighbor of the others) after a warm-up broadcast from a: a pushes to b and c, b
     * announces to c.
     */
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

    private static boolean fromTo(final TestNet.Envelope e, final TestNet.Node from, final TestNet.Node to,
        final MessageType type)
    {
        return e.from().equals(from.id) && e.to().equals(to.id) && e.message().type() == type;
    }

    private static long sentSince(final TestNet net, final int since, final TestNet.Node from, final TestNet.Node to,
        final MessageType type)
    {
        return net.sent.subList(since, net.sent.size()).stream().filter(e -> fromTo(e, from, to, type)).count();
    }

    /** The sequences of a's stream that {@code n} delivered, each once (a duplicate delivery fails). */
    private static Set<Long> delivered(final TestNet.Node n, final TestNet.Node author)
    {
        final Set<Long> out = new HashSet<>();
        for (final TestNet.Delivery d : n.deliveries)
        {
            if (d.author().equals(author.id))
            {
                assertTrue(out.add(d.sequence()), "sequence " + d.sequence() + " delivered twice");
            }
        }
        return out;
    }

    /**
     * c misses 200,000 consecutive messages of a (its eager parent's copies are lost); b, lazy, announces them. With
     * a missing table of 16 runs, c gets every one of them through a handful of range grafts, and nothing is
     * dropped or missed.
     */
    @Test
    @Timeout(120)
    void aGapOf200000MessagesAnnouncedByALazyPeerIsGraftedWholeByAFewGrafts()
    {
        final int gap = 200_000;
        final TestNet net = triangle(GossipConfig.builder().missingCapacity(16).build());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        net.drop = e -> fromTo(e, a, c, MessageType.GOSSIP);
        for (int i = 0; i < gap; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        net.sent.clear();
        assertEquals(1, c.deliveries.size(), "only the warm-up reached c");
        // b's announcements, c's graft timeout, and the answer at 256 messages a millisecond.
        net.advance(3_000, 1);
        final Set<Long> got = delivered(c, a);
        assertEquals(gap + 1, got.size(), "c is missing messages");
        for (long seq = 1; seq <= gap + 1; seq++)
        {
            assertTrue(got.contains(seq), "sequence " + seq + " never reached c");
        }
        final ProtocolStats cs = c.state.stats();
        final ProtocolStats bs = b.state.stats();
        assertEquals(0, cs.missingDropped, "announcements ignored");
        assertTrue(cs.graftsSent >= 1 && cs.graftsSent <= 4, "grafts sent: " + cs.graftsSent);
        assertEquals(gap, bs.graftsAnswered, "messages sent in answer");
        assertEquals(0, bs.graftsMissed);
        assertEquals(0, c.state.missingRuns(TOPIC));
    }

    /**
     * A Graft for 10,000 messages is answered {@link PlumTree#ANSWER_BATCH} at a time: the first batch at once,
     * then one per timer run, none while the link is congested, until the whole range is sent, in order.
     */
    @Test
    @Timeout(30)
    void aRangeGraftIsAnsweredABatchPerTimerRunAndNotIntoACongestedLink()
    {
        final int count = 10_000;
        final TestNet net = triangle(GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        // c neither gets a's copies nor hears of them from b: only the answer to the Graft below reaches it.
        net.drop = e -> fromTo(e, a, c, MessageType.GOSSIP) || fromTo(e, b, c, MessageType.IHAVE);
        for (int i = 0; i < count; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        final int since = net.sent.size();
        b.state.onMessage(c.id, new Graft().set(a.id, 1, 2, count, 1).topic(TOPIC), net.now);
        assertEquals(PlumTree.ANSWER_BATCH, sentSince(net, since, b, c, MessageType.GOSSIP), "the first batch");
        b.congested.add(c.id);
        net.advance(20, 1);
        assertEquals(PlumTree.ANSWER_BATCH, sentSince(net, since, b, c, MessageType.GOSSIP), "into a congested link");
        b.congested.clear();
        long before = sentSince(net, since, b, c, MessageType.GOSSIP);
        int timerRuns = 0;
        while (before < count)
        {
            net.advance(1, 1);
            final long now = sentSince(net, since, b, c, MessageType.GOSSIP);
            assertTrue(now - before <= PlumTree.ANSWER_BATCH, (now - before) + " sent in one timer run");
            before = now;
            assertTrue(++timerRuns < 1_000, "the answer stalled at " + now);
        }
        assertEquals(count, before);
        net.advance(100, 5);
        assertEquals(count, sentSince(net, since, b, c, MessageType.GOSSIP), "sent more than asked");
        long previous = 1;
        for (final TestNet.Delivery d : c.deliveries.subList(1, c.deliveries.size()))
        {
            assertEquals(previous + 1, d.sequence(), "answered out of order");
            previous = d.sequence();
        }
        assertEquals(count, b.state.stats().graftsAnswered);
    }

    /**
     * c's eager copies of 20,000 messages are held back past its graft timeout, then arrive after all: c had grafted
     * only the first {@link PlumTree#FIRST_GRAFT_IDS} of the run from b, and leaves the rest to the late path, so the
     * late path costs at most that many duplicates, not the whole run.
     */
    @Test
    @Timeout(60)
    void aLatePathThatCatchesUpCostsAtMostTheFirstGraftsIds()
    {
        final int count = 20_000;
        final TestNet net = triangle(GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final long duplicatesBefore = c.state.stats().duplicates;
        final java.util.ArrayDeque<TestNet.Envelope> held = new java.util.ArrayDeque<>();
        net.drop = e -> fromTo(e, a, c, MessageType.GOSSIP) && held.add(e);
        for (int i = 0; i < count; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        // Past c's first graft timeout (80 ms): it grafts from b, which starts answering.
        net.advance(90, 1);
        assertEquals(1, c.state.stats().graftsSent);
        assertTrue(delivered(c, a).size() > 1, "b's answer has begun");
        // The late path delivers everything, in order.
        net.drop = e -> false;
        while (!held.isEmpty())
        {
            final TestNet.Envelope e = held.poll();
            c.state.onMessage(e.from(), e.message(), net.now);
            c.state.checkInvariants();
        }
        net.pump();
        net.advance(2_000, 1);
        assertEquals(count + 1, delivered(c, a).size(), "c is missing messages");
        assertEquals(1, c.state.stats().graftsSent, "the rest of the run was grafted too");
        assertTrue(b.state.stats().graftsAnswered <= PlumTree.FIRST_GRAFT_IDS, b.state.stats().graftsAnswered
            + " messages sent in answer");
        final long duplicates = c.state.stats().duplicates - duplicatesBefore;
        assertTrue(duplicates <= PlumTree.FIRST_GRAFT_IDS, duplicates + " duplicates");
        assertEquals(0, c.state.missingRuns(TOPIC));
    }

    /**
     * A run of b's gathers the announcements of a (2 to 10) and of c (2 and 3 only). Neither pushes nor announcements
     * go to a neighbor that announced the message; c announced 2, not 5, so b announces 5 to c and not 2.
     */
    @Test
    @Timeout(30)
    void aRelayAnnouncesToAPeerTheSequencesOfARunThatPeerDidNotAnnounce()
    {
        final TestNet net = triangle(GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        final java.util.ArrayDeque<TestNet.Envelope> held = new java.util.ArrayDeque<>();
        net.drop = e -> (fromTo(e, a, b, MessageType.GOSSIP) && held.add(e)) || fromTo(e, c, b, MessageType.IHAVE);
        for (int i = 2; i <= 10; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        final IHave ihave = new IHave();
        ihave.appendRun(a.id, 1, 2, 2, 0);
        b.state.onMessage(a.id, ihave.copy().topic(TOPIC), net.now);
        b.state.onMessage(c.id, ihave.copy().topic(TOPIC), net.now);
        ihave.clear().appendRun(a.id, 1, 4, 7, 0);
        b.state.onMessage(a.id, ihave.topic(TOPIC), net.now);
        assertEquals(1, b.state.missingRuns(TOPIC), "a's announcements extended one run");
        final int since = net.sent.size();
        for (final TestNet.Envelope e : held)
        {
            final long seq = ((Gossip)e.message()).sequence();
            if (seq == 2 || seq == 5)
            {
                b.state.onMessage(e.from(), e.message(), net.now);
            }
        }
        net.advance(10);
        final Set<Long> announced = new HashSet<>();
        for (final TestNet.Envelope e : net.sent.subList(since, net.sent.size()))
        {
            if (fromTo(e, b, c, MessageType.IHAVE))
            {
                final IHave sent = (IHave)e.message();
                for (int i = 0; i < sent.size(); i++)
                {
                    for (int k = 0; k < sent.count(i); k++)
                    {
                        announced.add(sent.firstSequence(i) + k);
                    }
                }
            }
        }
        assertEquals(Set.of(5L), announced, "what b announced to c");
    }

    /**
     * A Graft for messages the answerer no longer caches: nothing is sent, each id is counted, and the requester,
     * with no other announcer to ask, lets the run go once its retry timer finds no answer coming.
     */
    @Test
    @Timeout(30)
    void whatTheAnswererNoLongerCachesIsCountedAndNotSent()
    {
        final TestNet net = triangle(GossipConfig.defaults());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        net.drop = e -> fromTo(e, a, c, MessageType.GOSSIP);
        for (int i = 0; i < 100; i++)
        {
            a.broadcast("m" + i);
        }
        net.pump();
        final int since = net.sent.size();
        b.state.evictCachedPayloads(TOPIC, net.now + 1);
        net.advance(1_000, 5);
        assertEquals(1, sentSince(net, since, c, b, MessageType.GRAFT), "one range graft");
        assertEquals(100, b.state.stats().graftsMissed, "ids b no longer had");
        assertEquals(0, b.state.stats().graftsAnswered);
        assertEquals(0, sentSince(net, since, b, c, MessageType.GOSSIP));
        assertEquals(0, c.state.missingRuns(TOPIC), "given up: no announcer left");
    }

    /**
     * A table of 16 runs and 40 one-message gaps of one stream: the gaps beyond the table's room widen the
     * stream's last run instead of being dropped, and every one is grafted.
     */
    @Test
    @Timeout(30)
    void gapsBeyondTheTablesRoomWidenTheStreamsLastRunAndAreAllGrafted()
    {
        final int gaps = 40;
        final TestNet net = triangle(GossipConfig.builder().missingCapacity(16).build());
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node c = net.nodes.get(2);
        net.drop = e -> fromTo(e, a, c, MessageType.GOSSIP) && e.message() instanceof Gossip g
            && new String(g.payloadBytes()).startsWith("odd");
        for (int i = 0; i < gaps; i++)
        {
            a.broadcast("even" + i);
            a.broadcast("odd" + i);
        }
        net.pump();
        net.advance(10);
        assertEquals(16, c.state.missingRuns(TOPIC), "the table is full");
        net.advance(2_000, 5);
        assertEquals(0, c.state.stats().missingDropped, "announcements ignored");
        assertEquals(2 * gaps + 1, delivered(c, a).size(), "c is missing messages");
        assertEquals(0, c.state.missingRuns(TOPIC));
    }
}
