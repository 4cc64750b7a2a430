package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GossipConfig.maxTopics is enforced when subscribing, synchronously and with a clear error, also under races. */
final class TopicLimitTest
{
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void subscribingBeyondMaxTopicsThrowsNamingTheLimit() throws Exception
    {
        final GossipConfig config = GossipConfig.builder().maxTopics(2).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription a = engine.subscribe(TopicId.of("a"), List.of());
            final Subscription b = engine.subscribe(TopicId.of("b"), List.of());
            final IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> engine.subscribe(TopicId.of("c"), List.of()));
            assertTrue(refused.getMessage().startsWith("maxTopics: this node already has 2 topics"),
                refused.getMessage());
            // More subscriptions to a topic already joined are not new topics.
            final Subscription a2 = engine.subscribe(TopicId.of("a"), List.of());
            assertEquals(2, engine.topicCount());

            // A topic counts until its last subscription is closed.
            a.close();
            assertThrows(IllegalStateException.class, () -> engine.subscribe(TopicId.of("c"), List.of()));
            a2.close();
            a2.close(); // idempotent: gives the place back once
            assertEquals(1, engine.topicCount());
            final Subscription c = engine.subscribe(TopicId.of("c"), List.of());
            assertEquals(2, engine.topicCount());
            await("the dispatcher joined c", () -> engine.counter(EngineCounter.EVENTS_DISPATCHED) >= 6);
            assertEquals(0, engine.counter(EngineCounter.SUBSCRIPTIONS_FAILED), "the protocol never saw 3 topics");
            assertTrue(!((EngineSubscription)c).isClosed() && !((EngineSubscription)b).isClosed());
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void racingSubscribersNeverExceedTheLimit() throws Exception
    {
        final int limit = 3;
        final int threads = 6;
        final GossipConfig config = GossipConfig.builder().maxTopics(limit).build();
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine engine = cluster.get(0);
            for (int run = 0; run < 200; run++)
            {
                final CyclicBarrier start = new CyclicBarrier(threads);
                final List<Future<Subscription>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++)
                {
                    final TopicId topic = TopicId.of("race-" + run + "-" + t);
                    results.add(pool.submit(() ->
                    {
                        start.await();
                        try
                        {
                            return engine.subscribe(topic, List.of());
                        }
                        catch (final IllegalStateException refused)
                        {
                            return null;
                        }
                    }));
                }
                final List<Subscription> accepted = new ArrayList<>();
                for (final Future<Subscription> f : results)
                {
                    final Subscription s = f.get();
                    if (s != null)
                    {
                        accepted.add(s);
                    }
                }
                assertEquals(limit, accepted.size(), "run " + run);
                accepted.forEach(Subscription::close);
                assertEquals(0, engine.topicCount());
            }
            await("every subscribe and close handled",
                () -> engine.counter(EngineCounter.EVENTS_DISPATCHED) >= 200 * limit * 2);
            assertEquals(0, engine.counter(EngineCounter.SUBSCRIPTIONS_FAILED), "the protocol never saw a 4th topic");
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
