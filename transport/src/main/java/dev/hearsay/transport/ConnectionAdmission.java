package dev.hearsay.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which accepted connections the node spends a handshake on. Two limits, both checked before any handler or buffer
 * is set up for the connection, so that a refusal costs one accept and one close:
 * <ul>
 *     <li>a rate per source ({@link SourceRateLimiter}), checked on the listening socket's event loop before the
 *     connection is even registered with an event loop;</li>
 *     <li>a cap on connections that have not completed the identity handshake yet, node-wide (any thread, lock-free:
 *     a compare-and-set count, given back once per connection, on its event loop, when its handshake completes or
 *     it closes, whichever comes first).</li>
 * </ul>
 * Established connections and dialled ones are not affected: a peer already connected keeps its connection
 * whatever its address does, and a node reconnects to the peers it needs by dialling them.
 */
final class ConnectionAdmission
{
    private static final AttributeKey<Ticket> TICKET = AttributeKey.valueOf(ConnectionAdmission.class, "ticket");

    private final int maxUnauthenticated;
    private final TransportCounters counters;
    /** Null when the per-source rate is unlimited. Owned by the listening socket's event loop. */
    private final SourceRateLimiter sources;
    private final AtomicInteger unauthenticated = new AtomicInteger();

    ConnectionAdmission(final TransportOptions options, final TransportCounters counters)
    {
        this.maxUnauthenticated = options.maxUnauthenticatedConnections();
        this.counters = counters;
        this.sources = options.newConnectionsPerSecondPerSource() == 0 ? null : new SourceRateLimiter(
            options.newConnectionsPerSecondPerSource(), options.newConnectionBurstPerSource(),
            options.maxConnectionSources(), counters.connectionSourcesForgotten);
    }

    /**
     * The handler of the listening socket: sees each accepted connection before it is registered, and closes those
     * over their source's rate.
     */
    ChannelInboundHandlerAdapter acceptHandler()
    {
        return new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                final Channel child = (Channel)msg;
                if (sources != null && child.remoteAddress() instanceof InetSocketAddress from
                    && !sources.tryAcquire(from.getAddress(), System.nanoTime()))
                {
                    counters.connectionsRefusedSourceRate.incrementAndGet();
                    refuse(child);
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /**
     * Closes an accepted connection that is not registered with any event loop yet, as the server bootstrap closes a
     * child it cannot register. A plain close (FIN), not a reset: a client whose connect call had not returned yet
     * would see a reset as a failed connect, not as a connection the node closed.
     */
    private static void refuse(final Channel child)
    {
        child.unsafe().closeForcibly();
    }

    /**
     * Event loop of {@code ch}, a just accepted (and registered) connection: takes one of the places of unauthenticated
     * connections for it, given back when it completes its handshake ({@link #authenticated}) or closes. False, and
     * counted, when all are taken: the caller closes it.
     */
    boolean admit(final Channel ch)
    {
        while (true)
        {
            final int used = unauthenticated.get();
            if (used >= maxUnauthenticated)
            {
                counters.connectionsRefusedUnauthenticated.incrementAndGet();
                return false;
            }
            if (unauthenticated.compareAndSet(used, used + 1))
            {
                break;
            }
        }
        final Ticket ticket = new Ticket();
        ch.attr(TICKET).set(ticket);
        ch.closeFuture().addListener(ticket);
        return true;
    }

    /** Event loop of {@code ch}: its handshake completed; it no longer counts as unauthenticated. */
    void authenticated(final Channel ch)
    {
        final Ticket ticket = ch.attr(TICKET).getAndSet(null);
        if (ticket != null)
        {
            ticket.giveBack();
        }
    }

    /** Accepted connections that have not completed their handshake right now. */
    int unauthenticated()
    {
        return unauthenticated.get();
    }

    /** A connection's place among the unauthenticated ones; given back once, on the connection's event loop. */
    private final class Ticket implements ChannelFutureListener
    {
        private boolean givenBack;

        void giveBack()
        {
            if (!givenBack)
            {
                givenBack = true;
                unauthenticated.decrementAndGet();
            }
        }

        @Override
        public void operationComplete(final io.netty.channel.ChannelFuture future)
        {
            giveBack();
        }
    }
}
