package dev.hearsay.transport;

/**
 * Settings of the TCP transport. Immutable; build with {@link #defaults()} and the {@code with*} methods. Invalid
 * values throw {@link IllegalArgumentException} naming the field.
 *
 * @param ioMode                 epoll, NIO, or auto (epoll when available).
 * @param ioThreads              Netty event loop threads (default 1: the dispatcher needs the other core).
 * @param outboundQueueBytes     bytes queued per peer before it counts as slow and is disconnected.
 * @param connectTimeoutMillis   TCP connect timeout.
 * @param handshakeTimeoutMillis time a connection has to complete the identity handshake (and TLS, when on).
 * @param slowPeerTimeoutMillis  how long a congested peer's outbound queue may go without draining (publishers are
 *                               held back meanwhile) before the peer is disconnected.
 * @param lingerMillis           how long a connection the protocol no longer needs stays open (reused if needed
 *                               again) before it is closed gracefully.
 * @param maxPeers               peers the transport keeps state for (address book and links); beyond it new
 *                               addresses are ignored and new connections refused.
 * @param maxConnections         open sockets (accepted, dialled or handshaking) at once; beyond it an accepted
 *                               connection is closed at once and a dial fails, both counted.
 * @param maxPendingDials        dials in progress (connect and handshake) at once; beyond it a dial fails at once,
 *                               counted, and the protocol tries another peer.
 * @param tls                    encrypt every connection with TLS 1.3 (self-signed certificates generated at start,
 *                               bound to the node key by the identity handshake); every node must agree.
 * @param congestionBytes        queued bytes at which a peer's link counts as congested: publishers get
 *                               {@code BACK_PRESSURED} and the node stops reading from its peers (so relays push
 *                               back upstream too) until every link is below a quarter of it. At most half of
 *                               {@code outboundQueueBytes}: the rest is headroom for what is already read.
 * @param socketBufferBytes      kernel send and receive buffer of each connection (SO_SNDBUF, SO_RCVBUF); 0 leaves
 *                               them to the kernel's autotuning, which on loopback lets megabytes queue unseen by
 *                               the flow control above.
 * @param dispatcherOnEventLoop  run the engine's dispatcher on the (first) event loop instead of a thread of its
 *                               own: a message then crosses two thread hand-offs fewer per hop (no hand-off between
 *                               the socket and the ring either way), and the node runs one thread fewer. The
 *                               dispatcher and the socket I/O then share one CPU's worth of time. Off by default:
 *                               for latency at moderate rates. Saturated (5 nodes publishing flat out on 2 vCPUs)
 *                               some runs fell into repair storms that lost messages (see docs/configuration.md).
 * @param readLimitBytesPerSecond at most this many bytes a second read from the sockets, all connections of the
 *                               node together (0: no limit, the default). Emulates a slow link or a slow host for
 *                               tests and benchmarks: a connection over the limit stops reading until the node is
 *                               within it again, so the kernel buffers fill and the senders' queues grow.
 * @param maxUnauthenticatedConnections accepted connections that have not completed the identity handshake, at
 *                               once; beyond it an accepted connection is closed at once, counted.
 * @param newConnectionsPerSecondPerSource connections accepted per second from one source (an IPv4 address, or an
 *                               IPv6 /64 prefix), on average: a token bucket per source (0: no limit). Beyond it an
 *                               accepted connection is closed at once, counted. Dialled connections are not limited.
 * @param newConnectionBurstPerSource connections one source may open in a burst (the bucket's size).
 * @param maxConnectionSources   sources the rate limit remembers; when full, the one heard from least recently is
 *                               forgotten (counted), and starts again with a full bucket should it come back.
 * @param handshakeThreads       threads that sign and verify handshakes (Ed25519), so that the event loops, which
 *                               carry the established connections' traffic, never wait for a handshake.
 */
public record TransportOptions(IoMode ioMode, int ioThreads, int outboundQueueBytes, int connectTimeoutMillis,
    int handshakeTimeoutMillis, int slowPeerTimeoutMillis, int lingerMillis, int maxPeers, int maxConnections,
    int maxPendingDials, boolean tls, int congestionBytes, int socketBufferBytes, boolean dispatcherOnEventLoop,
    int readLimitBytesPerSecond, int maxUnauthenticatedConnections, int newConnectionsPerSecondPerSource,
    int newConnectionBurstPerSource, int maxConnectionSources, int handshakeThreads)
{
    /** Default {@link #congestionBytes()}. */
    public static final int DEFAULT_CONGESTION_BYTES = 256 * 1024;
    /** Default {@link #socketBufferBytes()}. */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 256 * 1024;
    /** Default {@link #maxConnections()}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    /** Default {@link #maxPendingDials()}. */
    public static final int DEFAULT_MAX_PENDING_DIALS = 256;
    /** Default {@link #maxUnauthenticatedConnections()}. */
    public static final int DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 256;
    /** Default {@link #newConnectionsPerSecondPerSource()}. */
    public static final int DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE = 20;
    /** Default {@link #newConnectionBurstPerSource()}. */
    public static final int DEFAULT_NEW_CONNECTION_BURST_PER_SOURCE = 40;
    /** Default {@link #maxConnectionSources()}. */
    public static final int DEFAULT_MAX_CONNECTION_SOURCES = 4096;
    /** Default {@link #handshakeThreads()}. */
    public static final int DEFAULT_HANDSHAKE_THREADS = 1;

    /** Validates every field. */
    public TransportOptions
    {
        if (ioMode == null)
        {
            throw new IllegalArgumentException("ioMode: null");
        }
        check("ioThreads", ioThreads, 1, 64);
        check("outboundQueueBytes", outboundQueueBytes, 4096, 1 << 30);
        check("connectTimeoutMillis", connectTimeoutMillis, 1, 600_000);
        check("handshakeTimeoutMillis", handshakeTimeoutMillis, 1, 600_000);
        check("slowPeerTimeoutMillis", slowPeerTimeoutMillis, 1, 600_000);
        check("lingerMillis", lingerMillis, 0, 3_600_000);
        check("maxPeers", maxPeers, 1, 10_000_000);
        check("maxConnections", maxConnections, 1, 1_000_000);
        check("maxPendingDials", maxPendingDials, 1, 1_000_000);
        check("congestionBytes", congestionBytes, 1024, outboundQueueBytes / 2);
        check("socketBufferBytes", socketBufferBytes, 0, 1 << 30);
        if (socketBufferBytes > 0 && socketBufferBytes < 4096)
        {
            throw new IllegalArgumentException("socketBufferBytes: " + socketBufferBytes
                + " is below 4096 (0 means the kernel's default)");
        }
        check("readLimitBytesPerSecond", readLimitBytesPerSecond, 0, 1 << 30);
        check("maxUnauthenticatedConnections", maxUnauthenticatedConnections, 1, 1_000_000);
        check("newConnectionsPerSecondPerSource", newConnectionsPerSecondPerSource, 0, 1_000_000);
        check("newConnectionBurstPerSource", newConnectionBurstPerSource, 1, 1_000_000);
        check("maxConnectionSources", maxConnectionSources, 1, 1_000_000);
        check("handshakeThreads", handshakeThreads, 1, 64);
    }

    /** The settings before connection admission was settable: those take their defaults. */
    public TransportOptions(final IoMode ioMode, final int ioThreads, final int outboundQueueBytes,
        final int connectTimeoutMillis, final int handshakeTimeoutMillis, final int slowPeerTimeoutMillis,
        final int lingerMillis, final int maxPeers, final int maxConnections, final int maxPendingDials,
        final boolean tls, final int congestionBytes, final int socketBufferBytes, final boolean dispatcherOnEventLoop,
        final int readLimitBytesPerSecond)
    {
        this(ioMode, ioThreads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers, maxConnections, maxPendingDials, tls, congestionBytes,
            socketBufferBytes, dispatcherOnEventLoop, readLimitBytesPerSecond, DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS,
            DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE, DEFAULT_NEW_CONNECTION_BURST_PER_SOURCE,
            DEFAULT_MAX_CONNECTION_SOURCES, DEFAULT_HANDSHAKE_THREADS);
    }

    /** The settings before reads could be limited: no read limit. */
    public TransportOptions(final IoMode ioMode, final int ioThreads, final int outboundQueueBytes,
        final int connectTimeoutMillis, final int handshakeTimeoutMillis, final int slowPeerTimeoutMillis,
        final int lingerMillis, final int maxPeers, final int maxConnections, final int maxPendingDials,
        final boolean tls, final int congestionBytes, final int socketBufferBytes, final boolean dispatcherOnEventLoop)
    {
        this(ioMode, ioThreads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers, maxConnections, maxPendingDials, tls, congestionBytes,
            socketBufferBytes, dispatcherOnEventLoop, 0);
    }

    /** The settings before the dispatcher could run on the event loop: it runs on a thread of its own. */
    public TransportOptions(final IoMode ioMode, final int ioThreads, final int outboundQueueBytes,
        final int connectTimeoutMillis, final int handshakeTimeoutMillis, final int slowPeerTimeoutMillis,
        final int lingerMillis, final int maxPeers, final int maxConnections, final int maxPendingDials,
        final boolean tls, final int congestionBytes, final int socketBufferBytes)
    {
        this(ioMode, ioThreads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers, maxConnections, maxPendingDials, tls, congestionBytes,
            socketBufferBytes, false);
    }

    /** The settings before congestion and socket buffers were settable: those take their defaults. */
    public TransportOptions(final IoMode ioMode, final int ioThreads, final int outboundQueueBytes,
        final int connectTimeoutMillis, final int handshakeTimeoutMillis, final int slowPeerTimeoutMillis,
        final int lingerMillis, final int maxPeers, final int maxConnections, final int maxPendingDials,
        final boolean tls)
    {
        this(ioMode, ioThreads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers, maxConnections, maxPendingDials, tls,
            Math.min(DEFAULT_CONGESTION_BYTES, outboundQueueBytes / 2), DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /** The settings before the connection limits and TLS existed: those take their defaults (TLS off). */
    public TransportOptions(final IoMode ioMode, final int ioThreads, final int outboundQueueBytes,
        final int connectTimeoutMillis, final int handshakeTimeoutMillis, final int slowPeerTimeoutMillis,
        final int lingerMillis, final int maxPeers)
    {
        this(ioMode, ioThreads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_DIALS, false);
    }

    /**
     * The defaults: auto I/O mode, 1 thread, 4 MiB per peer, 3 s connect, 5 s handshake, 2 s slow, 3 s linger, 65,536
     * peers, 4,096 connections, 256 pending dials, no TLS, congestion at 256 KiB, 256 KiB socket buffers, the
     * dispatcher on a thread of its own, no read limit, 256 unauthenticated connections, 20 new connections a second
     * per source in bursts of 40, 4,096 sources remembered, 1 handshake thread.
     */
    public static TransportOptions defaults()
    {
        return new TransportOptions(IoMode.AUTO, 1, 4 << 20, 3_000, 5_000, 2_000, 3_000, 65_536);
    }

    /** Same settings with another I/O mode. */
    public TransportOptions withIoMode(final IoMode mode)
    {
        final Copy c = new Copy(this);
        c.ioMode = mode;
        return c.build();
    }

    /** Same settings with another outbound queue bound (the congestion threshold stays at most half of it). */
    public TransportOptions withOutboundQueueBytes(final int bytes)
    {
        final Copy c = new Copy(this);
        c.outboundQueueBytes = bytes;
        c.congestionBytes = Math.min(congestionBytes, Math.max(bytes, 4096) / 2);
        return c.build();
    }

    /** Same settings with another number of I/O threads. */
    public TransportOptions withIoThreads(final int threads)
    {
        final Copy c = new Copy(this);
        c.ioThreads = threads;
        return c.build();
    }

    /** Same settings with another slow-peer timeout. */
    public TransportOptions withSlowPeerTimeoutMillis(final int millis)
    {
        final Copy c = new Copy(this);
        c.slowPeerTimeoutMillis = millis;
        return c.build();
    }

    /** Same settings with another linger time. */
    public TransportOptions withLingerMillis(final int millis)
    {
        final Copy c = new Copy(this);
        c.lingerMillis = millis;
        return c.build();
    }

    /** Same settings with another handshake timeout. */
    public TransportOptions withHandshakeTimeoutMillis(final int millis)
    {
        final Copy c = new Copy(this);
        c.handshakeTimeoutMillis = millis;
        return c.build();
    }

    /** Same settings with another connection limit. */
    public TransportOptions withMaxConnections(final int connections)
    {
        final Copy c = new Copy(this);
        c.maxConnections = connections;
        return c.build();
    }

    /** Same settings with another limit of dials in progress. */
    public TransportOptions withMaxPendingDials(final int dials)
    {
        final Copy c = new Copy(this);
        c.maxPendingDials = dials;
        return c.build();
    }

    /** Same settings with TLS on or off. */
    public TransportOptions withTls(final boolean on)
    {
        final Copy c = new Copy(this);
        c.tls = on;
        return c.build();
    }

    /** Same settings with another congestion threshold. */
    public TransportOptions withCongestionBytes(final int bytes)
    {
        final Copy c = new Copy(this);
        c.congestionBytes = bytes;
        return c.build();
    }

    /** Same settings with other kernel socket buffers (0: the kernel's autotuning). */
    public TransportOptions withSocketBufferBytes(final int bytes)
    {
        final Copy c = new Copy(this);
        c.socketBufferBytes = bytes;
        return c.build();
    }

    /** Same settings with the dispatcher on the event loop, or on a thread of its own. */
    public TransportOptions withDispatcherOnEventLoop(final boolean on)
    {
        final Copy c = new Copy(this);
        c.dispatcherOnEventLoop = on;
        return c.build();
    }

    /**
     * Same settings with another read limit, bytes per second for all connections together (0: none). For tests and
     * benchmarks: it emulates a slow link or a slow host.
     */
    public TransportOptions withReadLimitBytesPerSecond(final int bytesPerSecond)
    {
        final Copy c = new Copy(this);
        c.readLimitBytesPerSecond = bytesPerSecond;
        return c.build();
    }

    /** Same settings with another limit of accepted connections that have not completed the handshake. */
    public TransportOptions withMaxUnauthenticatedConnections(final int connections)
    {
        final Copy c = new Copy(this);
        c.maxUnauthenticatedConnections = connections;
        return c.build();
    }

    /**
     * Same settings with another rate limit of accepted connections per source: {@code perSecond} on average (0: no
     * limit) in bursts of up to {@code burst}.
     */
    public TransportOptions withNewConnectionsPerSource(final int perSecond, final int burst)
    {
        final Copy c = new Copy(this);
        c.newConnectionsPerSecondPerSource = perSecond;
        c.newConnectionBurstPerSource = burst;
        return c.build();
    }

    /** Same settings with another number of sources the per-source rate limit remembers. */
    public TransportOptions withMaxConnectionSources(final int sources)
    {
        final Copy c = new Copy(this);
        c.maxConnectionSources = sources;
        return c.build();
    }

    /** Same settings with another number of handshake threads. */
    public TransportOptions withHandshakeThreads(final int threads)
    {
        final Copy c = new Copy(this);
        c.handshakeThreads = threads;
        return c.build();
    }

    /** A mutable copy, so that each {@code with*} method names only the field it changes. */
    private static final class Copy
    {
        IoMode ioMode;
        int ioThreads;
        int outboundQueueBytes;
        int connectTimeoutMillis;
        int handshakeTimeoutMillis;
        int slowPeerTimeoutMillis;
        int lingerMillis;
        int maxPeers;
        int maxConnections;
        int maxPendingDials;
        boolean tls;
        int congestionBytes;
        int socketBufferBytes;
        boolean dispatcherOnEventLoop;
        int readLimitBytesPerSecond;
        int maxUnauthenticatedConnections;
        int newConnectionsPerSecondPerSource;
        int newConnectionBurstPerSource;
        int maxConnectionSources;
        int handshakeThreads;

        Copy(final TransportOptions o)
        {
            this.ioMode = o.ioMode;
            this.ioThreads = o.ioThreads;
            this.outboundQueueBytes = o.outboundQueueBytes;
            this.connectTimeoutMillis = o.connectTimeoutMillis;
            this.handshakeTimeoutMillis = o.handshakeTimeoutMillis;
            this.slowPeerTimeoutMillis = o.slowPeerTimeoutMillis;
            this.lingerMillis = o.lingerMillis;
            this.maxPeers = o.maxPeers;
            this.maxConnections = o.maxConnections;
            this.maxPendingDials = o.maxPendingDials;
            this.tls = o.tls;
            this.congestionBytes = o.congestionBytes;
            this.socketBufferBytes = o.socketBufferBytes;
            this.dispatcherOnEventLoop = o.dispatcherOnEventLoop;
            this.readLimitBytesPerSecond = o.readLimitBytesPerSecond;
            this.maxUnauthenticatedConnections = o.maxUnauthenticatedConnections;
            this.newConnectionsPerSecondPerSource = o.newConnectionsPerSecondPerSource;
            this.newConnectionBurstPerSource = o.newConnectionBurstPerSource;
            this.maxConnectionSources = o.maxConnectionSources;
            this.handshakeThreads = o.handshakeThreads;
        }

        TransportOptions build()
        {
            return new TransportOptions(ioMode, ioThreads, outboundQueueBytes, connectTimeoutMillis,
                handshakeTimeoutMillis, slowPeerTimeoutMillis, lingerMillis, maxPeers, maxConnections, maxPendingDials,
                tls, congestionBytes, socketBufferBytes, dispatcherOnEventLoop, readLimitBytesPerSecond,
                maxUnauthenticatedConnections, newConnectionsPerSecondPerSource, newConnectionBurstPerSource,
                maxConnectionSources, handshakeThreads);
        }
    }

    private static void check(final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(field + ": " + value + " is outside [" + min + ", " + max + "]");
        }
    }
}
