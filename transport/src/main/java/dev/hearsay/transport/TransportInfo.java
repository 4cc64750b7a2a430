package dev.hearsay.transport;

import dev.hearsay.NodeId;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a node's transport may tell any thread: its counters and a few gauges, all read without touching state the
 * dispatcher or the event loops own (atomics, concurrent maps, snapshots). The transport itself, whose sending and
 * flushing belong to the dispatcher thread, is not handed out.
 */
public final class TransportInfo
{
    private final NettyTransport transport;

    TransportInfo(final NettyTransport transport)
    {
        this.transport = transport;
    }

    /** The transport's counters (live atomics). */
    public TransportCounters counters()
    {
        return transport.counters();
    }

    /** The I/O implementation in use (epoll or NIO). */
    public IoMode ioMode()
    {
        return transport.ioMode();
    }

    /** Connections open right now (established or handshaking). */
    public int openChannels()
    {
        return transport.openChannels();
    }

    /** Sockets open or being set up right now, as counted for {@link TransportOptions#maxConnections()}. */
    public int openSockets()
    {
        return transport.openSockets();
    }

    /** Accepted connections that have not completed the identity handshake right now. */
    public int unauthenticatedConnections()
    {
        return transport.unauthenticatedConnections();
    }

    /** Dials in progress right now. */
    public int pendingDials()
    {
        return transport.pendingDials();
    }

    /** Peers the transport keeps a link (an outbound queue) for right now. */
    public int peerLinks()
    {
        return transport.peerLinks();
    }

    /** Peers with an established connection right now. */
    public int connectedPeerCount()
    {
        return transport.connectedPeerCount();
    }

    /** Known addresses of {@code peer} (empty if none). */
    public List<InetSocketAddress> addresses(final NodeId peer)
    {
        return transport.addresses(peer);
    }
}
