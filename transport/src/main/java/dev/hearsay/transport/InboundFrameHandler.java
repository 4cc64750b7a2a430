package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.engine.NetworkEvents;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.VoidChannelPromise;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * After the handshake: publishes each frame of an authenticated peer into the dispatcher's ring, copying straight
 * from Netty's buffer into the ring slot. When the ring is full it stops reading this socket (TCP back-pressure
 * reaches the sender) and keeps the frames already read, in order, until a retry gets them in: nothing is dropped.
 *
 * <p>Allocation: none per frame, and none per pause. {@link FrameDecoder} hands frames over in place
 * ({@link #onFrame}, no slice); parked frames are copied into {@link ParkedFrames}; a pause is retried when the
 * dispatcher frees ring space ({@link #requestRetry}, a preallocated task handed to the event loop), with a
 * transport-wide periodic check behind it, rather than by a task scheduled per pause (about 100 bytes each, at
 * hundreds of pauses a second under overload).
 *
 * <p>Relay flow control: after each read, if any outbound queue of this node is congested, it holds further reads
 * until the transport releases it (see {@link FlowControl}). A relay that cannot forward as fast as it
 * receives so makes its senders' queues grow instead of its own, and the back-pressure travels hop by hop to the
 * publishers, instead of ending in an overflowing queue and a cut link.
 */
final class InboundFrameHandler extends ChannelInboundHandlerAdapter
{
    private final NettyTransport transport;
    private final NetworkEvents events;
    private final NodeId peer;
    private final TransportCounters counters;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final ParkedFrames parked = new ParkedFrames();
    private byte[] scratch = new byte[0];
    private ChannelHandlerContext context;
    /** Created when the handler joins the pipeline (it needs the channel). */
    private ConnectionLiveness liveness;
    private long framesThisRead;
    /** The retry of parked frames, handed to the event loop one at a time. */
    private final CoalescedTask retry = new CoalescedTask(this::retry);
    /** Reads held by relay flow control. Written on the event loop, read by the dispatcher's release scan. */
    private volatile boolean held;
    private final CoalescedTask release = new CoalescedTask(this::release);
    /**
     * Frames are parked because the ring was full (counted in the transport's paused readers). Written on the event
     * loop, read by the dispatcher's {@link NettyTransport#ringSpaceFreed} scan.
     */
    private volatile boolean paused;
    /** Event loop only: what this node last told the peer (see {@link #signalHolding}). */
    private boolean signalledHolding;
    private VoidChannelPromise signalPromise;

    InboundFrameHandler(final NettyTransport transport, final NetworkEvents events, final NodeId peer,
        final TransportCounters counters)
    {
        this.transport = transport;
        this.events = events;
        this.peer = peer;
        this.counters = counters;
    }

    NodeId peer()
    {
        return peer;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        context = ctx;
        liveness = new ConnectionLiveness(transport, this, ctx.channel(), peer, counters);
        transport.addReader(this);
    }

    /** Parked frames hold a pooled buffer: give it back if the handler goes before the channel closes. */
    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        releaseParked();
    }

    /** Frames that came as slices: those decoded in the read that completed the handshake (see onFrame). */
    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            onFrame(frame, frame.readerIndex(), frame.readableBytes());
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Event loop: the frame at {@code index} of {@code in}, straight from {@link FrameDecoder}'s read buffer (no
     * slice); published into the ring, or copied and parked.
     */
    void onFrame(final ByteBuf in, final int index, final int length)
    {
        if (length == HoldSignal.LENGTH)
        {
            transport.peerHolding(peer, HoldSignal.holding(in.getByte(index)));
            return;
        }
        final ChannelHandlerContext ctx = context;
        framesThisRead++;
        if (!parked.isEmpty())
        {
            parked.add(in, index, length);
            return;
        }
        if (!publish(in, index, length))
        {
            parked.add(in, index, length);
            ctx.channel().config().setAutoRead(false);
            counters.readPauses.incrementAndGet();
            paused = true;
            transport.flow().readsPaused(true);
            signalHolding();
            // Once more now that the pause is visible: if the dispatcher freed space before it could see the pause,
            // this attempt sees the space (see NettyTransport.ringSpaceFreed).
            requestRetry();
        }
    }

    /** Event loop: a heartbeat arrived (see {@link ConnectionLiveness#onHeartbeat()}). */
    void onHeartbeat()
    {
        liveness.onHeartbeat();
    }

    /** This connection's liveness, watched by the failure detector. */
    ConnectionLiveness liveness()
    {
        return liveness;
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        liveness.heard(System.nanoTime());
        if (framesThisRead > 0)
        {
            counters.framesIn.addAndGet(framesThisRead);
            framesThisRead = 0;
        }
        if (!held && transport.flow().anyCongested())
        {
            held = true;
            ctx.channel().config().setAutoRead(false);
            transport.flow().readsHeld();
            signalHolding();
        }
        ctx.fireChannelReadComplete();
    }

    /** True while relay flow control holds this connection's reads. Any thread. */
    boolean held()
    {
        return held;
    }

    /** Any thread: lets this connection read again (on its event loop), unless it is released already. */
    void requestRelease()
    {
        onEventLoop(release);
    }

    /** Any thread: hands {@code task} to this connection's event loop, once it has one. */
    private void onEventLoop(final CoalescedTask task)
    {
        final ChannelHandlerContext ctx = context;
        if (ctx != null)
        {
            task.requestOn(ctx.executor());
        }
    }

    private void release()
    {
        if (!held)
        {
            return;
        }
        held = false;
        transport.flow().readsReleased();
        signalHolding();
        if (parked.isEmpty() && context.channel().isOpen())
        {
            // Frames parked for a full ring keep reads off; their retry turns them back on.
            context.channel().config().setAutoRead(true);
        }
    }

    private boolean publish(final ByteBuf frame, final int index, final int length)
    {
        if (frame.hasMemoryAddress())
        {
            view.wrap(frame.memoryAddress() + index, length);
        }
        else if (frame.hasArray())
        {
            view.wrap(frame.array(), frame.arrayOffset() + index, length);
        }
        else
        {
            if (scratch.length < length)
            {
                scratch = new byte[length];
            }
            frame.getBytes(index, scratch, 0, length);
            view.wrap(scratch, 0, length);
        }
        return events.onFrame(peer, view, 0, length);
    }

    /** Publishes the first parked frame; true if the ring took it (it is then no longer parked). */
    private boolean publishParked()
    {
        if (!events.onFrame(peer, parked.first(), 0, parked.firstLength()))
        {
            return false;
        }
        parked.removeFirst();
        return true;
    }

    /** True while frames are parked for a full ring. Any thread. */
    boolean paused()
    {
        return paused;
    }

    /** Any thread: retries the parked frames on the event loop, unless a retry is already on its way. */
    void requestRetry()
    {
        onEventLoop(retry);
    }

    /**
     * The dispatcher freed ring space: retries at once when it runs on this connection's event loop (outside any
     * read), else as {@link #requestRetry()}. At once, because a retry queued as a task would run after the loop's
     * next read pass, in which the other connections would take the freed space first: a paused connection could
     * then starve for as long as the others keep the ring full, and what it carries fall behind what they carry.
     */
    void retryFromDispatcher()
    {
        final ChannelHandlerContext ctx = context;
        if (ctx != null)
        {
            retry.runHereOrRequestOn(ctx.executor());
        }
    }

    private void retry()
    {
        final ChannelHandlerContext ctx = context;
        if (!paused)
        {
            return; // resumed already (a retry asked for twice)
        }
        while (!parked.isEmpty())
        {
            if (!ctx.channel().isOpen())
            {
                // Closed, and channelInactive (which Netty fires later, from a task queued behind this one) hands
                // the parked frames over in order, or counts them as lost if the ring stays full: not here, where
                // dropping them would go uncounted.
                return;
            }
            if (!publishParked())
            {
                return; // asked again when the dispatcher frees space
            }
        }
        resumed();
        if (!held)
        {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    private void releaseParked()
    {
        parked.clear();
        resumed();
    }

    /** No frame is parked any more: the ring took them all, or they were given up. */
    private void resumed()
    {
        if (paused)
        {
            paused = false;
            transport.flow().readsPaused(false);
            signalHolding();
        }
    }

    /**
     * Event loop: tells the peer whether this connection's reads are held on purpose (relay flow control, or the
     * ring full while the node waits for its readers), when that changes. Its sender then knows a congested link
     * to this node for flow control, not for a slow peer (see {@link SlowPeerPolicy}).
     */
    private void signalHolding()
    {
        final boolean holding = held || paused;
        final ChannelHandlerContext ctx = context;
        if (holding == signalledHolding || ctx == null || !ctx.channel().isActive()
            || NettyTransport.halfClosed(ctx.channel()))
        {
            return;
        }
        signalledHolding = holding;
        if (signalPromise == null)
        {
            // Reused for every signal: no promise allocated per pause. A write that fails because the connection
            // is closing is no error of the connection, so failures are not fired down the pipeline.
            signalPromise = new VoidChannelPromise(ctx.channel(), false);
        }
        ctx.channel().writeAndFlush(HoldSignal.frame(ctx.alloc(), holding), signalPromise);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable())
        {
            transport.writable(peer);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent)
        {
            transport.remoteFinished(ctx.channel(), peer);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        // Frames read before the close still count: hand them over in order before reporting the loss.
        retryBeforeClose();
        if (held)
        {
            held = false;
            transport.flow().readsReleased();
        }
        transport.removeReader(this);
        transport.connectionClosed(ctx.channel(), peer);
        ctx.fireChannelInactive();
    }

    private void retryBeforeClose()
    {
        while (!parked.isEmpty())
        {
            if (!publishParked())
            {
                // The ring stays full and the connection is gone: give up on these frames (counted as truncated).
                counters.truncated.incrementAndGet();
                releaseParked();
                return;
            }
        }
        resumed();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        transport.badInput(ctx.channel(), peer, cause);
    }
}
