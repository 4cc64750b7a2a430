package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeKey;
import dev.hearsay.OverflowPolicy;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay whose downstream peer drains slower than its upstream publishes. If the peer says it holds its reads on
 * purpose ({@link HoldSignal}, as a node does to pass back-pressure on or while its readers catch up), the relay
 * must push back: it holds its reads, the publisher's queue fills and the publisher sees BACK_PRESSURED, and the peer
 * gets everything. If the peer drains slowly without saying so, it is a slow peer: the relay isolates it and stops
 * pushing to it, and announces to it what it no longer pushes, so that nothing passes it by unannounced.
 */
@Timeout(120)
class RelayFlowControlTest
{
    private static final int MESSAGES = 20_000;

    @RepeatedTest(3)
    void relayHoldsItsReadsForAPeerThatHoldsOnPurposeAndNothingIsLost() throws Exception
    {
        final Run run = run(true);
        final TransportCounters relayCounters = run.relayCounters;
        assertEquals(0, relayCounters.slowPeerDisconnects.get(), "the relay cut the slow peer: " + relayCounters);
        assertEquals(MESSAGES, run.pushed.cardinality(), "the slow peer missed messages: " + relayCounters);
        assertEquals(0, run.duplicates);
        assertTrue(relayCounters.readHolds.get() > 0, "the relay never held its reads: " + relayCounters);
        assertTrue(run.refused > 0, "the publisher was never held back");
        assertEquals(0, relayCounters.peersIsolated.get(), "a peer holding on purpose was isolated: " + relayCounters);
    }

    @RepeatedTest(3)
    void aPeerThatDrainsSlowlyWithoutHoldingOnPurposeIsIsolatedAndEveryMessageIsPushedOrAnnouncedToIt()
        throws Exception
    {
        final Run run = run(false);
        final TransportCounters relayCounters = run.relayCounters;
        assertTrue(relayCounters.peersIsolated.get() > 0, "the slow peer was never isolated: " + relayCounters);
        assertEquals(0, relayCounters.slowPeerDisconnects.get(), "the relay cut the slow peer: " + relayCounters);
        assertTrue(run.pushed.cardinality() < MESSAGES, "isolated, yet pushed everything: " + relayCounters);
        final BitSet told = (BitSet)run.pushed.clone();
        told.or(run.announced);
        assertEquals(MESSAGES, told.cardinality(), "messages neither pushed nor announced: " + relayCounters);
        assertEquals(0, run.duplicates);
    }

    /** What one run saw: the publisher's sequences pushed to and announced to the slow peer. */
    private record Run(BitSet pushed, BitSet announced, int duplicates, long refused, TransportCounters relayCounters)
    {
    }

    /**
     * A publisher, a relay, and a raw peer that joins through the relay only and reads about 4 KiB every 2 ms,
     * saying that it holds its reads on purpose if {@code holdsOnPurpose}; the publisher broadcasts
     * {@link #MESSAGES} messages as fast as it may.
     */
    private static Run run(final boolean holdsOnPurpose) throws Exception
    {
        final TopicId topic = TopicId.of("relay");
        final TransportOptions options = TransportOptions.defaults()
            .withOutboundQueueBytes(1024 * 1024)
            .withCongestionBytes(32 * 1024)
            .withSocketBufferBytes(32 * 1024);
        final GossipConfig config = GossipConfig.builder()
            .maxInFlightBroadcastBytes(256 * 1024)
            .maxInFlightFrameBytes(256 * 1024)
            .build();
        final GossipNode relay = ClusterTest.loopback(IoMode.AUTO).config(config).transportOptions(options).start();
        final GossipNode publisher = ClusterTest.loopback(IoMode.AUTO).config(config).transportOptions(options).start();
        try (relay; publisher; Socket slow = new Socket())
        {
            publisher.addPeer(relay.addr());
            // The relay's own subscription is not read here: it must not hold the relay for its reader.
            final Subscription r = relay.subscribe(topic, List.of(),
                SubscriptionOptions.defaults().withOverflow(OverflowPolicy.DROP));
            final Subscription p = publisher.subscribe(topic, List.of(relay.id()));
            p.joined().get(10, TimeUnit.SECONDS);

            slow.setReceiveBufferSize(16 * 1024);
            slow.connect(relay.localAddress());
            final NodeKey key = NodeKey.fromSeed(77);
            handshakeAndJoin(slow, key, topic);
            if (holdsOnPurpose)
            {
                slow.getOutputStream().write(new byte[] {0, 0, 0, HoldSignal.LENGTH, 1});
            }
            assertTrue(Await.until(() -> r.neighbors().contains(key.id()), 10_000),
                "the slow peer never became a neighbor");

            final BitSet pushed = new BitSet(MESSAGES + 1);
            final BitSet announced = new BitSet(MESSAGES + 1);
            final AtomicInteger duplicates = new AtomicInteger();
            final Thread reader = new Thread(() -> readSlowly(slow, publisher, pushed, announced, duplicates),
                "slow-reader");
            reader.start();

            final byte[] payload = new byte[64];
            long refused = 0;
            for (int i = 0; i < MESSAGES; i++)
            {
                while (p.broadcast(payload) < 0)
                {
                    refused++;
                    Thread.onSpinWait();
                }
            }
            reader.join(TimeUnit.SECONDS.toMillis(60));
            synchronized (pushed)
            {
                return new Run((BitSet)pushed.clone(), (BitSet)announced.clone(), duplicates.get(), refused,
                    relay.transport().counters());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void queueTooSmallForTheFlowControlIsRefusedAtStartNamingTheSetting()
    {
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> ClusterTest.loopback(IoMode.AUTO)
                .transportOptions(TransportOptions.defaults().withOutboundQueueBytes(1024 * 1024)).start());
        assertTrue(e.getMessage().startsWith("outboundQueueBytes: 1048576 is below"), e.getMessage());
    }

    /**
     * Reads frames in small slices with pauses, recording the sequence of every Gossip from {@code author} in
     * {@code seen} and of every IHave entry of its in {@code announced}, until every sequence is in one of them.
     */
    private static void readSlowly(final Socket socket, final GossipNode author, final BitSet seen,
        final BitSet announced, final AtomicInteger duplicates)
    {
        final MessageDecoder decoder = new MessageDecoder(GossipConfig.defaults());
        final byte[] buffer = new byte[1 << 20];
        int filled = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long lastBeat = System.nanoTime();
        try
        {
            final InputStream in = socket.getInputStream();
            while (System.nanoTime() < deadline)
            {
                synchronized (seen)
                {
                    final BitSet told = (BitSet)seen.clone();
                    told.or(announced);
                    if (told.cardinality() == MESSAGES)
                    {
                        return;
                    }
                }
                final int n = in.read(buffer, filled, Math.min(4096, buffer.length - filled));
                if (n < 0)
                {
                    return;
                }
                filled += n;
                // A live peer: it says so now and then, as every node's failure detector expects.
                if (System.nanoTime() - lastBeat > TimeUnit.MILLISECONDS.toNanos(200))
                {
                    socket.getOutputStream().write(new byte[4]);
                    lastBeat = System.nanoTime();
                }
                int at = 0;
                while (filled - at >= 4)
                {
                    final int length = ((buffer[at] & 0xFF) << 24) | ((buffer[at + 1] & 0xFF) << 16)
                        | ((buffer[at + 2] & 0xFF) << 8) | (buffer[at + 3] & 0xFF);
                    if (filled - at - 4 < length)
                    {
                        break;
                    }
                    if (length <= HoldSignal.LENGTH)
                    {
                        // A heartbeat or a hold signal: the transport's, not a message.
                        at += 4 + length;
                        continue;
                    }
                    final Message m = decoder.decode(new UnsafeBuffer(buffer, at + 4, length), 0, length);
                    if (m.type() == MessageType.IHAVE)
                    {
                        final IHave ihave = (IHave)m;
                        synchronized (seen)
                        {
                            for (int i = 0; i < ihave.size(); i++)
                            {
                                if (ihave.author(i).equals(author.id()))
                                {
                                    final int first = (int)ihave.firstSequence(i);
                                    announced.set(first, first + ihave.count(i));
                                }
                            }
                        }
                    }
                    if (m.type() == MessageType.GOSSIP && ((Gossip)m).author().equals(author.id()))
                    {
                        final int seq = (int)((Gossip)m).sequence();
                        synchronized (seen)
                        {
                            if (seen.get(seq))
                            {
                                duplicates.incrementAndGet();
                            }
                            seen.set(seq);
                        }
                    }
                    at += 4 + length;
                }
                System.arraycopy(buffer, at, buffer, 0, filled - at);
                filled -= at;
                // The slow consumer: a pause after every slice (this paces the reader; nothing waits on it).
                TimeUnit.MILLISECONDS.sleep(2);
            }
        }
        catch (final java.io.IOException | InterruptedException e)
        {
            // The relay closed the connection (the failure the test reports) or the test ended.
        }
    }

    /** Completes the identity handshake as {@code key} and joins {@code topic}. */
    static void handshakeAndJoin(final Socket socket, final NodeKey key, final TopicId topic) throws Exception
    {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
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
        socket.getOutputStream().write(bytes);
        // The relay's proof: one frame, before any protocol message.
        in.readFully(new byte[in.readInt()]);
    }
}
