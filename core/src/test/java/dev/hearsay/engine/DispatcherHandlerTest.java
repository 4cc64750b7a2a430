package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.awaitReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SubscriptionOptions.dispatcherHandler: events handed over on the dispatcher thread, in order, and failures contained. */
final class DispatcherHandlerTest
{
    private static final TopicId TOPIC = TopicId.of("dispatcher-handler");
    private static final int MESSAGES = 2_000;

    /** Records every event with the name of the thread that handed it over. */
    private static final class Recording implements GossipHandler
    {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        final Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
            final NodeId author, final NodeId deliveredFrom, final int hops)
        {
            threads.add(Thread.currentThread().getName());
            events.add(buffer.getStringWithoutLengthAscii(offset, length));
        }

        @Override
        public void onNeighborUp(final NodeId peer)
        {
            threads.add(Thread.currentThread().getName());
            events.add("up");
        }

        long messages()
        {
            return events.stream().filter(e -> e.startsWith("m")).count();
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void broadcastAll(final Subscription from, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = bytes("m" + i);
            while (from.broadcast(payload) < 0)
            {
                Thread.yield();
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void eventsReachTheHandlerOnTheDispatcherThreadInOrder() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
            {
                final Recording handler = new Recording();
                final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
                final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)),
                    SubscriptionOptions.defaults().withDispatcherHandler(handler));
                a.joined().get();
                b.joined().get();
                broadcastAll(a, MESSAGES);
                await("all messages handed to the handler", () -> handler.messages() == MESSAGES);

                final List<String> expected = new ArrayList<>();
                expected.add("up");
                for (int i = 0; i < MESSAGES; i++)
                {
                    expected.add("m" + i);
                }
                assertEquals(expected, new ArrayList<>(handler.events), "one author, one link: in order");
                assertEquals(1, handler.threads.size(), "one thread: " + handler.threads);
                assertTrue(handler.threads.iterator().next().startsWith("hearsay-dispatcher"), handler.threads
                    .toString());
                assertEquals(MESSAGES, cluster.get(1).counter(EngineCounter.MESSAGES_DELIVERED));

                assertThrows(IllegalStateException.class, () -> b.poll((t, buf, o, l, au, f, h) -> { }, 10));
                assertThrows(IllegalStateException.class, () -> b.next(Duration.ofMillis(1)));
                assertThrows(IllegalStateException.class, () -> b.wakeOnEvents(Thread.currentThread()));
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aThrowingHandlerIsCountedAndTheNodeKeepsServing() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
        {
            final Recording recording = new Recording();
            final GossipHandler failing = new GossipHandler()
            {
                @Override
                public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset,
                    final int length, final NodeId author, final NodeId deliveredFrom, final int hops)
                {
                    final int n = Integer.parseInt(buffer.getStringWithoutLengthAscii(offset + 1, length - 1));
                    if (n % 4 == 0)
                    {
                        throw new IllegalArgumentException("multiple of 4: " + n);
                    }
                    if (n % 2 == 0)
                    {
                        throw new StackOverflowError("even " + n); // an Error is contained too
                    }
                    recording.onMessage(topic, buffer, offset, length, author, deliveredFrom, hops);
                }
            };
            final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)),
                SubscriptionOptions.defaults().withDispatcherHandler(failing));
            final Subscription buffered = cluster.get(1).subscribe(TOPIC, List.of());
            a.joined().get();
            b.joined().get();
            broadcastAll(a, 100);
            await("the odd half handled", () -> recording.messages() == 50);
            for (int i = 0; i < 100; i++)
            {
                awaitReceived(buffered, bytes("m" + i));
            }
            assertEquals(50, cluster.get(1).counter(EngineCounter.HANDLER_ERRORS));
            assertEquals(150, cluster.get(1).counter(EngineCounter.MESSAGES_DELIVERED), "100 buffered, 50 handled");
            assertEquals(0, cluster.get(1).counter(EngineCounter.DISPATCH_ERRORS));

            // The node still serves: a later message reaches both subscriptions.
            assertTrue(a.broadcast(bytes("m101")) >= 0);
            awaitReceived(buffered, bytes("m101"));
            await("m101 handled", () -> recording.events.contains("m101"));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHandlerMayCloseItsSubscriptionWithoutWaitingForItsOwnThread() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
            {
                final Recording recording = new Recording();
                final Subscription[] self = new Subscription[1];
                final GossipHandler closing = new GossipHandler()
                {
                    @Override
                    public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset,
                        final int length, final NodeId author, final NodeId deliveredFrom, final int hops)
                    {
                        recording.onMessage(topic, buffer, offset, length, author, deliveredFrom, hops);
                        if (buffer.getStringWithoutLengthAscii(offset, length).equals("m9"))
                        {
                            self[0].close();
                        }
                    }
                };
                final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
                final Subscription buffered = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
                self[0] = cluster.get(1).subscribe(TOPIC, List.of(),
                    SubscriptionOptions.defaults().withDispatcherHandler(closing));
                a.joined().get();
                self[0].joined().get();
                broadcastAll(a, 50);
                for (int i = 0; i < 50; i++)
                {
                    awaitReceived(buffered, bytes("m" + i));
                }
                assertEquals(10, recording.messages(), "nothing after the close: " + recording.events);
                assertTrue(((EngineSubscription)self[0]).isClosed());
            }
        }
    }

    /** Two handlers answer each other from their dispatcher threads: a ping-pong of 2,000 exchanges, no deadlock. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void handlersMayBroadcastFromTheDispatcherThread() throws Exception
    {
        final int exchanges = 2_000;
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, GossipConfig.defaults()).start())
        {
            final Subscription[] subs = new Subscription[2];
            final java.util.concurrent.atomic.AtomicLong[] seen = {
                new java.util.concurrent.atomic.AtomicLong(), new java.util.concurrent.atomic.AtomicLong()};
            final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
            for (int side = 0; side < 2; side++)
            {
                final int me = side;
                final GossipHandler answer = new GossipHandler()
                {
                    private final org.agrona.concurrent.UnsafeBuffer reply =
                        new org.agrona.concurrent.UnsafeBuffer(new byte[8]);

                    @Override
                    public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset,
                        final int length, final NodeId author, final NodeId deliveredFrom, final int hops)
                    {
                        final long n = buffer.getLong(offset);
                        seen[me].set(n);
                        if (n < exchanges)
                        {
                            reply.putLong(0, n + 1);
                            if (subs[me].broadcast(reply, 0, 8) < 0)
                            {
                                refused.incrementAndGet(); // the ring was full: it never waits here
                            }
                        }
                    }
                };
                subs[side] = cluster.get(side).subscribe(TOPIC, side == 0 ? List.of() : List.of(cluster.id(0)),
                    SubscriptionOptions.defaults().withDispatcherHandler(answer));
            }
            subs[0].joined().get();
            subs[1].joined().get();
            final org.agrona.concurrent.UnsafeBuffer first = new org.agrona.concurrent.UnsafeBuffer(new byte[8]);
            first.putLong(0, 1);
            assertTrue(subs[0].broadcast(first, 0, 8) >= 0);
            await("the ping-pong ends", () -> Math.max(seen[0].get(), seen[1].get()) == exchanges);
            assertEquals(0, refused.get());
            assertEquals(0, cluster.get(0).counter(EngineCounter.HANDLER_ERRORS)
                + cluster.get(1).counter(EngineCounter.HANDLER_ERRORS));
        }
    }
}
