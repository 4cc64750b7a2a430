package dev.hearsay.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes. The length is checked
 * against the maximum before anything is allocated for the body; a frame over it is bad input. A frame of length
 * zero is a heartbeat (see {@link ConnectionLiveness}): accepted only once the identity handshake is done, and then
 * consumed here, never handed on.
 * Before the handshake completes it emits each body as a retained slice of the read buffer (no copy), one frame per
 * decode call, so that the handshake can {@link #hold} what follows its last frame while the peer's signature is
 * checked; after it, the bodies go straight from the read buffer into the {@link InboundFrameHandler} (see
 * {@link #sink}).
 */
final class FrameDecoder extends ByteToMessageDecoder
{
    /** Bytes of the length prefix. */
    static final int PREFIX = 4;

    /**
     * Appends a read to the unfinished frame left by the previous one, moving that frame to the front of its buffer
     * first when this makes room, so the buffer grows only when the unfinished frame and the read together do not
     * fit. The default merge grows it (by doubling) whenever the bytes behind the unfinished frame lack room, which
     * is every read of a busy socket, and compacts only every 16 reads: within one read loop it doubled to hundreds
     * of KiB, sizes the pool serves from its shared arena rather than the thread's cache, and under load the arena
     * created and freed 4 MiB chunks over and over (their bookkeeping objects were most of the I/O threads'
     * allocation). With reads of at most 16 KiB (see NettyTransport) the buffer stays within 32 KiB.
     */
    private static final Cumulator COMPACTING = (alloc, cumulation, in) ->
    {
        if (cumulation.isReadable() && cumulation.refCnt() == 1 && !cumulation.isReadOnly()
            && cumulation.writableBytes() < in.readableBytes()
            && cumulation.capacity() - cumulation.readableBytes() >= in.readableBytes())
        {
            cumulation.discardReadBytes();
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    };

    private final int maxFrameLength;
    private final TransportCounters counters;
    /** Event loop only: the connection was rejected for bad input; what else it sent is ignored, not counted. */
    private boolean discarding;
    /** Event loop only: the handler of an authenticated connection, which frames are offered to directly. */
    private InboundFrameHandler sink;
    /** Event loop only: the handshake is checking the peer's PROOF; frames after it wait in the buffer. */
    private boolean held;
    /** Event loop only: inside {@link #channelRead} (its decode loop goes on by itself after a release). */
    private boolean reading;
    /**
     * Event loop only: the peer ended its output while frames were held. The end is passed on after them, once
     * released: the frames the peer sent before ending are whole and its, if its PROOF checks out.
     */
    private boolean inputEndedWhileHeld;
    private ChannelHandlerContext context;

    FrameDecoder(final int maxFrameLength, final TransportCounters counters)
    {
        this.maxFrameLength = maxFrameLength;
        this.counters = counters;
        setCumulator(COMPACTING);
    }

    /** The capacity of the buffer holding an unfinished frame between reads (0 when none); for tests. */
    int bufferCapacity()
    {
        final ByteBuf cumulation = internalBuffer();
        return cumulation.refCnt() == 0 ? 0 : cumulation.capacity();
    }

    /**
     * Event loop: stop framing. Called when the connection is closed for bad input, so that the rest of the read
     * batch (the decoder would otherwise go on splitting it) reaches neither the handshake nor the engine, and one
     * bad connection counts once.
     */
    void discardRest()
    {
        discarding = true;
    }

    /**
     * Event loop: from now on, hand each frame to {@code handler} straight from the read buffer, not down the
     * pipeline. A retained slice per frame is an object (from Netty's recycler, which allocates whenever more are
     * alive at once than it keeps, and a stack trace when the read buffer is one the leak detector samples); handed
     * over in place, a frame costs no object at all.
     */
    void sink(final InboundFrameHandler handler)
    {
        sink = handler;
    }

    /**
     * Event loop: the handshake's last frame is in; keep every byte after it in the buffer, unread, and stop reading
     * the socket, until {@link #release}. What is held is at most what the reads of this pass brought.
     */
    void hold()
    {
        held = true;
        if (context != null)
        {
            context.channel().config().setAutoRead(false);
        }
    }

    /**
     * Event loop: frames flow again, those held first (to the {@link #sink} if one was set meanwhile). The caller turns
     * reading back on.
     */
    void release()
    {
        if (!held)
        {
            return;
        }
        held = false;
        if (reading || context == null || context.isRemoved())
        {
            return; // the decode loop in progress goes on with the held bytes
        }
        final ByteBuf cumulation = internalBuffer();
        if (cumulation.refCnt() > 0 && cumulation.isReadable())
        {
            try
            {
                channelRead(context, io.netty.buffer.Unpooled.EMPTY_BUFFER);
                channelReadComplete(context);
            }
            catch (final Exception e)
            {
                context.fireExceptionCaught(e);
            }
        }
        passOnInputEnd();
    }

    /** Event loop: the end of the peer's output that came while frames were held, now that they are handed on. */
    private void passOnInputEnd()
    {
        if (!inputEndedWhileHeld || held || context == null || context.isRemoved())
        {
            return;
        }
        inputEndedWhileHeld = false;
        try
        {
            super.userEventTriggered(context, io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
        }
        catch (final Exception e)
        {
            context.fireExceptionCaught(e);
        }
    }

    /**
     * The peer ended its output (a graceful close, see NettyTransport#closeGracefully): while the handshake holds
     * the frames that followed its PROOF, the end waits behind them; otherwise the decoder takes what is left and
     * passes the end on.
     */
    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (held && evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent)
        {
            inputEndedWhileHeld = true;
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) throws Exception
    {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        reading = true;
        try
        {
            super.channelRead(ctx, msg);
        }
        finally
        {
            reading = false;
        }
        passOnInputEnd();
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (discarding)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (held)
        {
            return;
        }
        while (in.readableBytes() >= PREFIX)
        {
            final long length = in.getUnsignedInt(in.readerIndex());
            if (length == 0)
            {
                if (sink != null)
                {
                    in.skipBytes(PREFIX);
                    sink.onHeartbeat();
                    continue;
                }
                if (!out.isEmpty())
                {
                    // The frame before it may complete the handshake, which installs the sink.
                    return;
                }
                discarding = true;
                in.skipBytes(in.readableBytes());
                throw new BadInputException("handshake: heartbeat from a connection that has not proven its id");
            }
            if (length > maxFrameLength)
            {
                if (!out.isEmpty())
                {
                    // Hand over the frames before it first: one of them may already get the connection rejected,
                    // and then this length must not be judged (or counted) too.
                    return;
                }
                counters.oversizedFrames.incrementAndGet();
                discarding = true;
                in.skipBytes(in.readableBytes());
                throw new BadInputException("frame length " + length + " outside [1, " + maxFrameLength + "]");
            }
            if (in.readableBytes() < PREFIX + length)
            {
                return;
            }
            if (sink != null)
            {
                // The sink is set between decode calls (the handshake frame is fired from out), so no frame of
                // this call is in out ahead of this one.
                sink.onFrame(in, in.readerIndex() + PREFIX, (int)length);
                in.skipBytes(PREFIX + (int)length);
                continue;
            }
            in.skipBytes(PREFIX);
            out.add(in.readRetainedSlice((int)length));
            return; // one handshake frame at a time: it may hold the rest
        }
    }

    /**
     * With a sink, frames are handed over inside {@link #decode} and none goes down the pipeline, so the superclass
     * would take each read for one that produced nothing and, when auto-read is off (reads paused or held), ask for
     * another read: reading must stay where the sink and the transport turned it.
     */
    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception
    {
        if (sink == null)
        {
            super.channelReadComplete(ctx);
            return;
        }
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void decodeLast(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (held)
        {
            // Closed while the peer's PROOF was being checked: what follows it was never the peer's to deliver.
            in.skipBytes(in.readableBytes());
            return;
        }
        decode(ctx, in, out);
        if (in.isReadable() && !discarding)
        {
            counters.truncated.incrementAndGet();
            final int left = in.readableBytes();
            in.skipBytes(left);
            ctx.fireExceptionCaught(new BadInputException("connection closed inside a frame (" + left
                + " bytes of an incomplete frame)"));
        }
    }
}
