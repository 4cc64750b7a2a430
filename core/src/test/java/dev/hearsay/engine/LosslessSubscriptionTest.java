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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.gossipFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The lossless overflow policy: a reader that falls behind holds the node's flow instead of losing messages, a
 * reader that stops for good is cut over to dropping after its timeout, and one that catches up is lossless again.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LosslessSubscriptionTest
{
    private static final TopicId TOPIC = TopicId.of("lossless");
    private static final TopicId OTHER = TopicId.of("lossless-other");
    private static final GossipConfig SMALL = GossipConfig.builder().subscriptionCapacity(64).ringSize(256).build();

    /** An I/O thread publishing frames into the engine, retrying while the ring is full (as a transport does). */
    private static Thread publisher(final GossipEngine engine, final TopicId topic, final NodeId author,
        final long first, final int count)
    {
        final Thread t = new Thread(() ->
        {
            for (long seq = first; seq < first + count; seq++)
            {
                final UnsafeBuffer frame = gossipFrame(topic, author, seq, 0, ("m" + seq).getBytes(
                    StandardCharsets.UTF_8));
                while (!engine.networkEvents().onFrame(author, frame, 0, frame.capacity()))
                {
                    LockSupport.parkNanos(10_000);
                }
            }
        }, "io");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads {@code count} messages in order from {@code sub}, failing on a Lagged or a gap in the sequence. */
    private static void readInOrder(final Subscription sub, final long first, final int count) throws Exception
    {
        long expected = first;
        while (expected < first + count)
        {
            final GossipEvent e = sub.next(Duration.ofSeconds(10));
            assertInstanceOf(GossipEvent.Received.class, e, "after m" + (expected - 1));
            assertEquals("m" + expected, new String(((GossipEvent.Received)e).content(), StandardCharsets.UTF_8));
            expected++;
        }
    }

    @Test
    void readerThatFallsBehindHoldsTheFlowAndLosesNothing() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SMALL).start())
        {
            final GossipEngine node = cluster.get(0);
            final Subscription sub = node.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withSlowSubscriberTimeout(Duration.ofSeconds(30)));
            final NodeId author = EngineTestSupport.key(7).id();
            final Thread io = publisher(node, TOPIC, author, 1, 5_000);
            // The reader is away: the dispatcher stops at a nearly full buffer, the ring fills behind it, and the
            // I/O thread is held back.
            await("a hold", () -> node.counter(EngineCounter.SUBSCRIBER_HOLDS) >= 1);
            // Refusals counted before the hold may be the ring's start-up; one after it means the ring is full and
            // stays full, as nothing takes from it.
            final long refusedBefore = node.counter(EngineCounter.FRAMES_RING_FULL);
            await("the ring full behind the hold",
                () -> node.counter(EngineCounter.FRAMES_RING_FULL) > refusedBefore);
            assertTrue(node.counter(EngineCounter.FRAMES_RECEIVED) < 5_000);
            // Local publishers are held back too.
            assertEquals(dev.hearsay.BroadcastResult.BACK_PRESSURED, sub.broadcast(new byte[]{1}));

            readInOrder(sub, 1, 5_000);
            io.join();
            assertEquals(0, node.counter(EngineCounter.SUBSCRIBER_DROPPED));
            assertEquals(0, node.counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS));
        }
    }

    @Test
    void readerThatStopsIsCutOverAfterItsTimeoutAndIsLosslessAgainOnceCaughtUp() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SMALL).start())
        {
            final GossipEngine node = cluster.get(0);
            final Duration timeout = Duration.ofMillis(300);
            final Subscription sub = node.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withSlowSubscriberTimeout(timeout));
            final NodeId author = EngineTestSupport.key(7).id();
            final long start = System.nanoTime();
            publisher(node, TOPIC, author, 1, 2_000).join();
            await("every frame handled", () -> node.counter(EngineCounter.FRAMES_RECEIVED) == 2_000);
            assertTrue(System.nanoTime() - start >= timeout.toNanos(), "held for the timeout first");
            assertEquals(1, node.counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS));
            final long dropped = node.counter(EngineCounter.SUBSCRIBER_DROPPED);
            assertTrue(dropped > 0);

            // What was buffered, then the loss right where it happened.
            long read = 0;
            long expected = 1;
            GossipEvent e;
            while ((e = sub.next(Duration.ZERO)) instanceof GossipEvent.Received r)
            {
                assertEquals("m" + expected++, new String(r.content(), StandardCharsets.UTF_8));
                read++;
            }
            assertEquals(new GossipEvent.Lagged(dropped), e);
            assertEquals(2_000, read + dropped);

            // Caught up: the next burst is held for the reader again, not dropped.
            final Thread io = publisher(node, TOPIC, author, 2_001, 1_000);
            await("a second hold", () -> node.counter(EngineCounter.SUBSCRIBER_HOLDS) >= 2);
            readInOrder(sub, 2_001, 1_000);
            io.join();
            assertEquals(dropped, node.counter(EngineCounter.SUBSCRIBER_DROPPED));
            assertEquals(1, node.counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS));
        }
    }

    @Test
    void readerSlowerThanTheFlowIsCutOverAfterItsTimeoutThoughItKeepsReading() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SMALL).start())
        {
            final GossipEngine node = cluster.get(0);
            final Subscription sub = node.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withSlowSubscriberTimeout(Duration.ofMillis(300)));
            final NodeId author = EngineTestSupport.key(7).id();
            final int count = 20_000;
            final Thread io = publisher(node, TOPIC, author, 1, count);
            // Until its first loss the reader takes one message per 0.2 ms at most, far slower than the I/O thread
            // offers them: it makes progress all the time but its buffer never empties, so it holds the node until
            // it is cut over.
            long read = 0;
            long lagged = 0;
            long expected = 1;
            while (read + lagged < count)
            {
                final GossipEvent e = sub.next(Duration.ofSeconds(10));
                if (e instanceof GossipEvent.Received r)
                {
                    final long seq = Long.parseLong(new String(r.content(), StandardCharsets.UTF_8).substring(1));
                    assertEquals(expected, seq, "in order, gaps only where Lagged says");
                    expected = seq + 1;
                    read++;
                    if (lagged == 0)
                    {
                        LockSupport.parkNanos(200_000);
                    }
                }
                else if (e instanceof GossipEvent.Lagged l)
                {
                    lagged += l.missed();
                    expected += l.missed();
                }
                else
                {
                    fail("unexpected " + e);
                }
            }
            io.join();
            assertTrue(node.counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS) >= 1);
            assertTrue(lagged > 0, "the cut-over dropped what did not fit");
            assertEquals(node.counter(EngineCounter.SUBSCRIBER_DROPPED), lagged);
        }
    }

    @Test
    void dropPolicyNeverHoldsTheNode() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SMALL).start())
        {
            final GossipEngine node = cluster.get(0);
            final Subscription sub = node.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withOverflow(OverflowPolicy.DROP));
            publisher(node, TOPIC, EngineTestSupport.key(7).id(), 1, 2_000).join();
            await("every frame handled", () -> node.counter(EngineCounter.FRAMES_RECEIVED) == 2_000);
            assertEquals(0, node.counter(EngineCounter.SUBSCRIBER_HOLDS));
            assertEquals(2_000 - 64, node.counter(EngineCounter.SUBSCRIBER_DROPPED));
            final int[] counts = new int[2];
            sub.poll(new GossipHandler()
            {
                @Override
                public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset,
                    final int length, final NodeId author, final NodeId deliveredFrom, final int hops)
                {
                    counts[0]++;
                }

                @Override
                public void onLagged(final long missed)
                {
                    counts[1] += (int)missed;
                }
            }, 1_000);
            assertEquals(64, counts[0]);
            assertEquals(2_000 - 64, counts[1]);
        }
    }

    @Test
    void closingTheHeldSubscriptionLetsTheNodeGoOn() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SMALL).start())
        {
            final GossipEngine node = cluster.get(0);
            final Subscription stuck = node.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withSlowSubscriberTimeout(Duration.ofMinutes(10)));
            final Subscription other = node.subscribe(OTHER, List.of());
            final NodeId author = EngineTestSupport.key(7).id();
            publisher(node, TOPIC, author, 1, 1_000);
            await("a hold", () -> node.counter(EngineCounter.SUBSCRIBER_HOLDS) >= 1);
            final Thread io = publisher(node, OTHER, author, 1, 100);
            // The ring is full behind the hold: close must not wait for space, or this thread, the reader of
            // `other`, would leave it full until its slow-subscriber timeout cut it over.
            stuck.close();
            readInOrder(other, 1, 100);
            io.join();
            assertEquals(0, node.counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS));
            await("every frame handled", () -> node.counter(EngineCounter.FRAMES_RECEIVED) == 1_100);
        }
    }

    @Test
    void closingTheEngineIsNotHeldUp()
    {
        final EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SMALL).start();
        final GossipEngine node = cluster.get(0);
        node.subscribe(TOPIC, List.of(), SubscriptionOptions.defaults().withSlowSubscriberTimeout(Duration.ofMinutes(10)));
        publisher(node, TOPIC, EngineTestSupport.key(7).id(), 1, 5_000);
        await("a hold", () -> node.counter(EngineCounter.SUBSCRIBER_HOLDS) >= 1);
        final long start = System.nanoTime();
        cluster.close();
        assertTrue(node.isClosed());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close took "
            + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @Test
    void optionsRejectWhatCannotWork()
    {
        assertThrows(IllegalArgumentException.class,
            () -> SubscriptionOptions.defaults().withSlowSubscriberTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SubscriptionOptions.defaults().withOverflow(null));
        assertEquals(OverflowPolicy.LOSSLESS, SubscriptionOptions.defaults().overflow());
        assertEquals(Duration.ofSeconds(2), SubscriptionOptions.defaults().slowSubscriberTimeout());
    }
}
