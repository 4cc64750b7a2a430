package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Join;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A neighbor that stops reading is disconnected when its queue overflows; everyone else is unaffected. */
@Timeout(60)
class SlowPeerTest
{
    @Test
    void peerThatNeverReadsIsDisconnectedAndOthersGetEverything() throws Exception
    {
        final TopicId topic = TopicId.of("slow");
        // A small queue and in-flight bound keep the test short; their ratio is the default one.
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO)
            .config(GossipConfig.builder().maxInFlightBroadcastBytes(16 * 1024).maxInFlightFrameBytes(16 * 1024).build())
            .transportOptions(TransportOptions.defaults().withOutboundQueueBytes(64 * 1024)).start();
        final GossipNode honest = ClusterTest.loopback(IoMode.AUTO).start();
        try (node; honest; Socket stalled = new Socket())
        {
            honest.addPeer(node.addr());
            final Subscription s = node.subscribe(topic, List.of());
            final Subscription h = honest.subscribe(topic, List.of(node.id()));
            h.joined().get(10, TimeUnit.SECONDS);

            // An authenticated peer that joins the topic, then never reads again.
            stalled.setReceiveBufferSize(4096);
            final InetSocketAddress at = node.localAddress();
            stalled.connect(at);
            final NodeKey key = NodeKey.fromSeed(4242);
            final DataInputStream in = new DataInputStream(stalled.getInputStream());
            final byte[] hello = new byte[in.readInt()];
            in.readFully(hello);
            final Handshake.Hello theirs = Handshake.readHello(Unpooled.wrappedBuffer(hello), 4096);
            final byte[] nonce = new byte[32];
            final ByteBuf out = Unpooled.buffer();
            Handshake.writeHello(out, key.id(), nonce, 1, new byte[0]);
            Handshake.writeProof(out, key, theirs.id(), nonce, theirs.nonce());
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
            final int length = new MessageEncoder().encode(new Join().set(null).topic(topic), frame, 0);
            out.writeInt(length);
            out.writeBytes(frame.byteArray(), 0, length);
            final byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            stalled.getOutputStream().write(bytes);
            assertTrue(Await.until(() -> node.engine().protocolStats().controlSent > 0
                && s.neighbors().contains(key.id()), 10_000), "the stalled peer never became a neighbor");

            final AtomicInteger received = new AtomicInteger();
            final Thread reader = new Thread(() ->
            {
                try
                {
                    while (received.get() < 3_000)
                    {
                        final GossipEvent e = h.next(Duration.ofMillis(100));
                        if (e instanceof GossipEvent.Received)
                        {
                            received.incrementAndGet();
                        }
                        if (Thread.interrupted())
                        {
                            return;
                        }
                    }
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            reader.start();
            final byte[] payload = new byte[GossipConfig.defaults().maxMessageSize()];
            for (int i = 0; i < 3_000; i++)
            {
                while (s.broadcast(payload) < 0)
                {
                    Thread.onSpinWait();
                }
            }
            assertTrue(Await.until(() -> node.transport().counters().slowPeerDisconnects.get() >= 1, 20_000),
                "slow peer never disconnected: " + node.transport().counters());
            assertTrue(Await.until(() -> !s.neighbors().contains(key.id()), 10_000),
                "the slow peer is still a neighbor");
            reader.join(30_000);
            assertEquals(3_000, received.get(), () -> "the honest peer lost messages\n"
                + RaceOverTcpTest.diagnostics(node, honest, topic));
        }
    }
}
