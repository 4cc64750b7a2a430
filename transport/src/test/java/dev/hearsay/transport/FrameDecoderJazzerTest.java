package dev.hearsay.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.engine.NetworkEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Coverage-guided fuzzing of {@link FrameDecoder} with Jazzer (see docs/fuzzing.md): a byte stream, cut into reads,
 * on a connection before the handshake (frames go down the pipeline as slices) or after it (frames and heartbeats
 * go straight to a real {@link InboundFrameHandler}). A reference parser of the same stream says what must happen,
 * whatever the cuts:
 * <ul>
 *     <li>every complete frame with a length in [1, max] comes out once, in order, with its bytes;</li>
 *     <li>a length over the maximum, a heartbeat before the handshake, more than 200 heartbeats, or (at the close)
 *     an unfinished frame is one {@link BadInputException}, with its counter; after it nothing else comes out;</li>
 *     <li>nothing else is ever thrown, the buffer that holds an unfinished frame stays within twice a frame and a
 *     read whatever the declared lengths, and every buffer read is released.</li>
 * </ul>
 * Input: byte 0 flags (bit 0: after the handshake; bit 1: close the connection after the stream), byte 1 the size
 * of each read (0: the whole stream in one read), then the stream.
 */
class FrameDecoderJazzerTest
{
    /** Small, so that short inputs reach the limit; the decoder's logic does not depend on its value. */
    static final int MAX_FRAME = 256;
    static final int AUTHENTICATED = 1;
    static final int CLOSE = 2;
    static final int HEADER = 2;

    private static final NodeId PEER = NodeKey.fromSeed(0xF2A3EL).id();
    private static final NettyTransport TRANSPORT;
    private static final Recorder EVENTS = new Recorder();

    static
    {
        // One warning per rejected stream is right for a node, not for millions of fuzzed ones.
        Logger.getLogger(NettyTransport.class.getName()).setLevel(Level.SEVERE);
        TRANSPORT = new NettyTransport(NodeKey.fromSeed(0xF2A3DL), TransportOptions.defaults(), MAX_FRAME, 64);
        TRANSPORT.bind(EVENTS);
    }

    @FuzzTest
    @Timeout(10)
    void frames(final byte[] input)
    {
        final int flags = input.length > 0 ? input[0] : 0;
        final boolean authenticated = (flags & AUTHENTICATED) != 0;
        final boolean close = (flags & CLOSE) != 0;
        final int readSize = input.length > 1 ? input[1] & 0xFF : 0;
        final byte[] stream = input.length > HEADER ? Arrays.copyOfRange(input, HEADER, input.length) : new byte[0];
        final Expected expected = Expected.of(stream, authenticated, close);

        final TransportCounters counters = new TransportCounters();
        final FrameDecoder framing = new FrameDecoder(MAX_FRAME, counters);
        final Spy spy = new Spy(framing);
        final EmbeddedChannel ch = authenticated
            ? new EmbeddedChannel(framing, spy, new InboundFrameHandler(TRANSPORT, EVENTS, PEER, counters))
            : new EmbeddedChannel(framing, spy);
        if (authenticated)
        {
            framing.sink(ch.pipeline().get(InboundFrameHandler.class));
        }
        EVENTS.frames.clear();
        final List<ByteBuf> reads = new ArrayList<>();
        final long start = System.nanoTime();
        final List<byte[]> frames;
        final List<Throwable> exceptions;
        final long oversized;
        final long truncated;
        final long heartbeats;
        final boolean open;
        try
        {
            int at = 0;
            while (at < stream.length && ch.isOpen())
            {
                final int n = readSize == 0 ? stream.length - at : Math.min(readSize, stream.length - at);
                final ByteBuf read = Unpooled.wrappedBuffer(Arrays.copyOfRange(stream, at, at + n));
                reads.add(read);
                ch.writeInbound(read);
                at += n;
                final long bound = 2L * (FrameDecoder.PREFIX + MAX_FRAME + Math.max(readSize, 1)) + 64;
                final int capacity = framing.bufferCapacity();
                assertTrue(capacity <= Math.max(bound, stream.length), () -> "the unfinished frame's buffer grew to "
                    + capacity + " bytes: " + hex(input));
            }
            if (close)
            {
                ch.close();
            }
            ch.runPendingTasks();
            // What the stream did, before finishing the channel closes it (which judges an unfinished frame).
            frames = new ArrayList<>(authenticated ? EVENTS.frames : spy.frames);
            exceptions = new ArrayList<>(spy.exceptions);
            oversized = counters.oversizedFrames.get();
            truncated = counters.truncated.get();
            heartbeats = counters.heartbeatsReceived.get();
            open = ch.isOpen();
        }
        catch (final AssertionError e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            // EmbeddedChannel rethrows what reached the pipeline's end; the handlers above catch everything else.
            throw new AssertionError("escaped the pipeline: " + t + " for " + hex(input), t);
        }
        finally
        {
            ch.finishAndReleaseAll();
        }
        for (final ByteBuf read : reads)
        {
            assertEquals(0, read.refCnt(), () -> "a read buffer was not released: " + hex(input));
        }
        for (final Throwable t : exceptions)
        {
            if (!(root(t) instanceof BadInputException))
            {
                throw new AssertionError("not a BadInputException: " + t + " for " + hex(input), t);
            }
        }
        if (Expected.FLOOD.equals(expected.failure) && System.nanoTime() - start > 900_000_000L)
        {
            // The heartbeat limit is per second of wall time: a stream this slow may rightly pass it.
            return;
        }

        assertEquals(expected.frames.size(), frames.size(), () -> "frames out: " + hex(input));
        for (int i = 0; i < frames.size(); i++)
        {
            final int index = i;
            assertTrue(Arrays.equals(expected.frames.get(i), frames.get(i)), () -> "frame " + index + " differs: "
                + hex(input));
        }
        if (expected.failure == null)
        {
            assertTrue(exceptions.isEmpty(), () -> "rejected " + exceptions + ": " + hex(input));
        }
        else
        {
            assertEquals(1, exceptions.size(), () -> "one rejection (" + expected.failure + "), got " + exceptions
                + ": " + hex(input));
            final String message = root(exceptions.get(0)).getMessage();
            assertTrue(message.startsWith(expected.failure), () -> "rejected as " + message + ", expected "
                + expected.failure + ": " + hex(input));
            assertFalse(open, () -> "left open after bad input: " + hex(input));
        }
        assertEquals(expected.oversized ? 1 : 0, oversized, () -> "oversized count: " + hex(input));
        assertEquals(expected.truncated ? 1 : 0, truncated, () -> "truncated count: " + hex(input));
        assertEquals(authenticated ? expected.heartbeats : 0, heartbeats, () -> "heartbeats: " + hex(input));
    }

    private static Throwable root(final Throwable t)
    {
        return t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
    }

    /** What the stream must produce, from a plain parse of the whole of it. */
    private static final class Expected
    {
        static final String OVERSIZE = "frame length";
        static final String EARLY_HEARTBEAT = "handshake: heartbeat";
        static final String FLOOD = "heartbeat flood";
        static final String CLOSED_INSIDE = "connection closed inside";

        final List<byte[]> frames = new ArrayList<>();
        int heartbeats;
        String failure;
        boolean oversized;
        boolean truncated;

        static Expected of(final byte[] stream, final boolean authenticated, final boolean close)
        {
            final Expected e = new Expected();
            int at = 0;
            while (stream.length - at >= FrameDecoder.PREFIX)
            {
                final long length = ((stream[at] & 0xFFL) << 24) | ((stream[at + 1] & 0xFF) << 16)
                    | ((stream[at + 2] & 0xFF) << 8) | (stream[at + 3] & 0xFF);
                if (length == 0)
                {
                    if (!authenticated)
                    {
                        e.failure = EARLY_HEARTBEAT;
                        return e;
                    }
                    if (++e.heartbeats > ConnectionLiveness.MAX_HEARTBEATS_PER_SECOND)
                    {
                        e.failure = FLOOD;
                        return e;
                    }
                    at += FrameDecoder.PREFIX;
                    continue;
                }
                if (length > MAX_FRAME)
                {
                    e.failure = OVERSIZE;
                    e.oversized = true;
                    return e;
                }
                if (stream.length - at - FrameDecoder.PREFIX < length)
                {
                    break;
                }
                e.frames.add(Arrays.copyOfRange(stream, at + FrameDecoder.PREFIX,
                    at + FrameDecoder.PREFIX + (int)length));
                at += FrameDecoder.PREFIX + (int)length;
            }
            if (close && at < stream.length)
            {
                e.failure = CLOSED_INSIDE;
                e.truncated = true;
            }
            return e;
        }
    }

    /**
     * Sits after the decoder: keeps the frames that come down the pipeline (before the handshake) and every
     * exception; an exception then does what the transport does with bad input (stop framing, close).
     */
    private static final class Spy extends ChannelInboundHandlerAdapter
    {
        final List<byte[]> frames = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();
        private final FrameDecoder framing;

        Spy(final FrameDecoder framing)
        {
            this.framing = framing;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final byte[] bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
                frames.add(bytes);
            }
            finally
            {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            exceptions.add(cause);
            if (ctx.pipeline().get(InboundFrameHandler.class) != null)
            {
                ctx.fireExceptionCaught(cause);
            }
            else
            {
                framing.discardRest();
                ctx.close();
            }
        }
    }

    /** Stands in for the engine's ring: keeps each frame an authenticated connection hands over. */
    private static final class Recorder implements NetworkEvents
    {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public boolean onFrame(final NodeId peer, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            frames.add(bytes);
            return true;
        }

        @Override
        public boolean onPeerConnected(final NodeId peer)
        {
            return true;
        }

        @Override
        public boolean onPeerDisconnected(final NodeId peer)
        {
            return true;
        }

        @Override
        public boolean onDialFailed(final NodeId peer)
        {
            return true;
        }
    }

    static String hex(final byte[] bytes)
    {
        final int shown = Math.min(bytes.length, 256);
        return HexFormat.of().formatHex(bytes, 0, shown) + (bytes.length > shown ? "... (" + bytes.length
            + " bytes)" : "");
    }
}
