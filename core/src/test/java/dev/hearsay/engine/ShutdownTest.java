package dev.hearsay.engine;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** close() leaves topics politely, stops the dispatcher and leaves no thread behind. */
final class ShutdownTest
{
    private static final TopicId TOPIC = TopicId.of("shutdown");

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeLeavesTopicsAndStopsTheDispatcherThread() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
        {
            final GossipEngine a = cluster.get(0);
            final Subscription atA = a.subscribe(TOPIC, List.of());
            final Subscription atB = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            atA.joined().get();
            atB.joined().get();
            final Thread dispatcher = a.dispatcherThread();
            assertTrue(dispatcher.isAlive());
            final String name = dispatcher.getName();

            a.close();
            a.close(); // idempotent

            assertFalse(dispatcher.isAlive(), "dispatcher thread still alive after close");
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(name)));
            assertTrue(a.isClosed());
            assertEquals(BroadcastResult.CLOSED, atA.broadcast(new byte[1]));
            assertNull(atA.next(Duration.ofSeconds(5)) instanceof GossipEvent.Received ? "unexpected" : null);
            assertThrows(IllegalStateException.class, () -> a.subscribe(TOPIC, List.of()));
            assertTrue(a.networkEvents().onFrame(cluster.id(1), new org.agrona.concurrent.UnsafeBuffer(new byte[8]),
                0, 8), "a closed engine discards network events");

            // B was told politely (Disconnect) and by the transport: it sees A go down.
            GossipEvent e;
            do
            {
                e = atB.next(EngineTestSupport.WAIT);
            }
            while (e != null && !(e instanceof GossipEvent.NeighborDown));
            assertEquals(new GossipEvent.NeighborDown(cluster.id(0)), e);
            await("B has no neighbor", () -> atB.neighbors().isEmpty());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeWakesAUserThreadWaitingInNext() throws Exception
    {
        final EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start();
        final Subscription sub = cluster.get(0).subscribe(TOPIC, List.of());
        final AtomicReference<Object> result = new AtomicReference<>("pending");
        final Thread user = new Thread(() ->
        {
            try
            {
                result.set(sub.next(Duration.ofSeconds(60)));
            }
            catch (final InterruptedException ex)
            {
                result.set(ex);
            }
        }, "user");
        user.start();
        await("user waiting", () -> user.getState() == Thread.State.TIMED_WAITING);
        final long start = System.nanoTime();
        cluster.close();
        user.join();
        assertNull(result.get());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        assertTrue(sub.joined().isCompletedExceptionally(), "never joined: joined() fails rather than hangs");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closingAnEngineThatNeverStartedIsClean()
    {
        final EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults());
        final GossipEngine engine = cluster.get(0);
        final Subscription sub = engine.subscribe(TOPIC, List.of());
        engine.close();
        assertNull(engine.dispatcherThread());
        assertEquals(BroadcastResult.CLOSED, sub.broadcast(new byte[1]));
        assertThrows(IllegalStateException.class, engine::start);
        assertThrows(IllegalStateException.class, () -> engine.subscribe(TOPIC, List.of()));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void repeatedStartAndCloseLeavesNoDispatcherThreads()
    {
        for (int i = 0; i < 50; i++)
        {
            try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(3, GossipConfig.defaults()).start())
            {
                ClusterTest.joinChain(cluster, 3);
            }
        }
        final long alive = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("hearsay-dispatcher-") && t.isAlive()).count();
        assertEquals(0, alive, "dispatcher threads left behind");
    }
}
