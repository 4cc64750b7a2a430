package dev.hearsay.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A node's read limit: the bucket is any thread's, under this object's monitor; each connection's handler is its event
 * loop's. It keeps the bytes all connections of the node read from their sockets within
 * {@link TransportOptions#readLimitBytesPerSecond()} a second, to emulate a slow link or a slow host in tests and
 * benchmarks. One token bucket for the node, shared by every connection (the monitor is taken once per socket read);
 * one {@link #newHandler() handler} per connection, first in its pipeline, so that it counts the bytes as they come
 * off the socket (before TLS and framing).
 *
 * <p>A read that takes the bucket below zero is handed on, and that connection then stops reading from its socket
 * ({@code autoRead} off, and the read requests of the handlers behind it held back) until the bucket has refilled
 * what it owed after that read (see {@link #take}). The kernel's receive buffer then fills, the sender's socket stops
 * taking bytes, and its outbound queue grows: what a peer behind a slow link does to its senders.
 *
 * <p>Reads are also turned off by {@link InboundFrameHandler}, for a full ring (paused) and for relay flow control
 * (held). The two compose: while the throttle waits, any read request (the one an {@code autoRead(true)} makes
 * included) stops here, and when it is over the throttle turns reads back on only if it turned them off itself and
 * the inbound handler is neither paused nor held; otherwise that handler turns them on when it lets go, and its read
 * request then passes.
 */
final class ReadThrottle
{
    /** Longest burst the bucket saves up while the node reads less than its limit. */
    static final long MAX_BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Most the bucket owes, in time at the limit (but at least {@link #MIN_MAX_DEBT_BYTES}); see {@link #take}. */
    static final long MAX_DEBT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long MIN_MAX_DEBT_BYTES = 64 * 1024;

    private final long bytesPerSecond;
    private final double maxTokens;
    private final double maxDebt;
    private final TransportCounters counters;
    private final LongSupplier clock;
    /** Bytes that may be read now; negative: owed, to be refilled before any connection reads again. Monitor. */
    private double tokens;
    /** When the bucket was last refilled. Monitor. */
    private long refilledNanos;

    /**
     * @param bytesPerSecond the node's read limit, over 0.
     * @param counters       where waits are counted ({@link TransportCounters#readThrottleWaits}).
     */
    ReadThrottle(final long bytesPerSecond, final TransportCounters counters)
    {
        this(bytesPerSecond, counters, System::nanoTime);
    }

    /** The same on another clock (nanoseconds, like {@link System#nanoTime()}): for tests. */
    ReadThrottle(final long bytesPerSecond, final TransportCounters counters, final LongSupplier clock)
    {
        if (bytesPerSecond <= 0)
        {
            throw new IllegalArgumentException("readLimitBytesPerSecond: " + bytesPerSecond + " is not over 0");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.maxTokens = Math.max(1.0, bytesPerSecond * (MAX_BURST_NANOS / 1e9));
        this.maxDebt = Math.max(MIN_MAX_DEBT_BYTES, bytesPerSecond * (MAX_DEBT_NANOS / 1e9));
        this.counters = counters;
        this.clock = clock;
        this.tokens = maxTokens;
        this.refilledNanos = clock.getAsLong();
    }

    /** The limit, bytes per second. */
    long bytesPerSecond()
    {
        return bytesPerSecond;
    }

    /** A handler for one new connection (put it first in the pipeline). */
    ChannelHandler newHandler()
    {
        return new Handler();
    }

    /**
     * Any thread: {@code bytes} were read at {@code nowNanos}; returns how long the connection that read them must
     * stop reading so that the node keeps to its limit (0: it need not): until the bucket has refilled what it owes,
     * the bytes every connection read before included. Connections so take turns: each reads again after the reads
     * that came before its own are paid for, and none waits on the reads that come after.
     *
     * <p>The debt is bounded ({@link #MAX_DEBT_NANOS} at the limit, at least {@link #MIN_MAX_DEBT_BYTES}): once a
     * peer has shut its side of a connection, Netty reads what is left up to the end whatever autoRead says, and
     * without a bound such a read-out would stop every connection of the node for as long as those bytes take at the
     * limit (seconds, enough for the failure detector to convict the peers).
     */
    synchronized long take(final long bytes, final long nowNanos)
    {
        final long elapsed = nowNanos - refilledNanos;
        if (elapsed > 0)
        {
            tokens = Math.min(maxTokens, tokens + elapsed * (bytesPerSecond / 1e9));
            refilledNanos = nowNanos;
        }
        tokens = Math.max(-maxDebt, tokens - bytes);
        return tokens >= 0 ? 0 : (long)Math.ceil(-tokens * 1e9 / bytesPerSecond);
    }

    /** The throttle of one connection: event-loop only. */
    private final class Handler extends ChannelDuplexHandler
    {
        private ChannelHandlerContext context;
        /** Reading stops until the scheduled resume. */
        private boolean waiting;
        /** This handler turned autoRead off when it began waiting (it was on). */
        private boolean turnedOff;
        private final Runnable resume = this::resume;

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            context = ctx;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof ByteBuf bytes)
            {
                final long waitNanos = take(bytes.readableBytes(), clock.getAsLong());
                if (waitNanos > 0 && !waiting)
                {
                    // Before handing the bytes on: the read loop looks at autoRead after this read to decide whether
                    // to read again.
                    waiting = true;
                    counters.readThrottleWaits.incrementAndGet();
                    final ChannelConfig config = ctx.channel().config();
                    turnedOff = config.isAutoRead();
                    if (turnedOff)
                    {
                        config.setAutoRead(false);
                    }
                    ctx.executor().schedule(resume, waitNanos, TimeUnit.NANOSECONDS);
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** Read requests (autoRead's included) wait while the bucket refills. */
        @Override
        public void read(final ChannelHandlerContext ctx)
        {
            if (!waiting)
            {
                ctx.read();
            }
        }

        private void resume()
        {
            final ChannelHandlerContext ctx = context;
            waiting = false;
            final boolean mine = turnedOff;
            turnedOff = false;
            if (!ctx.channel().isActive())
            {
                return;
            }
            final ChannelConfig config = ctx.channel().config();
            if (config.isAutoRead())
            {
                // On again (by us earlier, or by the inbound handler while we waited): its read request stopped here.
                ctx.read();
            }
            else if (mine && !inboundStopsReads(ctx))
            {
                config.setAutoRead(true); // asks for a read, which passes now
            }
        }

        /** True while the inbound handler keeps reads off (paused for a full ring, or held by flow control). */
        private boolean inboundStopsReads(final ChannelHandlerContext ctx)
        {
            final InboundFrameHandler inbound = ctx.pipeline().get(InboundFrameHandler.class);
            return inbound != null && (inbound.paused() || inbound.held());
        }
    }
}
