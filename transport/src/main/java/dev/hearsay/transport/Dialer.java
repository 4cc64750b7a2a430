package dev.hearsay.transport;

import dev.hearsay.NodeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Outbound connections and the node's socket budget: dials a peer's known addresses in turn, at most
 * {@link TransportOptions#maxPendingDials()} dials at a time, and keeps every socket (dialled or accepted) within
 * {@link TransportOptions#maxConnections()}. A dial refused by either bound, or failing at every address, is
 * reported at once as a failed dial (counted and logged at debug), so that the protocol tries another peer: no dial
 * ever waits in a queue. Any thread, lock-free: the counts are atomics, and a link's {@code dialing} flag says
 * whether it holds one of the pending places.
 */
final class Dialer
{
    private static final System.Logger LOG = System.getLogger(Dialer.class.getName());

    /** Sets up a dialled socket's pipeline for {@code peer} at {@code address}, which it connects to. */
    @FunctionalInterface
    interface ChannelSetup
    {
        void initChannel(SocketChannel ch, NodeId peer, InetSocketAddress address);
    }

    private final TransportOptions options;
    private final TransportCounters counters;
    private final Function<NodeId, List<InetSocketAddress>> addresses;
    private final ChannelSetup setup;
    private final Consumer<NodeId> onDialFailed;
    private final BooleanSupplier closed;
    /** Links with a dial in progress (their {@code dialing} flag set): bounded by maxPendingDials. */
    private final AtomicInteger pendingDials = new AtomicInteger();
    /** Socket places in use (accepted or dialled, until closed): bounded by maxConnections. */
    private final AtomicInteger sockets = new AtomicInteger();
    private volatile Bootstrap bootstrap;

    /**
     * @param addresses    the known addresses of a peer (empty if none).
     * @param setup        the pipeline of a dialled socket.
     * @param onDialFailed told of each failed or refused dial, after its queue was dropped.
     * @param closed       true once the transport closes: dials in progress then end quietly.
     */
    Dialer(final TransportOptions options, final TransportCounters counters,
        final Function<NodeId, List<InetSocketAddress>> addresses, final ChannelSetup setup,
        final Consumer<NodeId> onDialFailed, final BooleanSupplier closed)
    {
        this.options = options;
        this.counters = counters;
        this.addresses = addresses;
        this.setup = setup;
        this.onDialFailed = onDialFailed;
        this.closed = closed;
    }

    /** The bootstrap dials clone (its event loops and socket options), set once the transport starts. */
    void bootstrap(final Bootstrap bootstrap)
    {
        this.bootstrap = bootstrap;
    }

    /**
     * Dials {@code link}'s peer unless a dial to it is already in progress. Beyond {@code maxPendingDials} dials in
     * progress or {@code maxConnections} open sockets the dial fails at once (counted, reported as a failed dial).
     */
    void dial(final PeerLink link)
    {
        if (!link.dialing.compareAndSet(false, true))
        {
            return;
        }
        if (pendingDials.incrementAndGet() > options.maxPendingDials())
        {
            counters.dialsRefused.incrementAndGet();
            failed(link, "refused: " + options.maxPendingDials() + " dials already in progress");
            return;
        }
        final List<InetSocketAddress> known = addresses.apply(link.peer);
        if (known.isEmpty())
        {
            failed(link, "no known address");
            return;
        }
        dial(link, known, 0);
    }

    private void dial(final PeerLink link, final List<InetSocketAddress> known, final int index)
    {
        if (closed.getAsBoolean())
        {
            ended(link);
            return;
        }
        if (!takeSocket())
        {
            counters.dialsRefused.incrementAndGet();
            failed(link, "refused: " + options.maxConnections() + " connections already open");
            return;
        }
        final ChannelFuture future;
        try
        {
            future = connect(link.peer, known.get(index));
        }
        catch (final RuntimeException e)
        {
            sockets.decrementAndGet();
            failed(link, e.toString());
            return;
        }
        // The place is given back when this socket closes, whether it connected or not.
        future.channel().closeFuture().addListener(f -> sockets.decrementAndGet());
        future.addListener(f ->
        {
            if (f.isSuccess())
            {
                counters.dialled.incrementAndGet();
            }
            else if (index + 1 < known.size())
            {
                dial(link, known, index + 1);
            }
            else
            {
                failed(link, String.valueOf(f.cause()));
            }
        });
    }

    private ChannelFuture connect(final NodeId peer, final InetSocketAddress address)
    {
        return bootstrap.clone().handler(new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel ch)
            {
                setup.initChannel(ch, peer, address);
            }
        }).connect(address);
    }

    /**
     * The dial of {@code link} failed ({@code reason} for the log): what was queued for the peer is dropped, the dial
     * ends, and the failure is reported.
     */
    void failed(final PeerLink link, final String reason)
    {
        counters.dialFailures.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, "dial {0} failed: {1}", link.peer.shortString(), reason);
        // Nobody consumes the queue while a dial is pending, so this thread may: what was queued for a peer that
        // cannot be reached is dropped (the engine learns of the failure below and treats the peer as down).
        // Kept, it would pin the link and its queue forever once the protocol stops sending to that peer.
        link.discardQueued();
        ended(link);
        onDialFailed.accept(link.peer);
    }

    /** The dial of {@code link} is over (connected, failed or abandoned): it no longer counts as pending. */
    void ended(final PeerLink link)
    {
        if (link.dialing.compareAndSet(true, false))
        {
            pendingDials.decrementAndGet();
        }
    }

    /**
     * Takes one of the {@code maxConnections} socket places for an accepted {@code ch} (given back when it closes);
     * false, and nothing taken, when all are in use. Counting places rather than open channels keeps the bound
     * exact while connections are being set up on several threads.
     */
    boolean reserveSocket(final Channel ch)
    {
        if (!takeSocket())
        {
            return false;
        }
        ch.closeFuture().addListener(f -> sockets.decrementAndGet());
        return true;
    }

    private boolean takeSocket()
    {
        while (true)
        {
            final int used = sockets.get();
            if (used >= options.maxConnections())
            {
                return false;
            }
            if (sockets.compareAndSet(used, used + 1))
            {
                return true;
            }
        }
    }

    /** Sockets open or being set up right now, as counted for {@link TransportOptions#maxConnections()}. */
    int openSockets()
    {
        return sockets.get();
    }

    /** Dials in progress right now. */
    int pendingDials()
    {
        return pendingDials.get();
    }
}
