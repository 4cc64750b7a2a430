package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.gossipFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The race the single dispatcher exists to remove: a subscription is made and a frame for its topic arrives at
 * once from another thread. Because Subscribe and FrameReceived travel on one ring to one thread, a frame that
 * reaches the node after {@code subscribe} returned is always delivered to the new subscription.
 */
final class SubscribeRaceTest
{
    private static final int ITERATIONS = 10_000;
    private static final TopicId TOPIC = TopicId.of("race");

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void rawFrameArrivingRightAfterSubscribeIsNeverLost() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start())
        {
            final GossipEngine b = cluster.get(0);
            final NodeId a = EngineTestSupport.key(99).id();
            final AtomicLong go = new AtomicLong(-1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread network = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < ITERATIONS; i++)
                    {
                        final UnsafeBuffer frame = gossipFrame(TOPIC, a, i + 1, 0, payload(i));
                        while (go.get() < i)
                        {
                            Thread.yield();
                        }
                        while (!b.networkEvents().onFrame(a, frame, 0, frame.capacity()))
                        {
                            Thread.yield();
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            }, "race-network");
            network.start();

            int lost = 0;
            for (int i = 0; i < ITERATIONS && failure.get() == null; i++)
            {
                final Subscription sub = b.subscribe(TOPIC, List.of());
                go.set(i); // the frame may now arrive: the Subscribe event is already on the ring
                final GossipEvent e = sub.next(Duration.ofSeconds(5));
                if (!(e instanceof GossipEvent.Received r) || !Arrays.equals(payload(i), r.content()))
                {
                    lost++;
                    fail("iteration " + i + ": expected message " + i + ", got " + e);
                }
                else
                {
                    assertEquals(a, r.author());
                    assertEquals(a, r.deliveredFrom());
                }
                sub.close();
            }
            network.join();
            assertNull(failure.get());
            assertEquals(0, lost);
            assertEquals(ITERATIONS, b.counter(EngineCounter.MESSAGES_DELIVERED));
            assertEquals(0, b.protocolStats().unknownTopic);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void broadcastFromAnotherNodeRightAfterSubscribeIsNeverLost() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
        {
            final Subscription atA = cluster.get(0).subscribe(TOPIC, List.of());
            final GossipEngine b = cluster.get(1);
            final AtomicLong go = new AtomicLong(-1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread sender = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < ITERATIONS; i++)
                    {
                        while (go.get() < i)
                        {
                            Thread.yield();
                        }
                        long result;
                        while ((result = atA.broadcast(payload(i))) == dev.hearsay.BroadcastResult.BACK_PRESSURED)
                        {
                            Thread.yield();
                        }
                        assertTrue(result >= 0, "broadcast " + i + ": " + result);
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            }, "race-sender");
            sender.start();

            long strays = 0;
            for (int i = 0; i < ITERATIONS && failure.get() == null; i++)
            {
                final Subscription sub = b.subscribe(TOPIC, List.of(cluster.id(0)));
                go.set(i); // A broadcasts now, racing B's Join
                final byte[] expected = payload(i);
                final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                boolean received = false;
                while (!received && System.nanoTime() < deadline)
                {
                    final GossipEvent e = sub.next(Duration.ofMillis(100));
                    if (e instanceof GossipEvent.Received r)
                    {
                        if (Arrays.equals(expected, r.content()))
                        {
                            assertEquals(cluster.id(0), r.author());
                            received = true;
                        }
                        else
                        {
                            strays++; // an older message re-announced to the re-joined node: allowed, counted
                        }
                    }
                }
                if (!received)
                {
                    fail("iteration " + i + ": message lost; A " + cluster.get(0) + " B " + b);
                }
                sub.close();
            }
            sender.join();
            assertNull(failure.get());
            assertEquals(0, cluster.get(0).counter(EngineCounter.BROADCASTS_REJECTED));
            System.out.println("broadcast race: " + ITERATIONS + " iterations, " + strays + " older messages seen, "
                + cluster.get(0).counter(EngineCounter.BROADCASTS_HELD) + " broadcasts held until B joined");
        }
    }

    /** Subscribe published by one thread, then FrameReceived by another: handled in that order, so delivered. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void subscribeThenFrameFromTwoThreadsIsDeliveredInRingOrder() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()))
        {
            final GossipEngine b = cluster.get(0); // not started: the ring only collects events
            final NodeId a = EngineTestSupport.key(99).id();
            final AtomicReference<Subscription> sub = new AtomicReference<>();
            final Thread user = new Thread(() -> sub.set(b.subscribe(TOPIC, List.of())), "user");
            user.start();
            user.join();
            final UnsafeBuffer frame = gossipFrame(TOPIC, a, 1, 0, payload(7));
            final Thread io = new Thread(() -> assertTrue(b.networkEvents().onFrame(a, frame, 0, frame.capacity())),
                "io");
            io.start();
            io.join();

            b.start();
            final GossipEvent e = sub.get().next(EngineTestSupport.WAIT);
            assertNotNull(e);
            assertTrue(e instanceof GossipEvent.Received r && Arrays.equals(payload(7), r.content()), e::toString);
        }
    }

    /** The converse order documents what the ring guarantees: a frame handled before Subscribe has no topic. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void frameBeforeSubscribeIsForAnUnknownTopic() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()))
        {
            final GossipEngine b = cluster.get(0);
            final NodeId a = EngineTestSupport.key(99).id();
            final UnsafeBuffer frame = gossipFrame(TOPIC, a, 1, 0, payload(7));
            assertTrue(b.networkEvents().onFrame(a, frame, 0, frame.capacity()));
            final Subscription sub = b.subscribe(TOPIC, List.of());
            b.start();
            await("both events handled", () -> b.counter(EngineCounter.EVENTS_DISPATCHED) == 2);
            assertEquals(1, b.protocolStats().unknownTopic);
            assertNull(sub.next(Duration.ofMillis(20)));
        }
    }

    private static byte[] payload(final int i)
    {
        return ("message-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
