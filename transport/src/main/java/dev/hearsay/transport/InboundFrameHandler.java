package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.engine.NetworkEvents;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * After the handshake: publishes each frame of an authenticated peer into the dispatcher's ring, copying straight
 * from Netty's buffer into the ring slot. When the ring is full it stops reading this socket (TCP back-pressure
 * reaches the sender) and keeps the frames already read, in order, until a retry gets them in: nothing is dropped.
 *
 * <p>Relay flow control: after each read, if any outbound queue of this node is congested, it holds further reads
 * until the transport releases it (see {@link NettyTransport#flush}). A relay that cannot forward as fast as it
 * receives so makes its senders' queues grow instead of its own, and the back-pressure travels hop by hop to the
 * publishers, instead of ending in an overflowing queue and a cut link.
 */
final class InboundFrameHandler extends ChannelInboundHandlerAdapter
{
    private static final long RETRY_MICROS = 50;

    private final NettyTransport transport;
    private final NetworkEvents events;
    private final NodeId peer;
    private final TransportCounters counters;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final ArrayDeque<ByteBuf> parked = new ArrayDeque<>();
    private byte[] scratch = new byte[0];
    private ChannelHandlerContext context;
    private long framesThisRead;
    private final Runnable retry = this::retry;
    /** Reads held by relay flow control. Written on the event loop, read by the dispatcher's release scan. */
    private volatile boolean held;
    /** Event loop only: frames are parked because the ring was full (counted in the transport's paused readers). */
    private boolean paused;
    private final java.util.concurrent.atomic.AtomicBoolean releaseScheduled =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final Runnable release = this::release;

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
        transport.addReader(this);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        framesThisRead++;
        if (!parked.isEmpty())
        {
            parked.add(frame);
            return;
        }
        if (publish(frame))
        {
            frame.release();
        }
        else
        {
            parked.add(frame);
            ctx.channel().config().setAutoRead(false);
            counters.readPauses.incrementAndGet();
            paused = true;
            transport.readsPaused(true);
            ctx.executor().schedule(retry, RETRY_MICROS, TimeUnit.MICROSECONDS);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (framesThisRead > 0)
        {
            counters.framesIn.addAndGet(framesThisRead);
            framesThisRead = 0;
        }
        if (!held && transport.congested())
        {
            held = true;
            ctx.channel().config().setAutoRead(false);
            transport.readsHeld();
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
        final ChannelHandlerContext ctx = context;
        if (ctx != null && releaseScheduled.compareAndSet(false, true))
        {
            ctx.executor().execute(release);
        }
    }

    private void release()
    {
        releaseScheduled.set(false);
        if (!held)
        {
            return;
        }
        held = false;
        transport.readsReleased();
        if (parked.isEmpty() && context.channel().isOpen())
        {
            // Frames parked for a full ring keep reads off; their retry turns them back on.
            context.channel().config().setAutoRead(true);
        }
    }

    private boolean publish(final ByteBuf frame)
    {
        final int length = frame.readableBytes();
        if (frame.hasMemoryAddress())
        {
            view.wrap(frame.memoryAddress() + frame.readerIndex(), length);
        }
        else if (frame.hasArray())
        {
            view.wrap(frame.array(), frame.arrayOffset() + frame.readerIndex(), length);
        }
        else
        {
            if (scratch.length < length)
            {
                scratch = new byte[length];
            }
            frame.getBytes(frame.readerIndex(), scratch, 0, length);
            view.wrap(scratch, 0, length);
        }
        return events.onFrame(peer, view, 0, length);
    }

    private void retry()
    {
        final ChannelHandlerContext ctx = context;
        while (!parked.isEmpty())
        {
            final ByteBuf frame = parked.peek();
            if (!ctx.channel().isOpen())
            {
                releaseParked();
                return;
            }
            if (!publish(frame))
            {
                ctx.executor().schedule(retry, RETRY_MICROS, TimeUnit.MICROSECONDS);
                return;
            }
            parked.poll().release();
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
        ByteBuf b;
        while ((b = parked.poll()) != null)
        {
            b.release();
        }
        resumed();
    }

    /** No frame is parked any more: the ring took them all, or they were given up. */
    private void resumed()
    {
        if (paused)
        {
            paused = false;
            transport.readsPaused(false);
        }
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
            transport.readsReleased();
        }
        transport.removeReader(this);
        transport.connectionClosed(ctx.channel(), peer);
        ctx.fireChannelInactive();
    }

    private void retryBeforeClose()
    {
        while (!parked.isEmpty())
        {
            if (!publish(parked.peek()))
            {
                // The ring stays full and the connection is gone: give up on these frames (counted as truncated).
                counters.truncated.incrementAndGet();
                releaseParked();
                return;
            }
            parked.poll().release();
        }
        resumed();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        transport.badInput(ctx.channel(), peer, cause);
    }
}
