package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.NodeAddr;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Garbage on a socket closes that connection, with a counter, and nothing else: the node keeps delivering to
 * its honest peer after every kind of bad input.
 */
@Timeout(60)
class BadInputTest
{
    private GossipNode node;
    private GossipNode honest;
    private Subscription atNode;
    private Subscription atHonest;
    private final TopicId topic = TopicId.of("bad-input");

    @BeforeEach
    void start() throws Exception
    {
        // A linger far beyond the read timeouts below: a peer dropped for bad input must be closed at once, not
        // after lingering like a neighbor the protocol merely no longer needs.
        node = ClusterTest.loopback(IoMode.AUTO).transportOptions(TransportOptions.defaults().withLingerMillis(60_000))
            .start();
        honest = ClusterTest.loopback(IoMode.AUTO).start();
        honest.addPeer(node.addr());
        atNode = node.subscribe(topic, List.of());
        atHonest = honest.subscribe(topic, List.of(node.id()));
        atHonest.joined().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @AfterEach
    void stop()
    {
        honest.close();
        node.close();
    }

    private void assertStillServes(final String text) throws Exception
    {
        assertTrue(atNode.broadcast(text.getBytes(StandardCharsets.UTF_8)) >= 0);
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline)
        {
            final GossipEvent e = atHonest.next(Duration.ofMillis(100));
            if (e instanceof GossipEvent.Received r && new String(r.content(), StandardCharsets.UTF_8).equals(text))
            {
                return;
            }
        }
        throw new AssertionError("honest peer did not get " + text);
    }

    /** Sends bytes on a raw socket and asserts the node closes the connection. */
    private void assertClosedAfter(final byte[] bytes, final boolean halfCloseAfter) throws IOException
    {
        final InetSocketAddress at = node.localAddress();
        try (Socket s = new Socket(at.getAddress(), at.getPort()))
        {
            s.setSoTimeout(10_000);
            final OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            if (halfCloseAfter)
            {
                s.shutdownOutput();
            }
            final InputStream in = s.getInputStream();
            // The node sends its HELLO first; after that the stream must end (closed by the node).
            final byte[] sink = new byte[4096];
            int total = 0;
            int n;
            try
            {
                while ((n = in.read(sink)) >= 0)
                {
                    total += n;
                    assertTrue(total < 1_000_000, "node keeps talking to a bad connection");
                }
            }
            catch (final java.net.SocketException reset)
            {
                // A reset is a close too.
            }
        }
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception
    {
        final Random random = new Random(42);
        for (int i = 0; i < 20; i++)
        {
            final byte[] junk = new byte[1 + random.nextInt(2000)];
            random.nextBytes(junk);
            junk[0] = 0; // keep the length below the maximum half of the time to reach deeper checks
            assertClosedAfter(junk, true);
        }
        assertTrue(node.transport().counters().badInputTotal() >= 20,
            "counters: " + node.transport().counters());
        assertStillServes("after-random");
    }

    @Test
    void hugeLengthClosesBeforeAllocating() throws Exception
    {
        final long before = node.transport().counters().oversizedFrames.get();
        assertClosedAfter(new byte[]{0x7f, (byte)0xff, (byte)0xff, (byte)0xff, 1, 2, 3}, false);
        assertEquals(before + 1, node.transport().counters().oversizedFrames.get());
        assertStillServes("after-huge");
    }

    @Test
    void truncatedFrameCloses() throws Exception
    {
        final long before = node.transport().counters().truncated.get();
        assertClosedAfter(new byte[]{0, 0, 0, 100, 1, 2, 3}, true);
        assertEquals(before + 1, node.transport().counters().truncated.get());
        assertStillServes("after-truncated");
    }

    @Test
    void impostorClaimingAnotherIdIsRejected() throws Exception
    {
        // A client that knows the honest node's id but not its key: a HELLO claiming it, then a bogus PROOF.
        final long before = node.transport().counters().handshakeFailures.get();
        final ByteBuf buf = Unpooled.buffer();
        Handshake.writeHello(buf, honest.id(), new byte[32], 7, new byte[0]);
        Handshake.writeProof(buf, NodeKey.fromSeed(99), node.id(), new byte[32], new byte[32]);
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        assertClosedAfter(bytes, false);
        assertEquals(before + 1, node.transport().counters().handshakeFailures.get());
        assertStillServes("after-impostor");
    }

    @Test
    void dialledNodeAnsweringWithAnotherIdIsDropped() throws Exception
    {
        // The node believes a made-up id lives at the honest node's address: the handshake shows otherwise.
        final NodeId ghost = NodeKey.fromSeed(1234).id();
        node.addPeer(new NodeAddr(ghost, List.of(honest.localAddress())));
        final long before = node.transport().counters().handshakeFailures.get();
        final Subscription probe = node.subscribe(TopicId.of("ghost"), List.of(ghost));
        assertTrue(Await.until(() -> node.transport().counters().handshakeFailures.get() > before, 10_000));
        assertTrue(Await.until(() -> node.transport().counters().dialFailures.get() >= 1, 10_000),
            "the failed handshake must count as a failed dial");
        probe.close();
        assertStillServes("after-ghost");
    }

    @Test
    void unknownMessageTypeAfterHandshakeDropsOnlyThatPeer() throws Exception
    {
        // A real, authenticated peer that sends a frame the codec rejects.
        final NodeKey key = NodeKey.fromSeed(555);
        final InetSocketAddress at = node.localAddress();
        try (Socket s = new Socket(at.getAddress(), at.getPort()))
        {
            s.setSoTimeout(10_000);
            final DataInputStream in = new DataInputStream(s.getInputStream());
            final int helloLength = in.readInt();
            final byte[] hello = new byte[helloLength];
            in.readFully(hello);
            final ByteBuf parsedFrame = Unpooled.wrappedBuffer(hello);
            final Handshake.Hello theirs = Handshake.readHello(parsedFrame, 4096);
            final byte[] myNonce = new byte[32];
            new Random(1).nextBytes(myNonce);
            final ByteBuf out = Unpooled.buffer();
            Handshake.writeHello(out, key.id(), myNonce, 1, new byte[0]);
            Handshake.writeProof(out, key, theirs.id(), myNonce, theirs.nonce());
            out.writeInt(3);
            out.writeBytes(new byte[]{1, 99, 0});
            final byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            final byte[] sink = new byte[4096];
            try
            {
                while (in.read(sink) >= 0)
                {
                    // drain until the node closes
                }
            }
            catch (final java.net.SocketException reset)
            {
                // closed
            }
        }
        assertTrue(Await.until(() -> node.counter(dev.hearsay.engine.EngineCounter.FRAMES_INVALID) >= 1, 5_000));
        assertStillServes("after-unknown-type");
    }
}
