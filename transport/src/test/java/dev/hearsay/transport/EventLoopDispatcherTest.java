package dev.hearsay.transport;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TransportOptions#dispatcherOnEventLoop()}: the dispatcher runs on the node's event loop (its thread is the
 * dispatcher thread), messages flow both ways without a lost wake-up, and the node closes from any thread, the
 * event loop's own included, freeing its port.
 */
@Timeout(60)
final class EventLoopDispatcherTest
{
    private static final TopicId TOPIC = TopicId.of("event-loop-dispatcher");

    private static GossipNode start(final IoMode mode)
    {
        return ClusterTest.loopback(mode)
            .transportOptions(TransportOptions.defaults().withIoMode(mode).withDispatcherOnEventLoop(true))
            .start();
    }

    /**
     * Two publishers per node, in bursts with gaps in which both event loops go back to sleep in the selector: every
     * message arrives on the other side, so every publish (from a user thread, and from the socket on the loop
     * itself) found the loop awake or woke it.
     */
    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"EPOLL", "NIO"})
    void messagesFlowBothWaysWithTheDispatcherOnTheEventLoop(final IoMode mode) throws Exception
    {
        NativeIo.assumeAvailable(mode);
        try (GossipNode a = start(mode); GossipNode b = start(mode))
        {
            assertTrue(a.engine().dispatcherThread().getName().startsWith("hearsay-io-"),
                a.engine().dispatcherThread().getName());
            b.addPeer(a.addr());
            a.addPeer(b.addr());
            final AtomicLong atA = new AtomicLong();
            final AtomicLong atB = new AtomicLong();
            final AtomicReference<Thread> deliveredOn = new AtomicReference<>();
            final Subscription subA = a.subscribe(TOPIC, List.of(), SubscriptionOptions.defaults()
                .withDispatcherHandler(counting(atA, null)));
            final Subscription subB = b.subscribe(TOPIC, List.of(a.id()), SubscriptionOptions.defaults()
                .withDispatcherHandler(counting(atB, deliveredOn)));
            subB.joined().get(20, TimeUnit.SECONDS);
            subA.joined().get(20, TimeUnit.SECONDS);
            final int bursts = 200;
            final int burst = 10;
            final Thread[] publishers = {
                publisher(subA, bursts, burst), publisher(subA, bursts, burst),
                publisher(subB, bursts, burst), publisher(subB, bursts, burst)};
            for (final Thread t : publishers)
            {
                t.join();
            }
            final long each = 2L * bursts * burst;
            assertTrue(Await.until(() -> atA.get() == each && atB.get() == each, 20_000),
                "a received " + atA.get() + ", b received " + atB.get() + " of " + each);
            assertSame(b.engine().dispatcherThread(), deliveredOn.get());
            assertEquals(0, a.transport().counters().badFrames.get() + b.transport().counters().badFrames.get());
        }
    }

    /** close() from a user thread returns with the port free and the event loop gone. */
    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"EPOLL", "NIO"})
    void closeFromAUserThreadFreesThePort(final IoMode mode) throws Exception
    {
        NativeIo.assumeAvailable(mode);
        final GossipNode node = start(mode);
        node.subscribe(TOPIC, List.of());
        final Thread loop = node.engine().dispatcherThread();
        final InetSocketAddress address = node.localAddress();
        node.close();
        assertTrue(node.engine().isClosed());
        try (ServerSocket again = new ServerSocket(address.getPort(), 50, address.getAddress()))
        {
            assertTrue(again.isBound());
        }
        loop.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(loop.isAlive(), "the event loop thread ended");
    }

    /**
     * A handler on the event loop closes its own node: nothing waits for itself (Netty would refuse a blocking wait on
     * its loop), the node leaves its topic politely, and the port and the thread are released soon after.
     */
    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"EPOLL", "NIO"})
    void closeFromAHandlerOnTheEventLoop(final IoMode mode) throws Exception
    {
        NativeIo.assumeAvailable(mode);
        try (GossipNode a = start(mode))
        {
            final AtomicReference<GossipNode> self = new AtomicReference<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final GossipNode b = start(mode);
            self.set(b);
            b.addPeer(a.addr());
            final Subscription subA = a.subscribe(TOPIC, List.of());
            final Subscription subB = b.subscribe(TOPIC, List.of(a.id()), SubscriptionOptions.defaults()
                .withDispatcherHandler(new GossipHandler()
                {
                    @Override
                    public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset,
                        final int length, final NodeId author, final NodeId deliveredFrom, final int hops)
                    {
                        try
                        {
                            self.get().close();
                        }
                        catch (final Throwable t)
                        {
                            failure.set(t);
                        }
                    }
                }));
            subB.joined().get(20, TimeUnit.SECONDS);
            final Thread loop = b.engine().dispatcherThread();
            final InetSocketAddress address = b.localAddress();
            assertTrue(subA.broadcast("close yourself".getBytes(StandardCharsets.US_ASCII)) >= 0);
            assertTrue(Await.until(() -> !loop.isAlive(), 20_000), "b's event loop ended");
            assertEquals(null, failure.get());
            assertTrue(b.engine().isClosed());
            // b left the topic: a's view of it empties (a Disconnect, or the socket closing).
            assertTrue(Await.until(() -> a.transport().connectedPeerCount() == 0, 20_000));
            try (ServerSocket again = new ServerSocket(address.getPort(), 50, address.getAddress()))
            {
                assertTrue(again.isBound());
            }
            catch (final IOException ex)
            {
                throw new AssertionError("b's port is still bound", ex);
            }
        }
    }

    private static GossipHandler counting(final AtomicLong count, final AtomicReference<Thread> thread)
    {
        return new GossipHandler()
        {
            @Override
            public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
                final NodeId author, final NodeId deliveredFrom, final int hops)
            {
                if (thread != null)
                {
                    thread.set(Thread.currentThread());
                }
                count.incrementAndGet();
            }
        };
    }

    private static Thread publisher(final Subscription sub, final int bursts, final int burst)
    {
        final Thread t = new Thread(() ->
        {
            final byte[] payload = new byte[32];
            for (int i = 0; i < bursts; i++)
            {
                for (int j = 0; j < burst; j++)
                {
                    while (sub.broadcast(payload) == BroadcastResult.BACK_PRESSURED)
                    {
                        Thread.yield();
                    }
                }
                // A gap in which the event loops run out of work and sleep in the selector.
                LockSupport.parkNanos(1_000_000);
            }
        });
        t.start();
        return t;
    }
}
