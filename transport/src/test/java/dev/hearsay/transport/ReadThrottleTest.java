package dev.hearsay.transport;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.engine.EngineCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read limit ({@link TransportOptions#readLimitBytesPerSecond()}): the node's token bucket, a connection that
 * stops reading while the bucket refills, how that composes with the inbound handler's own pauses, and two nodes on
 * loopback where the throttled one receives at about its limit while its sender is back-pressured.
 */
@Timeout(60)
class ReadThrottleTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Counts read requests going out of the pipeline (towards the socket). */
    private static final class Reads extends ChannelOutboundHandlerAdapter
    {
        int requested;

        @Override
        public void read(final ChannelHandlerContext ctx)
        {
            requested++;
            ctx.read();
        }
    }

    private final AtomicLong clock = new AtomicLong();
    private final NettyTransport transport =
        new NettyTransport(NodeKey.fromSeed(1), TransportOptions.defaults(), 1024, 64);
    private final RefusingRing ring = new RefusingRing(frame -> frame.getInt(0, java.nio.ByteOrder.BIG_ENDIAN));
    private final Reads reads = new Reads();

    @Test
    void theBucketKeepsTheNodeWithinItsLimit()
    {
        final ReadThrottle bucket = new ReadThrottle(1_000, new TransportCounters(), clock::get);
        assertEquals(0, bucket.take(20, 0), "20 ms of the limit may come at once");
        assertEquals(100 * MS, bucket.take(100, 0), "100 bytes owed at 1,000 B/s: 100 ms");
        assertEquals(50 * MS, bucket.take(0, 50 * MS), "half refilled");
        assertEquals(0, bucket.take(0, 100 * MS), "refilled");
        assertEquals(0, bucket.take(0, 10_000 * MS), "ten idle seconds ...");
        assertEquals(MS, bucket.take(21, 10_000 * MS), "... save up no more than 20 ms of the limit");
    }

    @Test
    void whatTheBucketOwesIsBounded()
    {
        // A peer that shut its side is read to the end whatever autoRead says: that must not stop the node for long.
        final ReadThrottle bucket = new ReadThrottle(1_000_000, new TransportCounters(), clock::get);
        assertEquals(250 * MS, bucket.take(10_000_000, 0), "at most 250 ms of the limit owed");
        assertEquals(0, bucket.take(0, 250 * MS));
    }

    /** The throttle, then the inbound path as a socket has it after the handshake. */
    private EmbeddedChannel channel(final ReadThrottle throttle)
    {
        final FrameDecoder framing = new FrameDecoder(1024, transport.counters());
        final InboundFrameHandler handler =
            new InboundFrameHandler(transport, ring, NodeKey.fromSeed(2).id(), transport.counters());
        final EmbeddedChannel channel = new EmbeddedChannel(reads, throttle.newHandler(), framing, handler);
        framing.sink(handler);
        channel.freezeTime();
        return channel;
    }

    /** {@code count} frames of 12 bytes on the wire (a 4-byte number, then 4 more) from {@code first} on. */
    private static ByteBuf frames(final int first, final int count)
    {
        final ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(count * (FrameDecoder.PREFIX + 8));
        for (int i = 0; i < count; i++)
        {
            buf.writeInt(8).writeInt(first + i).writeInt(0);
        }
        return buf;
    }

    private static List<Integer> indexes(final int count)
    {
        final List<Integer> all = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            all.add(i);
        }
        return all;
    }

    private void advance(final EmbeddedChannel channel, final long nanos)
    {
        clock.addAndGet(nanos);
        channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    @Test
    void aConnectionOverTheLimitStopsReadingUntilTheBucketRefills()
    {
        final ReadThrottle throttle = new ReadThrottle(1_000, transport.counters(), clock::get);
        final EmbeddedChannel channel = channel(throttle);
        final int requestedBefore = reads.requested;
        channel.writeInbound(frames(0, 10)); // 120 bytes against a burst of 20: 100 owed, 100 ms
        assertEquals(indexes(10), ring.received, "what was read is handed on at once");
        assertFalse(channel.config().isAutoRead(), "reading must stop");
        assertEquals(1, transport.counters().readThrottleWaits.get());
        channel.read();
        assertEquals(requestedBefore, reads.requested, "no read may reach the socket while the bucket refills");

        advance(channel, 60 * MS);
        assertFalse(channel.config().isAutoRead(), "still owing 40 bytes");
        assertEquals(requestedBefore, reads.requested);
        advance(channel, 40 * MS);
        assertTrue(channel.config().isAutoRead(), "reading resumes once the bucket has refilled");
        assertTrue(reads.requested > requestedBefore, "and a read is asked for");
        channel.writeInbound(frames(10, 1));
        assertEquals(indexes(11), ring.received);
        channel.finishAndReleaseAll();
    }

    /** A full ring (the inbound handler's pause) outlasts the throttle: reads stay off until the frames fit. */
    @Test
    void aFullRingKeepsReadsOffAfterTheThrottleEnds()
    {
        final ReadThrottle throttle = new ReadThrottle(1_000, transport.counters(), clock::get);
        final EmbeddedChannel channel = channel(throttle);
        ring.refusals = 1_000;
        channel.writeInbound(frames(0, 10));
        assertFalse(channel.config().isAutoRead());
        advance(channel, 200 * MS);
        assertFalse(channel.config().isAutoRead(), "the throttle must not resume reads the full ring paused");
        final int requested = reads.requested;
        ring.refusals = 0;
        transport.ringSpaceFreed();
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead(), "the inbound handler resumes reads once its frames fit");
        assertTrue(reads.requested > requested, "and its read request passes the throttle");
        assertEquals(indexes(10), ring.received, "frames lost or reordered");
        channel.finishAndReleaseAll();
    }

    /** The ring frees space while the throttle waits: the inbound handler's resume stops at the throttle. */
    @Test
    void aResumeOfTheInboundHandlerWaitsForTheThrottle()
    {
        final ReadThrottle throttle = new ReadThrottle(1_000, transport.counters(), clock::get);
        final EmbeddedChannel channel = channel(throttle);
        ring.refusals = 2; // the first publish and the pause's own second attempt
        channel.writeInbound(frames(0, 10));
        final int requested = reads.requested;
        transport.ringSpaceFreed();
        channel.runPendingTasks();
        assertEquals(indexes(10), ring.received, "the parked frames went in");
        assertEquals(requested, reads.requested, "but no read may reach the socket before the bucket refills");
        advance(channel, 100 * MS);
        assertTrue(channel.config().isAutoRead());
        assertTrue(reads.requested > requested, "the throttle asks for the read when it ends");
        channel.finishAndReleaseAll();
    }

    /**
     * Two nodes on loopback, the receiver limited to 256 KiB/s: it receives at about that rate while its sender
     * publishes as fast as it is let, so the sender's queue to it congests and its publisher is back-pressured; every
     * accepted broadcast still arrives exactly once.
     */
    @Test
    void aThrottledNodeReceivesAtAboutItsLimitAndBackPressuresItsSender() throws Exception
    {
        final int limit = 256 * 1024;
        final TopicId topic = TopicId.of("throttled");
        // Small socket buffers and congestion mark: the back-pressure shows within a fraction of a second.
        final TransportOptions small = TransportOptions.defaults().withSocketBufferBytes(32 * 1024)
            .withCongestionBytes(64 * 1024);
        final GossipNode sender = ClusterTest.loopback(IoMode.AUTO).transportOptions(small).start();
        final GossipNode throttled = ClusterTest.loopback(IoMode.AUTO).transportOptions(small)
            .readLimitBytesPerSecond(limit).start();
        try (sender; throttled)
        {
            throttled.addPeer(sender.addr());
            final Subscription out = sender.subscribe(topic, List.of());
            final Subscription in = throttled.subscribe(topic, List.of(sender.id()));
            in.joined().get(10, TimeUnit.SECONDS);

            final BitSet seen = new BitSet();
            final AtomicInteger received = new AtomicInteger();
            final AtomicInteger duplicates = new AtomicInteger();
            final AtomicBoolean reading = new AtomicBoolean(true);
            final Thread reader = new Thread(() ->
            {
                try
                {
                    while (reading.get())
                    {
                        final GossipEvent e = in.next(Duration.ofMillis(50));
                        if (e instanceof GossipEvent.Received r)
                        {
                            final int sequence = ByteBuffer.wrap(r.content()).getInt();
                            if (seen.get(sequence))
                            {
                                duplicates.incrementAndGet();
                            }
                            seen.set(sequence);
                            received.incrementAndGet();
                        }
                    }
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }, "throttled-reader");
            reader.start();

            final AtomicBoolean publishing = new AtomicBoolean(true);
            final AtomicInteger accepted = new AtomicInteger();
            final AtomicLong backPressured = new AtomicLong();
            final Thread publisher = new Thread(() ->
            {
                final byte[] payload = new byte[64];
                while (publishing.get())
                {
                    ByteBuffer.wrap(payload).putInt(accepted.get());
                    final long result = out.broadcast(payload);
                    if (result >= 0)
                    {
                        accepted.incrementAndGet();
                    }
                    else if (result == BroadcastResult.BACK_PRESSURED)
                    {
                        backPressured.incrementAndGet();
                        LockSupport.parkNanos(100_000); // back off, as a publisher should
                    }
                }
            }, "sender-publisher");
            publisher.start();

            // Measure from the first bytes on, over at least 2.5 s worth of the limit.
            assertTrue(Await.until(() -> throttled.counter(EngineCounter.BYTES_RECEIVED) > 64 * 1024, 10_000),
                "nothing arrives at the throttled node");
            final long bytes0 = throttled.counter(EngineCounter.BYTES_RECEIVED);
            final long t0 = System.nanoTime();
            final boolean enough = Await.until(
                () -> throttled.counter(EngineCounter.BYTES_RECEIVED) - bytes0 >= limit * 5L / 2, 15_000);
            final long bytes = throttled.counter(EngineCounter.BYTES_RECEIVED) - bytes0;
            final double seconds = (System.nanoTime() - t0) / 1e9;
            final double rate = bytes / seconds;
            publishing.set(false);
            publisher.join(5_000);

            assertTrue(enough, String.format("only %,d bytes in %.1f s", bytes, seconds));
            assertTrue(rate <= 1.5 * limit, String.format("received %,.0f B/s, limit %,d B/s", rate, limit));
            assertTrue(rate >= 0.5 * limit, String.format("received %,.0f B/s, far below the limit %,d B/s", rate,
                limit));
            assertTrue(backPressured.get() > 0,
                "the sender was never back-pressured: " + sender.transport().counters());
            assertTrue(throttled.transport().counters().readThrottleWaits.get() > 0);

            // Lossless: everything accepted arrives (at the limit), once.
            assertTrue(Await.until(() -> received.get() >= accepted.get(), 30_000),
                () -> "received " + received.get() + " of " + accepted.get());
            reading.set(false);
            reader.join(5_000);
            assertEquals(accepted.get(), received.get());
            assertEquals(0, duplicates.get());
            assertEquals(accepted.get(), seen.cardinality());
            assertEquals(0, sender.transport().counters().slowPeerDisconnects.get(),
                "a peer that drains at its limit is flow-controlled, not cut");
        }
    }
}
