package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure detector over real sockets: a peer that keeps its connection open but sends nothing (a frozen
 * process, a pulled cable) is convicted and reported down; heartbeats keep an idle peer up; heartbeats are refused
 * before the handshake and in a flood.
 */
@Timeout(60)
class SilentPeerTest
{
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private final TopicId topic = TopicId.of("silent");

    private static GossipNode node()
    {
        return ClusterTest.loopback(IoMode.AUTO)
            .config(GossipConfig.builder().failureDetectionTimeout(TIMEOUT).build())
            .transportOptions(TransportOptions.defaults().withLingerMillis(60_000))
            .start();
    }

    /** Reads events until one of {@code type} arrives; fails after 10 s. */
    private static <T extends GossipEvent> T await(final Subscription s, final Class<T> type) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            final GossipEvent e = s.next(Duration.ofMillis(100));
            if (type.isInstance(e))
            {
                return type.cast(e);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
    }

    @Test
    void peerThatFallsSilentIsConvictedAfterTheTimeoutAndReportedDown() throws Exception
    {
        try (GossipNode node = node(); Socket frozen = new Socket())
        {
            final Subscription s = node.subscribe(topic, List.of());
            frozen.connect(node.localAddress());
            final NodeKey key = NodeKey.fromSeed(7001);
            RelayFlowControlTest.handshakeAndJoin(frozen, key, topic);
            final long lastSent = System.nanoTime();
            assertEquals(key.id(), await(s, GossipEvent.NeighborUp.class).peer());

            // From here on the peer sends nothing and reads nothing, and its socket stays open: no FIN, no RST.
            final GossipEvent.NeighborDown down = await(s, GossipEvent.NeighborDown.class);
            final long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSent);
            assertEquals(key.id(), down.peer());
            assertTrue(silentMillis >= TIMEOUT.toMillis(), "convicted after " + silentMillis + " ms of silence");
            assertEquals(1, node.transport().counters().peersConvicted.get());
            assertTrue(Await.until(() -> node.transport().openChannels() == 0, 5_000), "its connection was closed");
            assertEquals(0, node.transport().counters().badInputTotal(), "silence is not bad input");
        }
    }

    @Test
    void idlePeerThatSendsHeartbeatsStaysUpAndIsSentHeartbeats() throws Exception
    {
        try (GossipNode node = node(); Socket peer = new Socket())
        {
            final Subscription s = node.subscribe(topic, List.of());
            peer.connect(node.localAddress());
            RelayFlowControlTest.handshakeAndJoin(peer, NodeKey.fromSeed(7002), topic);
            await(s, GossipEvent.NeighborUp.class);
            final DataOutputStream out = new DataOutputStream(peer.getOutputStream());
            final DataInputStream in = new DataInputStream(peer.getInputStream());
            peer.setSoTimeout(5);

            // Six timeouts of nothing but heartbeats, one every fifth of the timeout (a pause of 100 ms each time,
            // well inside the timeout), while reading what the node sends.
            int heartbeatsFromNode = 0;
            final long end = System.nanoTime() + 6 * TIMEOUT.toNanos();
            long nextBeat = System.nanoTime();
            while (System.nanoTime() < end)
            {
                if (System.nanoTime() >= nextBeat)
                {
                    out.writeInt(0);
                    out.flush();
                    nextBeat += TIMEOUT.toNanos() / 5;
                }
                heartbeatsFromNode += readHeartbeats(in);
            }
            assertEquals(0, node.transport().counters().peersConvicted.get());
            assertTrue(s.neighbors().contains(NodeKey.fromSeed(7002).id()), "still a neighbor");
            assertTrue(node.transport().counters().heartbeatsReceived.get() >= 25,
                "heartbeats counted: " + node.transport().counters().heartbeatsReceived.get());
            // The node heartbeats a link it has nothing to send on: at least one per heartbeat interval, about 24.
            assertTrue(heartbeatsFromNode >= 12, "heartbeats from the node: " + heartbeatsFromNode);
        }
    }

    /** Reads frames until none is waiting; returns how many were heartbeats (length 0). */
    private static int readHeartbeats(final DataInputStream in) throws IOException
    {
        int heartbeats = 0;
        try
        {
            while (true)
            {
                final int length = in.readInt();
                if (length == 0)
                {
                    heartbeats++;
                }
                else
                {
                    in.readFully(new byte[length]);
                }
            }
        }
        catch (final SocketTimeoutException e)
        {
            return heartbeats;
        }
    }

    @Test
    void twoIdleNodesKeepTheirLinkThroughHeartbeats() throws Exception
    {
        try (GossipNode a = node(); GossipNode b = node())
        {
            b.addPeer(a.addr());
            final Subscription atA = a.subscribe(topic, List.of());
            final Subscription atB = b.subscribe(topic, List.of(a.id()));
            atB.joined().get(10, TimeUnit.SECONDS);
            await(atA, GossipEvent.NeighborUp.class);
            final long sentBefore = a.transport().counters().heartbeatsSent.get();
            // Six timeouts with nothing to send: the link must stay up all along.
            final long end = System.nanoTime() + 6 * TIMEOUT.toNanos();
            while (System.nanoTime() < end)
            {
                assertTrue(atA.neighbors().contains(b.id()) && atB.neighbors().contains(a.id()),
                    "the idle link was dropped");
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertTrue(a.transport().counters().heartbeatsSent.get() - sentBefore >= 6,
                "heartbeats: " + (a.transport().counters().heartbeatsSent.get() - sentBefore));
            assertEquals(0, a.transport().counters().peersConvicted.get());
            assertEquals(0, b.transport().counters().peersConvicted.get());
            atA.broadcast(new byte[]{1, 2, 3});
            assertInstanceOf(GossipEvent.Received.class, await(atB, GossipEvent.Received.class));
        }
    }

    @Test
    void heartbeatBeforeTheHandshakeClosesTheConnection() throws Exception
    {
        try (GossipNode node = node(); Socket stranger = new Socket())
        {
            stranger.connect(node.localAddress());
            final DataOutputStream out = new DataOutputStream(stranger.getOutputStream());
            out.writeInt(0);
            out.flush();
            assertClosed(stranger);
            assertTrue(Await.until(() -> node.transport().counters().handshakeFailures.get() == 1, 5_000));
        }
    }

    @Test
    void heartbeatFloodClosesTheConnectionAndOnlyIt() throws Exception
    {
        try (GossipNode node = node(); GossipNode honest = node(); Socket flooder = new Socket())
        {
            honest.addPeer(node.addr());
            final Subscription s = node.subscribe(topic, List.of());
            final Subscription h = honest.subscribe(topic, List.of(node.id()));
            h.joined().get(10, TimeUnit.SECONDS);
            flooder.connect(node.localAddress());
            RelayFlowControlTest.handshakeAndJoin(flooder, NodeKey.fromSeed(7003), topic);
            final byte[] flood = new byte[4 * (ConnectionLiveness.MAX_HEARTBEATS_PER_SECOND + 1)];
            flooder.getOutputStream().write(flood);
            flooder.getOutputStream().flush();
            assertClosed(flooder);
            assertTrue(Await.until(() -> node.transport().counters().badFrames.get() == 1, 5_000));
            s.broadcast(new byte[]{42});
            assertInstanceOf(GossipEvent.Received.class, await(h, GossipEvent.Received.class));
        }
    }

    /** Reads until the node closes the socket; fails if it stays open for 10 s. */
    private static void assertClosed(final Socket socket) throws IOException
    {
        socket.setSoTimeout(10_000);
        final InputStream in = socket.getInputStream();
        try
        {
            while (in.read(new byte[4096]) >= 0)
            {
                // what the node sent before closing
            }
        }
        catch (final EOFException | java.net.SocketException e)
        {
            return; // closed (a reset reads as an exception)
        }
    }
}
