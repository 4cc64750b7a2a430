package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.OverflowPolicy;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.awaitReceived;
import static dev.hearsay.engine.EngineTestSupport.gossipFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subscription semantics: Lagged, zero-copy poll, neighbor replay, unsubscribe, hold until a neighbor. */
final class SubscriptionTest
{
    private static final TopicId TOPIC = TopicId.of("subscription");
    /** A buffer that drops what does not fit, so that the tests can fill it without a reader. */
    private static final SubscriptionOptions DROP = SubscriptionOptions.defaults().withOverflow(OverflowPolicy.DROP);

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fullBufferDropsCountsAndReportsOneLaggedRightAtTheGap() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().subscriptionCapacity(16).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine b = cluster.get(0);
            final EngineSubscription sub = (EngineSubscription)b.subscribe(TOPIC, List.of(), DROP);
            final NodeId a = EngineTestSupport.key(99).id();
            publishFrames(b, a, 1, 100);
            await("100 frames handled", () -> b.counter(EngineCounter.FRAMES_RECEIVED) == 100);
            assertEquals(84, b.counter(EngineCounter.SUBSCRIBER_DROPPED));
            assertEquals(84, sub.eventsDropped());

            final List<Object> events = new ArrayList<>();
            final GossipHandler handler = recorder(events);
            // The 16 buffered messages, then the gap where it is: no later message needed to learn of it.
            assertEquals(17, sub.poll(handler, 100));
            assertEquals(0, sub.poll(handler, 100));
            for (int i = 0; i < 16; i++)
            {
                assertEquals("m" + (i + 1), events.get(i));
            }
            assertEquals("lagged 84", events.get(16));

            events.clear();
            publishFrames(b, a, 101, 5);
            await("5 more frames handled", () -> b.counter(EngineCounter.FRAMES_RECEIVED) == 105);
            assertEquals(5, sub.poll(handler, 100));
            assertEquals(List.of("m101", "m102", "m103", "m104", "m105"), events);

            // No second Lagged for the same gap; next() keeps the order too.
            publishFrames(b, a, 106, 1);
            final GossipEvent e = sub.next(EngineTestSupport.WAIT);
            assertInstanceOf(GossipEvent.Received.class, e);
            assertEquals("m106", new String(((GossipEvent.Received)e).content(), StandardCharsets.UTF_8));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readerThatWasAwayLearnsOfTheLossRightAfterTheLastBufferedMessage() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().subscriptionCapacity(64).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine b = cluster.get(0);
            final Subscription sub = b.subscribe(TOPIC, List.of(), DROP);
            final NodeId a = EngineTestSupport.key(99).id();
            publishFrames(b, a, 1, 5_000);
            await("5,000 frames handled", () -> b.counter(EngineCounter.FRAMES_RECEIVED) == 5_000);
            for (int i = 1; i <= 64; i++)
            {
                final GossipEvent e = sub.next(EngineTestSupport.WAIT);
                assertInstanceOf(GossipEvent.Received.class, e, "event " + i);
                assertEquals("m" + i, new String(((GossipEvent.Received)e).content(), StandardCharsets.UTF_8));
            }
            // On a quiet topic: the loss is reported now, not when (if ever) another message comes.
            assertEquals(new GossipEvent.Lagged(4_936), sub.next(Duration.ofMillis(1)));
            assertNull(sub.next(Duration.ofMillis(1)));
            publishFrames(b, a, 5_001, 1);
            final GossipEvent next = sub.next(EngineTestSupport.WAIT);
            assertEquals("m5001", new String(((GossipEvent.Received)next).content(), StandardCharsets.UTF_8));
        }
    }

    @RepeatedTest(20)
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void laggedIsSeenExactlyOnceWhileAConsumerRaces() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().subscriptionCapacity(16).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine b = cluster.get(0);
            final Subscription sub = b.subscribe(TOPIC, List.of(), DROP);
            final NodeId a = EngineTestSupport.key(99).id();
            final int total = 20_000;
            final Thread io = new Thread(() -> publishFrames(b, a, 1, total), "io");
            io.start();
            final long[] counts = new long[3]; // messages, lagged events, missed
            final long[] lastSeq = {0};
            final boolean[] lastWasLagged = {false};
            final GossipHandler handler = new GossipHandler()
            {
                @Override
                public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset,
                    final int length, final NodeId author, final NodeId deliveredFrom, final int hops)
                {
                    final long seq = Long.parseLong(buffer.getStringWithoutLengthAscii(offset + 1, length - 1));
                    assertTrue(seq > lastSeq[0], "in order");
                    lastSeq[0] = seq;
                    counts[0]++;
                    lastWasLagged[0] = false;
                }

                @Override
                public void onLagged(final long missed)
                {
                    assertTrue(missed > 0);
                    assertFalse(lastWasLagged[0], "two Lagged in a row");
                    lastWasLagged[0] = true;
                    counts[1]++;
                    counts[2] += missed;
                }
            };
            while (io.isAlive() || b.counter(EngineCounter.FRAMES_RECEIVED) < total)
            {
                if (sub.poll(handler, 7) == 0)
                {
                    Thread.yield();
                }
            }
            io.join();
            while (sub.poll(handler, 100) > 0)
            {
                // drain what is left
            }
            // A gap at the very end is reported once the reader is there; one more message must not repeat it.
            publishFrames(b, a, total + 1, 1);
            while (lastSeq[0] != total + 1)
            {
                if (sub.poll(handler, 7) == 0)
                {
                    Thread.yield();
                }
            }
            assertEquals(total + 1, counts[0] + counts[2], "every message delivered or accounted for as missed");
            assertEquals(b.counter(EngineCounter.SUBSCRIBER_DROPPED), counts[2]);
            assertTrue(counts[1] <= counts[2]);
            System.out.println("lagged race: " + counts[0] + " delivered, " + counts[1] + " Lagged events for "
                + counts[2] + " missed");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pollHandsAViewOfTheSubscriptionBufferWithoutCopying() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start())
        {
            final GossipEngine b = cluster.get(0);
            final Subscription sub = b.subscribe(TOPIC, List.of());
            final NodeId a = EngineTestSupport.key(99).id();
            publishFrames(b, a, 1, 1);
            await("frame handled", () -> b.counter(EngineCounter.MESSAGES_DELIVERED) == 1);
            final DirectBuffer[] seen = new DirectBuffer[2];
            sub.poll((topic, buffer, offset, length, author, from, hops) -> seen[0] = buffer, 1);
            publishFrames(b, a, 2, 16);
            await("frames handled", () -> b.counter(EngineCounter.MESSAGES_DELIVERED) == 17);
            final List<DirectBuffer> buffers = new ArrayList<>();
            sub.poll((topic, buffer, offset, length, author, from, hops) -> buffers.add(buffer), 100);
            assertEquals(16, buffers.size());
            // Each entry hands out its own preallocated buffer, reused after the ring wraps: no copy is made.
            assertEquals(16, new HashSet<>(buffers).size());
            assertFalse(buffers.contains(seen[0]));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void secondSubscriptionFirstSeesOneNeighborUpPerCurrentNeighbor() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(4, GossipConfig.defaults()).start())
        {
            final Subscription first = cluster.get(0).subscribe(TOPIC, List.of());
            final List<Subscription> others = new ArrayList<>();
            for (int n = 1; n < 4; n++)
            {
                others.add(cluster.get(n).subscribe(TOPIC, List.of(cluster.id(0))));
            }
            final List<Subscription> all = new ArrayList<>(List.of(first));
            all.addAll(others);
            await("node 0 sees 3 neighbors", () -> first.neighbors().size() == 3);
            await("converged", () -> ClusterTest.converged(cluster, all));

            final Subscription second = cluster.get(0).subscribe(TOPIC, List.of());
            final Set<NodeId> replayed = new HashSet<>();
            for (int i = 0; i < 3; i++)
            {
                final GossipEvent e = second.next(EngineTestSupport.WAIT);
                assertInstanceOf(GossipEvent.NeighborUp.class, e, "event " + i + ": " + e);
                assertTrue(replayed.add(((GossipEvent.NeighborUp)e).peer()), "one NeighborUp per neighbor");
            }
            assertEquals(first.neighbors(), replayed);
            assertEquals(first.neighbors(), second.neighbors());
            assertTrue(second.joined().isDone());

            // Both subscriptions receive what a neighbor broadcasts.
            final byte[] hello = "hello both".getBytes(StandardCharsets.UTF_8);
            assertTrue(others.get(0).broadcast(hello) >= 0);
            awaitReceived(first, hello);
            awaitReceived(second, hello);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closingTheLastSubscriptionLeavesTheTopicAndNeighborsSeeNeighborDown() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
        {
            final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b1 = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            final Subscription b2 = cluster.get(1).subscribe(TOPIC, List.of());
            a.joined().get();
            b1.joined().get();
            b2.joined().get();
            assertInstanceOf(GossipEvent.NeighborUp.class, a.next(EngineTestSupport.WAIT));

            // Closing one of two subscriptions keeps the topic: the other still receives.
            b1.close();
            b1.close(); // idempotent
            assertEquals(dev.hearsay.BroadcastResult.CLOSED, b1.broadcast(new byte[1]));
            final byte[] still = "still here".getBytes(StandardCharsets.UTF_8);
            assertTrue(a.broadcast(still) >= 0);
            awaitReceived(b2, still);
            assertEquals(Set.of(cluster.id(1)), a.neighbors());

            // Closing the last one quits: Disconnect to the neighbor, which reports NeighborDown.
            b2.close();
            GossipEvent e;
            do
            {
                e = a.next(EngineTestSupport.WAIT);
            }
            while (e != null && !(e instanceof GossipEvent.NeighborDown));
            assertEquals(new GossipEvent.NeighborDown(cluster.id(1)), e);
            await("A's neighbor set empties", () -> a.neighbors().isEmpty());
            assertTrue(((EngineSubscription)b2).isClosed());
            assertNull(b2.next(Duration.ofMillis(1)));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void broadcastBeforeAnyNeighborIsHeldAndSentWhenOneComesUp() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().pendingBroadcastCapacity(2).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, config).start())
        {
            final EngineSubscription a = (EngineSubscription)cluster.get(0).subscribe(TOPIC, List.of());
            assertTrue(a.broadcast(bytes("early 1")) >= 0);
            assertTrue(a.broadcast(bytes("early 2")) >= 0);
            assertTrue(a.broadcast(bytes("early 3")) >= 0, "accepted onto the ring; rejected by the protocol");
            await("broadcasts handled", () -> cluster.get(0).counter(EngineCounter.BROADCASTS_HELD)
                + cluster.get(0).counter(EngineCounter.BROADCASTS_REJECTED) == 3);
            assertEquals(2, cluster.get(0).counter(EngineCounter.BROADCASTS_HELD));
            assertEquals(1, cluster.get(0).counter(EngineCounter.BROADCASTS_REJECTED));
            assertEquals(1, a.broadcastsDropped());

            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            final GossipEvent.Received r1 = awaitReceived(b, bytes("early 1"));
            awaitReceived(b, bytes("early 2"));
            assertEquals(cluster.id(0), r1.author());
            assertEquals(0, r1.hops());
        }
    }

    private static void publishFrames(final GossipEngine engine, final NodeId author, final long firstSeq,
        final int count)
    {
        for (long seq = firstSeq; seq < firstSeq + count; seq++)
        {
            final UnsafeBuffer frame = gossipFrame(TOPIC, author, seq, 0, bytes("m" + seq));
            while (!engine.networkEvents().onFrame(author, frame, 0, frame.capacity()))
            {
                Thread.yield();
            }
        }
    }

    private static GossipHandler recorder(final List<Object> events)
    {
        return new GossipHandler()
        {
            @Override
            public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
                final NodeId author, final NodeId deliveredFrom, final int hops)
            {
                events.add(buffer.getStringWithoutLengthUtf8(offset, length));
            }

            @Override
            public void onNeighborUp(final NodeId peer)
            {
                events.add("up " + peer.shortString());
            }

            @Override
            public void onLagged(final long missed)
            {
                events.add("lagged " + missed);
            }
        };
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
