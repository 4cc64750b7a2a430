package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection admission: the cap on unauthenticated connections, the rate per source, and established peers served
 * while handshakes flood in or wait for the handshake threads.
 */
class ConnectionAdmissionTest
{
    private static final Logger QUIET = Logger.getLogger("dev.hearsay");
    private final List<GossipNode> nodes = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void close() throws IOException
    {
        for (final Socket s : sockets)
        {
            s.close();
        }
        nodes.forEach(GossipNode::close);
        QUIET.setLevel(null);
    }

    @Test
    @Timeout(60)
    void unauthenticatedConnectionsBeyondTheCapAreRefusedAndCounted() throws Exception
    {
        final GossipNode node = start(TransportOptions.defaults().withMaxUnauthenticatedConnections(3)
            .withNewConnectionsPerSource(0, 1).withHandshakeTimeoutMillis(30_000));
        final TransportCounters counters = node.transport().counters();
        // Two silent connections: they never handshake, so they keep their places.
        connect(node, 2);
        assertTrue(Await.until(() -> node.transport().unauthenticatedConnections() == 2, 10_000),
            "unauthenticated " + node.transport().unauthenticatedConnections());

        // A real peer takes the third place for its handshake, and gives it back once authenticated.
        final GossipNode peer = start(TransportOptions.defaults());
        peer.addPeer(node.addr());
        final TopicId topic = TopicId.of("admission-cap");
        node.subscribe(topic, List.of());
        peer.subscribe(topic, List.of(node.id())).joined().get(20, TimeUnit.SECONDS);
        assertTrue(Await.until(() -> node.transport().unauthenticatedConnections() == 2, 10_000),
            "unauthenticated after the peer's handshake " + node.transport().unauthenticatedConnections());
        assertEquals(0, counters.connectionsRefusedUnauthenticated.get());

        // Five more silent ones: one gets the free place, four are refused at once.
        connect(node, 5);
        assertTrue(Await.until(() -> counters.connectionsRefusedUnauthenticated.get() == 4, 10_000),
            "refused " + counters);
        assertEquals(3, node.transport().unauthenticatedConnections());
        assertEquals(4, counters.connectionsRefusedTotal());
        assertTrue(counters.accepted.get() >= 4, "2 silent, the peer, 1 silent: " + counters);

        // Places are given back when the connections close.
        for (final Socket s : sockets)
        {
            s.close();
        }
        assertTrue(Await.until(() -> node.transport().unauthenticatedConnections() == 0, 10_000),
            "unauthenticated after the close " + node.transport().unauthenticatedConnections());
    }

    @Test
    @Timeout(60)
    void aSourceOverItsRateIsRefusedAndCounted() throws Exception
    {
        final GossipNode node = start(TransportOptions.defaults().withNewConnectionsPerSource(1, 5)
            .withHandshakeTimeoutMillis(30_000));
        final TransportCounters counters = node.transport().counters();
        final long start = System.nanoTime();
        final int attempts = 20;
        connect(node, attempts);
        assertTrue(Await.until(() -> counters.accepted.get() + counters.connectionsRefusedSourceRate.get()
            == attempts, 10_000), counters.toString());
        final double seconds = (System.nanoTime() - start) / 1e9;
        // A burst of 5, then 1 a second: whatever the machine's speed, most of the 20 are refused.
        final long allowed = 5 + (long)Math.ceil(seconds) + 1;
        assertTrue(counters.accepted.get() <= allowed, counters.accepted.get() + " accepted in " + seconds + " s");
        assertTrue(counters.connectionsRefusedSourceRate.get() >= attempts - allowed, counters.toString());
        assertEquals(0, counters.connectionsRefusedUnauthenticated.get());

        // Another source has a bucket of its own (Linux routes all of 127/8 to loopback; elsewhere, skipped).
        final Socket other = new Socket();
        sockets.add(other);
        final long acceptedBefore = counters.accepted.get();
        final long refusedBefore = counters.connectionsRefusedSourceRate.get();
        try
        {
            other.bind(new InetSocketAddress("127.0.0.2", 0));
        }
        catch (final IOException e)
        {
            return;
        }
        other.connect(node.localAddress(), 5_000);
        assertTrue(Await.until(() -> counters.accepted.get() == acceptedBefore + 1, 10_000), counters.toString());
        assertEquals(refusedBefore, counters.connectionsRefusedSourceRate.get());
    }

    /**
     * A flood of connections with a HELLO and a forged PROOF (each would cost the node a signature and a
     * verification) from the address the honest peer also uses: the established peer's broadcasts all arrive, and
     * the node handshakes no more of the flood than the per-source rate allows (without the limit it tried every
     * one of them).
     */
    @Test
    @Timeout(120)
    void anEstablishedPeerKeepsDeliveringWhileAHandshakeFloodArrives() throws Exception
    {
        QUIET.setLevel(Level.SEVERE);
        final TransportOptions options = TransportOptions.defaults().withHandshakeTimeoutMillis(2_000);
        final GossipNode node = start(options);
        final GossipNode honest = start(options);
        honest.addPeer(node.addr());
        final TopicId topic = TopicId.of("admission-flood");
        final Subscription atNode = node.subscribe(topic, List.of());
        final Subscription atHonest = honest.subscribe(topic, List.of(node.id()));
        atHonest.joined().get(20, TimeUnit.SECONDS);
        final TransportCounters counters = node.transport().counters();
        final long handshakesBefore = counters.handshakes.get();

        final AtomicBoolean flooding = new AtomicBoolean(true);
        final AtomicLong floodConnections = new AtomicLong();
        final List<Thread> flood = new ArrayList<>();
        final long start = System.nanoTime();
        for (int t = 0; t < 16; t++)
        {
            final Random random = new Random(t);
            final Thread thread = new Thread(() ->
            {
                while (flooding.get())
                {
                    floodConnections.incrementAndGet();
                    forgedHandshake(node.localAddress(), random);
                }
            }, "flood-" + t);
            thread.setDaemon(true);
            thread.start();
            flood.add(thread);
        }
        final int messages = 50;
        for (int i = 0; i < messages; i++)
        {
            while (atHonest.broadcast(("m" + i).getBytes(StandardCharsets.UTF_8)) < 0)
            {
                Thread.onSpinWait();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        final Set<String> got = new HashSet<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < messages && System.nanoTime() < deadline)
        {
            final GossipEvent e = atNode.next(Duration.ofMillis(100));
            if (e instanceof GossipEvent.Received r)
            {
                got.add(new String(r.content(), StandardCharsets.UTF_8));
            }
        }
        flooding.set(false);
        for (final Thread t : flood)
        {
            t.join(10_000);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(messages, got.size(), "the established peer's broadcasts during the flood");

        final long floodHandshakes = counters.handshakeFailures.get() + counters.handshakes.get() - handshakesBefore;
        final long allowed = options.newConnectionBurstPerSource()
            + (long)Math.ceil(seconds * options.newConnectionsPerSecondPerSource()) + 1;
        assertTrue(floodConnections.get() > 2 * allowed, "the flood was too slow to test anything: "
            + floodConnections.get() + " connections in " + seconds + " s");
        assertTrue(floodHandshakes <= allowed, floodHandshakes + " of " + floodConnections.get()
            + " flood connections got a handshake in " + seconds + " s; " + counters);
        assertTrue(counters.connectionsRefusedSourceRate.get() >= floodConnections.get() - allowed,
            counters.toString());
        assertTrue(honest.transport().connectedPeerCount() == 1, "the honest peer kept its connection");
    }

    /**
     * While the handshake threads are held (a handshake waiting for its signature check), the event loop still
     * carries the established connection's frames: no handshake work runs on it.
     */
    @Test
    @Timeout(90)
    void handshakesWaitingForTheirSignaturesDoNotHoldEstablishedTraffic() throws Exception
    {
        final TransportOptions options = TransportOptions.defaults().withHandshakeTimeoutMillis(60_000);
        final GossipNode node = start(options);
        final GossipNode honest = start(options);
        honest.addPeer(node.addr());
        final TopicId topic = TopicId.of("admission-held");
        final Subscription atNode = node.subscribe(topic, List.of());
        final Subscription atHonest = honest.subscribe(topic, List.of(node.id()));
        atHonest.joined().get(20, TimeUnit.SECONDS);

        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        node.nettyTransport().handshakeExecutor().beforeEachJob(() ->
        {
            entered.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        });
        final GossipNode late = start(options);
        late.addPeer(node.addr());
        final Subscription atLate = late.subscribe(topic, List.of(node.id()));
        assertTrue(entered.await(20, TimeUnit.SECONDS), "the newcomer's handshake reached the handshake threads");
        try
        {
            final int messages = 20;
            for (int i = 0; i < messages; i++)
            {
                while (atHonest.broadcast(("h" + i).getBytes(StandardCharsets.UTF_8)) < 0)
                {
                    Thread.onSpinWait();
                }
            }
            final List<GossipEvent.Received> got = ClusterTest.receive(atNode, messages);
            assertEquals(messages, got.size(), "established traffic while a handshake waits");
            assertEquals(1, node.transport().unauthenticatedConnections(), "the newcomer is still handshaking");
        }
        finally
        {
            node.nettyTransport().handshakeExecutor().beforeEachJob(null);
            release.countDown();
        }
        atLate.joined().get(30, TimeUnit.SECONDS);
    }

    private GossipNode start(final TransportOptions options)
    {
        final GossipNode n = ClusterTest.loopback(IoMode.AUTO).transportOptions(options).start();
        nodes.add(n);
        return n;
    }

    /** Opens {@code count} connections to {@code node} that send nothing (kept open until the test ends). */
    private void connect(final GossipNode node, final int count) throws IOException
    {
        final InetSocketAddress at = node.localAddress();
        for (int i = 0; i < count; i++)
        {
            final Socket s = new Socket();
            sockets.add(s);
            s.connect(at, 5_000);
        }
    }

    /** One connection: a HELLO under a random id and a PROOF with a random signature, then reads until closed. */
    private static void forgedHandshake(final InetSocketAddress at, final Random random)
    {
        try (Socket s = new Socket())
        {
            s.setSoLinger(true, 0);
            s.connect(at, 5_000);
            s.setSoTimeout(10_000);
            final byte[] id = new byte[32];
            random.nextBytes(id);
            final byte[] nonce = new byte[Handshake.NONCE_LENGTH];
            random.nextBytes(nonce);
            final byte[] signature = new byte[NodeKey.SIGNATURE_LENGTH];
            random.nextBytes(signature);
            final ByteBuf b = Unpooled.buffer();
            Handshake.writeHello(b, dev.hearsay.NodeId.fromBytes(id), nonce, random.nextLong(), new byte[0]);
            Handshake.writeProof(b, signature);
            final byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            final OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            final InputStream in = s.getInputStream();
            final byte[] sink = new byte[4096];
            while (in.read(sink) >= 0)
            {
                // until the node closes
            }
        }
        catch (final IOException e)
        {
            // refused or reset: what a flood gets
        }
    }
}
