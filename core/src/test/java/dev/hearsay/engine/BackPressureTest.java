package dev.hearsay.engine;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Back-pressure is a return code: a full ring refuses, a slow peer is dropped, the dispatcher never waits. */
final class BackPressureTest
{
    private static final TopicId TOPIC = TopicId.of("back-pressure");

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fullRingReturnsBackPressuredAndRefusesFrames()
    {
        final GossipConfig config = GossipConfig.builder().ringSize(64).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config))
        {
            final GossipEngine engine = cluster.get(0); // not started: nothing drains the ring
            final Subscription sub = engine.subscribe(TOPIC, List.of());
            for (int i = 0; i < 63; i++)
            {
                assertTrue(sub.broadcast(new byte[] {(byte)i}) >= 0, "slot " + i);
            }
            assertEquals(BroadcastResult.BACK_PRESSURED, sub.broadcast(new byte[] {1}));
            assertEquals(BroadcastResult.BACK_PRESSURED, sub.broadcastNeighbors(new byte[] {1}));
            assertEquals(2, engine.counter(EngineCounter.BROADCASTS_BACK_PRESSURED));

            final UnsafeBuffer frame = EngineTestSupport.gossipFrame(TOPIC, cluster.id(0), 1, 0, new byte[4]);
            assertFalse(engine.networkEvents().onFrame(cluster.id(0), frame, 0, frame.capacity()),
                "a transport is told to pause reading");
            assertEquals(1, engine.counter(EngineCounter.FRAMES_RING_FULL));

            engine.start();
            await("the ring drains", () -> sub.broadcast(new byte[] {2}) >= 0);
            await("no neighbor: all 64 broadcasts held", () -> engine.counter(EngineCounter.BROADCASTS_HELD) == 64);
            assertEquals(0, engine.counter(EngineCounter.BROADCASTS_REJECTED));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void waitingBroadcastRetriesUntilTheRingHasRoomOrTheDeadline() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().ringSize(64).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config))
        {
            final GossipEngine engine = cluster.get(0);
            final EngineSubscription sub = (EngineSubscription)engine.subscribe(TOPIC, List.of());
            while (sub.broadcast(new byte[1]) >= 0)
            {
                // fill the ring
            }
            final org.agrona.concurrent.IdleStrategy idle = new org.agrona.concurrent.BackoffIdleStrategy();
            assertEquals(BroadcastResult.BACK_PRESSURED,
                sub.broadcast(new byte[1], idle, java.time.Duration.ofMillis(20)), "deadline passes while full");

            final java.util.concurrent.atomic.AtomicLong result = new java.util.concurrent.atomic.AtomicLong(-99);
            final Thread user = new Thread(() -> result.set(sub.broadcast(new byte[1],
                new org.agrona.concurrent.BackoffIdleStrategy(), java.time.Duration.ofSeconds(20))), "user");
            user.start();
            engine.start();
            user.join();
            assertTrue(result.get() >= 0, "accepted once the dispatcher drained the ring: " + result.get());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void broadcastBytesInFlightAreBounded()
    {
        // The bound counts frame bytes: each payload plus the largest Gossip header.
        final int cost = 100 + GossipEngine.BROADCAST_FRAME_OVERHEAD;
        final long bound = 10L * cost + 20 + GossipEngine.BROADCAST_FRAME_OVERHEAD;
        final GossipConfig config = GossipConfig.builder().maxInFlightBroadcastBytes(bound).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config))
        {
            final GossipEngine engine = cluster.get(0); // not started: nothing is handled yet
            final Subscription sub = engine.subscribe(TOPIC, List.of());
            for (int i = 0; i < 10; i++)
            {
                assertTrue(sub.broadcast(new byte[100]) >= 0);
            }
            assertEquals(10L * cost, engine.inFlightBroadcastBytes());
            assertEquals(BroadcastResult.BACK_PRESSURED, sub.broadcast(new byte[100]), "one more is over the bound");
            assertEquals(BroadcastResult.BACK_PRESSURED, sub.broadcast(new byte[21]), "one byte over the bound");
            assertTrue(sub.broadcast(new byte[20]) >= 0, "exactly the bound still fits");
            assertEquals(bound, engine.inFlightBroadcastBytes());

            engine.start();
            await("handled", () -> engine.inFlightBroadcastBytes() == 0);
            assertTrue(sub.broadcast(new byte[4000]) >= 0, "a payload over the bound goes alone");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stalledDispatcherBackPressuresBroadcastsThenDeliversEveryAcceptedOne() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().ringSize(64).build();
        final InMemoryNetwork network = new InMemoryNetwork();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, config, network).start())
        {
            final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            a.joined().get();
            b.joined().get();
            await("converged", () -> ClusterTest.converged(cluster, List.of(a, b)));

            final Stall stall = new Stall();
            network.sendFilter((from, to, frame, offset, length) ->
            {
                if (from.equals(cluster.id(0)))
                {
                    stall.hold();
                }
                return true;
            });
            stall.engage();
            int accepted = 0;
            long result;
            while ((result = a.broadcast(new byte[] {(byte)accepted})) >= 0)
            {
                accepted++;
                assertTrue(accepted <= 64 + 1, "the ring must fill while the dispatcher is stalled");
            }
            assertEquals(BroadcastResult.BACK_PRESSURED, result);
            await("the dispatcher is stalled in the transport", stall::holding);
            stall.release();

            int received = 0;
            while (received < accepted)
            {
                final GossipEvent e = b.next(EngineTestSupport.WAIT);
                assertTrue(e != null, "timed out after " + received + " of " + accepted);
                if (e instanceof GossipEvent.Received)
                {
                    received++;
                }
            }
            assertEquals(0, cluster.get(0).counter(EngineCounter.PEERS_DROPPED_SLOW));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void peerWhoseQueueOverflowsIsDroppedAndTheDispatcherKeepsGoing() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().ringSize(64).build();
        final InMemoryNetwork network = new InMemoryNetwork(4, 8);
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, config, network).start())
        {
            final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            a.joined().get();
            b.joined().get();
            await("converged", () -> ClusterTest.converged(cluster, List.of(a, b)));

            // Stall B's dispatcher inside its own send: it stops draining its ring.
            final Stall stall = new Stall();
            network.sendFilter((from, to, frame, offset, length) ->
            {
                if (from.equals(cluster.id(1)))
                {
                    stall.hold();
                }
                return true;
            });
            stall.engage();
            assertTrue(b.broadcast(new byte[] {42}) >= 0);
            await("B stalled", stall::holding);

            // A floods B: 64 frames fill B's ring, 8 more wait on the link, then A gives up on B.
            final int floods = 200;
            for (int i = 0; i < floods; i++)
            {
                while (a.broadcast(new byte[] {(byte)i}) == BroadcastResult.BACK_PRESSURED)
                {
                    Thread.yield();
                }
            }
            await("A handled every broadcast while B is stalled",
                () -> cluster.get(0).counter(EngineCounter.BROADCASTS_PUBLISHED) == floods);
            assertEquals(1, cluster.get(0).counter(EngineCounter.PEERS_DROPPED_SLOW));
            GossipEvent e;
            do
            {
                e = a.next(EngineTestSupport.WAIT);
            }
            while (e != null && !(e instanceof GossipEvent.NeighborDown));
            assertEquals(new GossipEvent.NeighborDown(cluster.id(1)), e);
            assertTrue(cluster.get(0).counter(EngineCounter.BROADCASTS_HELD) > 0, "no neighbor left: held");
            stall.release();
        }
    }

    /** A gate a dispatcher thread can be parked at from a transport hook (test-only; spins politely). */
    static final class Stall
    {
        private volatile boolean engaged;
        private volatile boolean holding;

        void engage()
        {
            engaged = true;
        }

        void release()
        {
            engaged = false;
        }

        boolean holding()
        {
            return holding;
        }

        void hold()
        {
            while (engaged)
            {
                holding = true;
                Thread.yield();
            }
            holding = false;
        }
    }
}
