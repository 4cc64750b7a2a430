package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.awaitReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A payload over maxMessageSize is refused synchronously, naming the limit; the limit itself is fine. */
final class OversizeTest
{
    private static final TopicId TOPIC = TopicId.of("oversize");

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oversizePayloadThrowsNamingTheLimitAndNothingIsPublished() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().maxMessageSize(100).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, config).start())
        {
            final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            b.joined().get();

            final IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                () -> a.broadcast(new byte[101]));
            assertTrue(e1.getMessage().contains("maxMessageSize 100"), e1.getMessage());
            assertTrue(e1.getMessage().contains("101"), e1.getMessage());
            assertThrows(IllegalArgumentException.class,
                () -> a.broadcast(new UnsafeBuffer(new byte[200]), 0, 101));
            assertThrows(IllegalArgumentException.class, () -> a.broadcastNeighbors(new byte[101]));
            assertEquals(0, cluster.get(0).counter(EngineCounter.BROADCASTS_PUBLISHED));

            final byte[] max = new byte[100];
            max[99] = 7;
            assertTrue(a.broadcast(max) >= 0);
            awaitReceived(b, max);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oversizeFrameFromATransportIsDiscardedAndCounted()
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start())
        {
            final GossipEngine engine = cluster.get(0);
            final int tooLong = engine.maxFrameLength() + 1;
            assertTrue(engine.networkEvents().onFrame(cluster.id(0), new UnsafeBuffer(new byte[tooLong]), 0, tooLong),
                "consumed (discarded), not refused: retrying would not help");
            assertEquals(1, engine.counter(EngineCounter.FRAMES_OVERSIZE));
            assertEquals(0, engine.counter(EngineCounter.EVENTS_DISPATCHED));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void garbageFrameIsCountedAndItsSenderDropped()
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start())
        {
            final GossipEngine engine = cluster.get(0);
            final byte[] garbage = {9, 9, 9, 9};
            assertTrue(engine.networkEvents().onFrame(EngineTestSupport.key(7).id(), new UnsafeBuffer(garbage), 0, 4));
            await("frame rejected", () -> engine.counter(EngineCounter.FRAMES_INVALID) == 1);
            assertEquals(0, engine.counter(EngineCounter.DISPATCH_ERRORS));
        }
    }
}
