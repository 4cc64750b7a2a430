package dev.hearsay.engine;

import dev.hearsay.BroadcastResult;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.awaitReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dispatcher run by a transport's thread ({@link DispatcherHost}): the host's thread is the dispatcher thread, a
 * publish wakes a sleeping host (no event waits for a timer), and close works from any thread, the host's included.
 */
final class HostedDispatcherTest
{
    private static final TopicId TOPIC = TopicId.of("hosted");

    /**
     * A host as the contract describes it, on a thread of its own: announce the sleep, look at the ring once more,
     * park. Its sleep is {@code sleepNanos} long, so a lost wake-up shows as a stall far beyond the tests' waits.
     */
    static final class ThreadHost implements DispatcherHost
    {
        private final long sleepNanos;
        private final AtomicBoolean sleeping = new AtomicBoolean();
        private final AtomicReference<HostedDispatcher> offered = new AtomicReference<>();
        private final CountDownLatch offeredLatch = new CountDownLatch(1);
        final AtomicLong sleeps = new AtomicLong();
        final AtomicLong busy = new AtomicLong();
        final AtomicLong pending = new AtomicLong();
        final Thread thread;

        ThreadHost(final String name, final long sleepNanos)
        {
            this.sleepNanos = sleepNanos;
            this.thread = new Thread(this::loop, name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public Thread host(final HostedDispatcher dispatcher)
        {
            offered.set(dispatcher);
            offeredLatch.countDown();
            return thread;
        }

        @Override
        public void wake()
        {
            if (Thread.currentThread() != thread && sleeping.compareAndSet(true, false))
            {
                LockSupport.unpark(thread);
            }
        }

        private void loop()
        {
            try
            {
                offeredLatch.await();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final HostedDispatcher dispatcher = offered.get();
            dispatcher.start();
            while (true)
            {
                final int work = dispatcher.doWork();
                if (work < 0)
                {
                    return;
                }
                if (work > 0)
                {
                    busy.incrementAndGet();
                }
                if (work == 0)
                {
                    sleeping.set(true);
                    if (dispatcher.hasWork())
                    {
                        pending.incrementAndGet();
                    }
                    else
                    {
                        sleeps.incrementAndGet();
                        LockSupport.parkNanos(sleepNanos);
                    }
                    sleeping.set(false);
                }
            }
        }
    }

    /** An in-memory endpoint whose dispatcher runs on a {@link ThreadHost}. */
    static final class HostedTransport implements Transport
    {
        final InMemoryTransport delegate;
        final ThreadHost host;

        HostedTransport(final InMemoryTransport delegate, final ThreadHost host)
        {
            this.delegate = delegate;
            this.host = host;
        }

        @Override
        public void bind(final NetworkEvents events)
        {
            delegate.bind(events);
        }

        @Override
        public boolean send(final NodeId peer, final DirectBuffer frame, final int offset, final int length)
        {
            return delegate.send(peer, frame, offset, length);
        }

        @Override
        public void disconnect(final NodeId peer)
        {
            delegate.disconnect(peer);
        }

        @Override
        public int flush()
        {
            return delegate.flush();
        }

        @Override
        public void onContactData(final NodeId peer, final byte[] data)
        {
            delegate.onContactData(peer, data);
        }

        @Override
        public DispatcherHost dispatcherHost()
        {
            return host;
        }

        @Override
        public void close()
        {
            delegate.close();
        }
    }

    private static final class Pair implements AutoCloseable
    {
        final GossipEngine a;
        final GossipEngine b;
        final HostedTransport ta;
        final HostedTransport tb;

        Pair(final long sleepNanos)
        {
            final InMemoryNetwork network = new InMemoryNetwork();
            ta = new HostedTransport(network.transport(EngineTestSupport.key(0).id()),
                new ThreadHost("host-a", sleepNanos));
            tb = new HostedTransport(network.transport(EngineTestSupport.key(1).id()),
                new ThreadHost("host-b", sleepNanos));
            a = new GossipEngine(EngineTestSupport.key(0), GossipConfig.defaults(), ta, 42, 1).start();
            b = new GossipEngine(EngineTestSupport.key(1), GossipConfig.defaults(), tb, 43, 1).start();
        }

        @Override
        public void close()
        {
            a.close();
            b.close();
        }
    }

    @Test
    @Timeout(30)
    void theHostThreadIsTheDispatcherThreadAndMessagesFlow() throws Exception
    {
        try (Pair pair = new Pair(HostedDispatcher.MAX_SLEEP_NANOS))
        {
            assertSame(pair.ta.host.thread, pair.a.dispatcherThread());
            final Subscription atA = pair.a.subscribe(TOPIC, List.of());
            final Subscription atB = pair.b.subscribe(TOPIC, List.of(pair.a.id()));
            atB.joined().get(10, TimeUnit.SECONDS);
            final byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            assertTrue(atA.broadcast(hello) >= 0);
            awaitReceived(atB, hello);
        }
    }

    /**
     * Hosts that sleep 60 s unless woken: every message still arrives at once, so each publish found its host awake
     * or woke it. Publishers pause now and then so that the hosts fall asleep between bursts many times over.
     */
    @Test
    @Timeout(60)
    void aPublishAlwaysWakesASleepingHost() throws Exception
    {
        try (Pair pair = new Pair(TimeUnit.SECONDS.toNanos(60)))
        {
            final AtomicLong received = new AtomicLong();
            final Subscription atA = pair.a.subscribe(TOPIC, List.of());
            final Subscription atB = pair.b.subscribe(TOPIC, List.of(pair.a.id()), onMessage(received::incrementAndGet));
            atB.joined().get(10, TimeUnit.SECONDS);
            final int publishers = 3;
            // Small bursts, long gaps: even interpreted (a cold JVM handles an event in about 10 us) the hosts
            // finish each burst and go to sleep before the next.
            final int bursts = 200;
            final int burst = 5;
            final Thread[] threads = new Thread[publishers];
            for (int p = 0; p < publishers; p++)
            {
                threads[p] = new Thread(() ->
                {
                    final byte[] payload = new byte[16];
                    for (int i = 0; i < bursts; i++)
                    {
                        for (int j = 0; j < burst; j++)
                        {
                            while (atA.broadcast(payload) == BroadcastResult.BACK_PRESSURED)
                            {
                                // Not a spin: on two cores, spinning publishers would starve the hosts.
                                Thread.yield();
                            }
                        }
                        LockSupport.parkNanos(1_000_000);
                    }
                });
                threads[p].start();
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            final long expected = (long)publishers * bursts * burst;
            await("every message at b", () -> received.get() == expected);
            // The wake-up path was taken many times over (a lost one would have stalled the test for a minute).
            assertTrue(pair.ta.host.sleeps.get() > 50, "host a slept " + pair.ta.host.sleeps.get() + " times");
            assertTrue(pair.tb.host.sleeps.get() > 50, "host b slept " + pair.tb.host.sleeps.get() + " times");
        }
    }

    @Test
    @Timeout(30)
    void closeFromAnotherThreadStopsTheDispatcherAndThenClosesTheTransport() throws Exception
    {
        final Pair pair = new Pair(HostedDispatcher.MAX_SLEEP_NANOS);
        try
        {
            final Subscription atB = pair.b.subscribe(TOPIC, List.of(pair.a.id()));
            pair.a.subscribe(TOPIC, List.of());
            atB.joined().get(10, TimeUnit.SECONDS);
            pair.a.close();
            assertTrue(pair.ta.delegate.closed, "a's transport closed by close()");
            pair.ta.host.thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(pair.ta.host.thread.isAlive(), "the host's loop ended: doWork returned -1");
            // a left the topic politely: b saw its neighbor go.
            await("b's neighbor down", () -> neighborDown(atB));
        }
        finally
        {
            pair.close();
        }
    }

    /** A handler on the host thread closes its own engine: nothing waits for itself, the transport still closes. */
    @Test
    @Timeout(30)
    void closeFromAHandlerOnTheHostThread() throws Exception
    {
        final Pair pair = new Pair(HostedDispatcher.MAX_SLEEP_NANOS);
        try
        {
            final AtomicReference<Thread> closedOn = new AtomicReference<>();
            final Subscription atA = pair.a.subscribe(TOPIC, List.of());
            final Subscription atB = pair.b.subscribe(TOPIC, List.of(pair.a.id()), onMessage(() ->
                {
                    closedOn.set(Thread.currentThread());
                    pair.b.close();
                }));
            atB.joined().get(10, TimeUnit.SECONDS);
            assertTrue(atA.broadcast("bye".getBytes(StandardCharsets.US_ASCII)) >= 0);
            await("b's transport closed by its dispatcher", () -> pair.tb.delegate.closed);
            assertSame(pair.tb.host.thread, closedOn.get());
            assertTrue(pair.b.isClosed());
            pair.tb.host.thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(pair.tb.host.thread.isAlive(), "the host's loop ended");
        }
        finally
        {
            pair.close();
        }
    }

    /** Subscription options whose dispatcher handler runs {@code action} on every message. */
    private static SubscriptionOptions onMessage(final Runnable action)
    {
        return SubscriptionOptions.defaults().withDispatcherHandler(new GossipHandler()
        {
            @Override
            public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
                final NodeId author, final NodeId deliveredFrom, final int hops)
            {
                action.run();
            }
        });
    }

    private static boolean neighborDown(final Subscription sub)
    {
        try
        {
            dev.hearsay.GossipEvent e;
            while ((e = sub.next(java.time.Duration.ofMillis(1))) != null)
            {
                if (e instanceof dev.hearsay.GossipEvent.NeighborDown)
                {
                    return true;
                }
            }
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    @Timeout(30)
    void aSpinningIdleStrategyKeepsTheHostAwake() throws Exception
    {
        final InMemoryNetwork network = new InMemoryNetwork();
        final HostedTransport t = new HostedTransport(network.transport(EngineTestSupport.key(0).id()),
            new ThreadHost("host-spin", TimeUnit.SECONDS.toNanos(60)));
        final GossipEngine engine = new GossipEngine(EngineTestSupport.key(0),
            GossipConfig.builder().idleStrategy(new org.agrona.concurrent.BusySpinIdleStrategy()).build(), t, 42, 1)
            .start();
        try
        {
            engine.subscribe(TOPIC, List.of());
            // With a busy-spin strategy the host must not sleep at all: hasWork stays true on idle turns.
            await("idle turns", () -> t.host.pending.get() > 10_000);
            assertEquals(0, t.host.sleeps.get());
        }
        finally
        {
            engine.close();
        }
    }
}
