package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Gossip;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the engine tests: clusters on an in-memory network, raw frames, condition polling. */
final class EngineTestSupport
{
    static final Duration WAIT = Duration.ofSeconds(10);

    private EngineTestSupport()
    {
    }

    static NodeKey key(final int i)
    {
        return NodeKey.fromSeed(1000L + i);
    }

    /** Polls {@code condition} until true or the timeout; fails with {@code what} on timeout. */
    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(50_000);
        }
    }

    /** Encodes a Gossip frame as {@code author} would send it. */
    static UnsafeBuffer gossipFrame(final TopicId topic, final NodeId author, final long sequence, final int hops,
        final byte[] payload)
    {
        final Gossip gossip = new Gossip();
        gossip.set(author, 1, sequence, hops, false).payload(new UnsafeBuffer(payload), 0, payload.length)
            .topic(topic);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageEncoder.encodedLength(gossip)]);
        new MessageEncoder().encode(gossip, buffer, 0);
        return buffer;
    }

    /** Reads events until a Received matching {@code payload} arrives; fails on timeout. Returns it. */
    /**
     * Reads {@code sub} until a message whose payload is {@code marker} arrives (ring order is delivery order, so
     * everything handled before it has been delivered) and returns the payloads received before it, as UTF-8.
     *
     * @throws AssertionError if the marker does not come within {@link #WAIT}.
     */
    static List<String> receivedBefore(final Subscription sub, final String marker) throws InterruptedException
    {
        final List<String> got = new ArrayList<>();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            final GossipEvent e = sub.next(Duration.ofMillis(100));
            if (e instanceof GossipEvent.Received r)
            {
                final String s = new String(r.content(), java.nio.charset.StandardCharsets.UTF_8);
                if (s.equals(marker))
                {
                    return got;
                }
                got.add(s);
            }
        }
        throw new AssertionError("marker " + marker + " not received; got " + got);
    }

    static GossipEvent.Received awaitReceived(final Subscription sub, final byte[] payload)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            final GossipEvent e = sub.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e instanceof GossipEvent.Received r && java.util.Arrays.equals(r.content(), payload))
            {
                return r;
            }
        }
        fail("message not received: " + new String(payload));
        return null;
    }

    /** Several engines on one in-memory network; closes them all. */
    static final class Cluster implements AutoCloseable
    {
        final InMemoryNetwork network;
        final List<GossipEngine> engines = new ArrayList<>();
        final List<InMemoryTransport> transports = new ArrayList<>();

        Cluster(final int size, final GossipConfig config)
        {
            this(size, config, new InMemoryNetwork());
        }

        Cluster(final int size, final GossipConfig config, final InMemoryNetwork network)
        {
            this.network = network;
            for (int i = 0; i < size; i++)
            {
                final NodeKey key = key(i);
                final InMemoryTransport transport = network.transport(key.id());
                transports.add(transport);
                engines.add(new GossipEngine(key, config, transport, 42 + i, 1));
            }
        }

        Cluster start()
        {
            engines.forEach(GossipEngine::start);
            return this;
        }

        GossipEngine get(final int i)
        {
            return engines.get(i);
        }

        /**
         * Subscribes every engine to {@code topic}, node 0 first and each next one through the one before it, and
         * waits until all have joined; returns the subscriptions in node order.
         */
        List<Subscription> chain(final TopicId topic) throws Exception
        {
            final List<Subscription> subs = new ArrayList<>();
            subs.add(get(0).subscribe(topic, List.of()));
            for (int n = 1; n < engines.size(); n++)
            {
                subs.add(get(n).subscribe(topic, List.of(id(n - 1))));
            }
            for (final Subscription sub : subs)
            {
                sub.joined().get();
            }
            return subs;
        }

        NodeId id(final int i)
        {
            return engines.get(i).id();
        }

        @Override
        public void close()
        {
            engines.forEach(GossipEngine::close);
        }
    }
}
