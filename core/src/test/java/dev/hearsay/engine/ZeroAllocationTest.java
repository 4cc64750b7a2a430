package dev.hearsay.engine;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipConfig;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.Validation;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady state allocates nothing per message: three engines on the in-memory network, one publishing, two
 * receiving; after a warm-up that fills the bounded caches and buffers, the dispatcher threads (frame decoding,
 * protocol, forwarding, IHave batching, delivery), the publishing thread and the subscriber's polling thread
 * allocate no bytes for tens of thousands of messages.
 * <p>
 * Robust by construction: the publisher keeps at most {@link #WINDOW} messages undelivered (so nothing overflows
 * and the overlay stays as it is), and of several measured rounds the least is judged: a regression allocates in
 * every round, while a one-off (a timer's first run, a deoptimisation) cannot make a round allocate less.
 */
final class ZeroAllocationTest
{
    private static final TopicId TOPIC = TopicId.of("zero-allocation");
    private static final int PAYLOAD = 64;
    private static final int WINDOW = 512;
    private static final int WARMUP_MESSAGES = 30_000;
    private static final int ROUND_MESSAGES = 20_000;
    private static final int ROUNDS = 4;
    /** Bytes per delivery tolerated in the best round, for all threads together. */
    private static final double TOLERANCE = 0.05;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    /** Polls the receivers' subscriptions and counts deliveries, in all and per receiver; allocates nothing itself. */
    private static final class Consumer extends Thread implements GossipHandler
    {
        final Subscription[] subscriptions;
        final AtomicLong delivered = new AtomicLong();
        /** Deliveries at the receiver behind: no buffer may hold more than the window. */
        final AtomicLong[] deliveredAt;
        private int polling;
        volatile boolean running = true;

        Consumer(final Subscription... subscriptions)
        {
            super("zero-allocation-consumer");
            this.subscriptions = subscriptions;
            this.deliveredAt = new AtomicLong[subscriptions.length];
            for (int i = 0; i < subscriptions.length; i++)
            {
                deliveredAt[i] = new AtomicLong();
            }
            setDaemon(true);
        }

        /** The fewest deliveries at any one receiver. */
        long slowest()
        {
            long min = Long.MAX_VALUE;
            for (final AtomicLong d : deliveredAt)
            {
                min = Math.min(min, d.get());
            }
            return min;
        }

        @Override
        public void run()
        {
            while (running)
            {
                int work = 0;
                for (int i = 0; i < subscriptions.length; i++)
                {
                    polling = i;
                    work += subscriptions[i].poll(this, 256);
                }
                if (work == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
            final NodeId author, final NodeId deliveredFrom, final int hops)
        {
            delivered.lazySet(delivered.get() + 1);
            deliveredAt[polling].lazySet(deliveredAt[polling].get() + 1);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void steadyStateAllocatesNothingPerMessage() throws Exception
    {
        measure(SubscriptionOptions.defaults());
    }

    /** The same with a validator on each receiver that accepts everything: validation allocates nothing either. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void steadyStateWithAcceptingValidatorsAllocatesNothingPerMessage() throws Exception
    {
        measure(SubscriptionOptions.defaults().withValidator(
            (topic, buffer, offset, length, author, from, hops) -> length == PAYLOAD ? Validation.ACCEPT :
                Validation.REJECT));
    }

    private static void measure(final SubscriptionOptions receivers) throws Exception
    {
        assertTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation per thread");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        // Small bounded structures, so that the warm-up fills them: payload cache, ring, subscriber buffers. The
        // payload caches hold a few times the publishing window: at full speed a receiver whose tree edges an
        // in-flight copy pruned grafts hundreds of messages, and caches that turn over faster than the answers
        // come lose them (the bounded cache's policy), which this test would take for a stall.
        final GossipConfig config = GossipConfig.builder()
            .ringSize(1024)
            .subscriptionCapacity(1024)
            .payloadCacheEntries(16384)
            .payloadCacheBytes(4 << 20)
            .build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(3, config).start())
        {
            final Subscription publisher = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)), receivers);
            final Subscription c = cluster.get(2).subscribe(TOPIC, List.of(cluster.id(0), cluster.id(1)), receivers);
            b.joined().get();
            c.joined().get();
            await("a connected overlay", () -> publisher.neighbors().size() == 2);
            final Consumer consumer = new Consumer(b, c);
            final java.util.function.Supplier<String> diagnostics = () ->
            {
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 3; i++)
                {
                    sb.append("node ").append(i).append(':');
                    for (final EngineCounter counter : EngineCounter.values())
                    {
                        final long v = cluster.get(i).counter(counter);
                        if (v != 0)
                        {
                            sb.append(' ').append(counter.name()).append('=').append(v);
                        }
                    }
                    sb.append(' ').append(cluster.get(i).protocolStats()).append('\n');
                }
                return sb.toString();
            };
            consumer.start();
            try
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
                long published = publish(publisher, payload, consumer, 0, WARMUP_MESSAGES, diagnostics);
                final long[] threads = {
                    cluster.get(0).dispatcherThread().getId(), cluster.get(1).dispatcherThread().getId(),
                    cluster.get(2).dispatcherThread().getId(), consumer.getId(), Thread.currentThread().getId()};
                final long[] before = new long[threads.length];
                final long[] after = new long[threads.length];
                double best = Double.MAX_VALUE;
                final StringBuilder rounds = new StringBuilder();
                for (int round = 0; round < ROUNDS; round++)
                {
                    read(threads, before);
                    final long deliveredBefore = consumer.delivered.get();
                    published = publish(publisher, payload, consumer, published, ROUND_MESSAGES, diagnostics);
                    read(threads, after);
                    final long deliveries = consumer.delivered.get() - deliveredBefore;
                    long bytes = 0;
                    rounds.append(String.format(Locale.ROOT, "%nround %d: %,d deliveries:", round + 1, deliveries));
                    for (int i = 0; i < threads.length; i++)
                    {
                        bytes += after[i] - before[i];
                        rounds.append(String.format(Locale.ROOT, " %,d", after[i] - before[i]));
                    }
                    rounds.append(" B (dispatchers 0-2, consumer, publisher)");
                    assertEquals(2L * ROUND_MESSAGES, deliveries, "every message reaches both receivers");
                    best = Math.min(best, (double)bytes / deliveries);
                }
                System.out.println("allocation per round, by thread:" + rounds);
                if (receivers.validator() != null)
                {
                    assertTrue(cluster.get(1).counter(EngineCounter.MESSAGES_VALIDATED) >= ROUND_MESSAGES,
                        "the receivers validated");
                }
                assertTrue(best <= TOLERANCE, String.format(Locale.ROOT,
                    "%.4f B per delivery in the best round (tolerance %.2f):%s", best, TOLERANCE, rounds));
            }
            finally
            {
                consumer.running = false;
                consumer.join();
            }
        }
    }

    /**
     * Broadcasts {@code count} messages, keeping at most {@link #WINDOW} of them undelivered, and returns once
     * both receivers have all of them. Allocates nothing.
     */
    private static long publish(final Subscription publisher, final UnsafeBuffer payload, final Consumer consumer,
        final long publishedBefore, final int count, final java.util.function.Supplier<String> diagnostics)
    {
        long published = publishedBefore;
        final long target = publishedBefore + count;
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (published < target || consumer.delivered.get() < 2 * target)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("stalled: " + published + " published, " + consumer.delivered.get()
                    + " delivered; " + diagnostics.get());
            }
            // Per receiver: a window on the total would let one buffer fill while the other is empty.
            if (published < target && published - consumer.slowest() < WINDOW)
            {
                payload.putLong(0, published);
                if (publisher.broadcast(payload, 0, PAYLOAD) != BroadcastResult.BACK_PRESSURED)
                {
                    published++;
                    continue;
                }
            }
            Thread.onSpinWait();
        }
        return published;
    }

    private static void read(final long[] threads, final long[] into)
    {
        for (int i = 0; i < threads.length; i++)
        {
            into[i] = THREADS.getThreadAllocatedBytes(threads[i]);
        }
    }
}
