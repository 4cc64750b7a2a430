package dev.hearsay.transport;

import dev.hearsay.NodeKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authenticated inbound path as a socket has it: {@link FrameDecoder} handing frames in place to the
 * {@link InboundFrameHandler} (no slice per frame), parking copies when the ring is full, and allocating nothing
 * per frame.
 */
@Timeout(30)
class InboundInPlaceTest
{
    /** Counts read requests going out of the pipeline. */
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

    /** Records each frame's first int (the frames carry their index there). */
    private final RefusingRing ring = new RefusingRing(frame -> frame.getInt(0, java.nio.ByteOrder.BIG_ENDIAN));
    private final Reads reads = new Reads();
    private final NettyTransport transport =
        new NettyTransport(NodeKey.fromSeed(1), TransportOptions.defaults(), 1024, 64);

    private EmbeddedChannel channel()
    {
        final FrameDecoder framing = new FrameDecoder(1024, transport.counters());
        final InboundFrameHandler handler =
            new InboundFrameHandler(transport, ring, NodeKey.fromSeed(2).id(), transport.counters());
        final EmbeddedChannel channel = new EmbeddedChannel(reads, framing, handler);
        framing.sink(handler);
        channel.freezeTime();
        return channel;
    }

    /** 0, 1, ..., {@code count - 1}: the frames' indexes in order. */
    private static List<Integer> indexes(final int count)
    {
        final List<Integer> all = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            all.add(i);
        }
        return all;
    }

    /** {@code count} frames of 8 bytes (a 4-byte number, then 4 more) from {@code first} on, in one buffer. */
    private static ByteBuf frames(final int first, final int count)
    {
        final ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(count * (FrameDecoder.PREFIX + 8));
        for (int i = 0; i < count; i++)
        {
            buf.writeInt(8).writeInt(first + i).writeInt(0);
        }
        return buf;
    }

    /**
     * One event-loop read loop (16 reads, no read-complete between them), each read ending inside a frame, as reads
     * of a busy socket do. The decoder keeps only the unfinished frame between reads: its buffer stays within two
     * reads, where ByteToMessageDecoder's default merge doubled it with every read (to 256 KiB here, served by the
     * pool's arena, whose chunks were created and freed over and over under load).
     */
    @Test
    void readsEndingInsideAFrameDoNotGrowTheDecodersBuffer()
    {
        final FrameDecoder framing = new FrameDecoder(1024, transport.counters());
        final InboundFrameHandler handler =
            new InboundFrameHandler(transport, ring, NodeKey.fromSeed(2).id(), transport.counters());
        final EmbeddedChannel channel = new EmbeddedChannel(reads, framing, handler);
        framing.sink(handler);
        final int frameLength = FrameDecoder.PREFIX + 8;
        final int readBytes = 16 * 1024 - 5; // not a multiple of the frame length: each read ends inside a frame
        final ByteBuf stream = frames(0, 16 * readBytes / frameLength + 1);
        int largest = 0;
        for (int r = 0; r < 16; r++)
        {
            // A full read: a buffer of exactly the bytes read, as the socket's read buffer is when reads fill it.
            channel.pipeline().fireChannelRead(
                PooledByteBufAllocator.DEFAULT.directBuffer(readBytes, readBytes).writeBytes(stream, readBytes));
            largest = Math.max(largest, framing.bufferCapacity());
        }
        channel.pipeline().fireChannelReadComplete();
        stream.release();
        // 32 KiB: the largest buffer Netty's pool serves from the thread's cache.
        assertTrue(largest <= 32 * 1024, "decoder buffer grew to " + largest + " bytes over 16 reads of " + readBytes);
        final int delivered = 16 * readBytes / frameLength;
        assertEquals(indexes(delivered), ring.received, "frames lost or reordered");
        channel.finishAndReleaseAll();
    }

    @Test
    void aFullRingParksTheRestOfTheReadInOrderAndAsksForNoReadUntilTheyFit()
    {
        final EmbeddedChannel channel = channel();
        ring.refusals = 3;
        channel.writeInbound(frames(0, 50));
        assertFalse(channel.config().isAutoRead(), "reading must pause while the ring is full");
        assertEquals(1, transport.counters().readPauses.get());
        final int readsWhilePaused = reads.requested;
        // A read completing while paused must not ask for more (ByteToMessageDecoder would, seeing no message).
        channel.pipeline().fireChannelReadComplete();
        assertEquals(readsWhilePaused, reads.requested, "no read may be requested while the frames are parked");
        ring.refusals = 2;
        // No timer: each time the dispatcher frees ring space, the paused reader retries.
        for (int attempt = 0; attempt < 20 && !channel.config().isAutoRead(); attempt++)
        {
            transport.ringSpaceFreed();
            channel.runPendingTasks();
        }
        assertTrue(channel.config().isAutoRead(), "reading must resume once the frames fit");
        channel.writeInbound(frames(50, 50));
        assertEquals(indexes(100), ring.received, "frames lost or reordered");
        assertEquals(100, transport.counters().framesIn.get());
        channel.finishAndReleaseAll();
    }

    /**
     * A retry the dispatcher queued runs after the connection was closed but before Netty fires channelInactive
     * (which comes from a task queued behind it): the parked frames must still be handed over there, not dropped
     * uncounted by the retry.
     */
    @Test
    void parkedFramesOfAConnectionClosedWithARetryQueuedAreHandedOver()
    {
        final EmbeddedChannel channel = channel();
        ring.refusals = 2; // the first publish and the pause's own second attempt
        channel.writeInbound(frames(0, 10));
        assertFalse(channel.config().isAutoRead());
        assertTrue(ring.received.isEmpty());
        transport.ringSpaceFreed(); // the retry is queued on the event loop, not run yet
        channel.pipeline().close(); // as the transport closes a connection: channelInactive is queued behind the retry
        channel.runPendingTasks();
        assertEquals(indexes(10), ring.received, "parked frames lost at the close");
        assertEquals(0, transport.counters().truncated.get());
        channel.finishAndReleaseAll();
    }

    @Test
    void framesGivenUpAtCloseAreCountedAndTheParkedOnesGoFirst()
    {
        final EmbeddedChannel channel = channel();
        ring.refusals = 2; // the first publish and the pause's own second attempt
        final ByteBuf buf = frames(0, 10);
        // The last frame arrives only partly with this read: the rest never comes.
        buf.writeInt(8).writeInt(10);
        channel.writeInbound(buf);
        assertFalse(channel.config().isAutoRead());
        channel.close();
        assertEquals(indexes(10), ring.received, "parked frames are handed over at close, in order");
        assertEquals(1, transport.counters().truncated.get(), "the partial frame counts as truncated");
        channel.finishAndReleaseAll();
    }

    @Test
    void framesGoInPlaceWithoutAllocating()
    {
        // Netty's advanced and paranoid leak detection record every buffer access (allocation by design).
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.util.ResourceLeakDetector.getLevel().ordinal()
            <= io.netty.util.ResourceLeakDetector.Level.SIMPLE.ordinal(), "leak detection records every access");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final EmbeddedChannel channel = channel();
        ring.key = null;
        final int perRead = 200;
        final ByteBuf read = frames(0, perRead);
        final long thread = Thread.currentThread().getId();
        long best = Long.MAX_VALUE;
        // Several measured rounds after a warm-up; the least of them is what the path itself allocates (a
        // background JIT or GC event cannot make a round allocate less).
        for (int round = 0; round < 8; round++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 500; i++)
            {
                read.retain().readerIndex(0);
                channel.pipeline().fireChannelRead(read);
                channel.pipeline().fireChannelReadComplete();
            }
            final long bytes = threads.getThreadAllocatedBytes(thread) - before;
            if (round >= 3)
            {
                best = Math.min(best, bytes);
            }
        }
        assertEquals(8L * 500 * perRead, ring.frames);
        assertEquals(1, read.refCnt());
        read.release();
        assertTrue(best < 1_000, "allocated " + best + " bytes for " + 500 * perRead + " frames");
        channel.finishAndReleaseAll();
    }

    /**
     * A peer that proves its id, sends frames at once and then ends its output (the loser of a simultaneous dial,
     * closed gracefully) while this side still checks its PROOF: the frames wait in the decoder, and so does the end
     * of the peer's output, which must reach the inbound handler after them, not drop them as a truncated frame.
     */
    @Test
    void theEndOfThePeersOutputWaitsBehindTheFramesHeldForTheHandshake()
    {
        final FrameDecoder framing = new FrameDecoder(1024, transport.counters());
        final List<Integer> framesBeforeEnd = new ArrayList<>();
        final ChannelInboundHandlerAdapter ends = new ChannelInboundHandlerAdapter()
        {
            @Override
            public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
            {
                if (evt instanceof ChannelInputShutdownEvent)
                {
                    framesBeforeEnd.add(ring.received.size());
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
        final EmbeddedChannel channel = new EmbeddedChannel(reads, framing, ends);
        framing.hold(); // the handshake's last frame is in; its signature is being checked
        channel.pipeline().fireChannelRead(frames(0, 5));
        channel.pipeline().fireChannelReadComplete();
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(framesBeforeEnd.isEmpty(), "the end of the peer's output overtook the held frames");

        // The PROOF checked out: the inbound handler joins and the held frames flow; the end of the peer's output
        // then reaches it, and it closes this side too.
        final List<Integer> framesBeforeClose = new ArrayList<>();
        channel.closeFuture().addListener(f -> framesBeforeClose.add(ring.received.size()));
        final InboundFrameHandler handler =
            new InboundFrameHandler(transport, ring, NodeKey.fromSeed(2).id(), transport.counters());
        channel.pipeline().addBefore(channel.pipeline().context(ends).name(), "frames", handler);
        framing.sink(handler);
        framing.release();
        channel.checkException();
        assertEquals(indexes(5), ring.received, "held frames lost or reordered");
        assertEquals(List.of(5), framesBeforeClose, "closed before the held frames were handed on, or not at all");
        assertEquals(0, transport.counters().truncated.get(), "whole frames counted as a truncated one");
        channel.finishAndReleaseAll();
    }
}
