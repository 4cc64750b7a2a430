package dev.hearsay.transport;

/**
 * Settings of the TCP transport. Immutable; build with {@link #builder()}. Invalid values throw
 * {@link IllegalArgumentException} naming the field.
 *
 * @param ioMode                 epoll, NIO, or auto (epoll when available).
 * @param ioThreads              Netty event loop threads (default 1: the dispatcher needs the other core).
 * @param outboundQueueBytes     bytes queued per peer before it counts as slow and is disconnected.
 * @param connectTimeoutMillis   TCP connect timeout.
 * @param handshakeTimeoutMillis time a connection has to complete the identity handshake.
 * @param slowPeerTimeoutMillis  how long a peer's outbound queue may stay above half its bound (publishers are
 *                               held back meanwhile) before the peer is disconnected.
 * @param lingerMillis           how long a connection the protocol no longer needs stays open (reused if needed
 *                               again) before it is closed gracefully.
 * @param maxPeers               peers the transport keeps state for (address book and links); beyond it new
 *                               addresses are ignored and new connections refused.
 */
public record TransportOptions(IoMode ioMode, int ioThreads, int outboundQueueBytes, int connectTimeoutMillis,
    int handshakeTimeoutMillis, int slowPeerTimeoutMillis, int lingerMillis, int maxPeers)
{
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
    }

    /**
     * The defaults: auto I/O mode, 1 thread, 4 MiB per peer, 3 s connect, 5 s handshake, 2 s slow, 3 s linger, 65,536 peers.
     */
    public static TransportOptions defaults()
    {
        return new TransportOptions(IoMode.AUTO, 1, 4 << 20, 3_000, 5_000, 2_000, 3_000, 65_536);
    }

    /** Same settings with another I/O mode. */
    public TransportOptions withIoMode(final IoMode mode)
    {
        return new TransportOptions(mode, ioThreads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers);
    }

    /** Same settings with another outbound queue bound. */
    public TransportOptions withOutboundQueueBytes(final int bytes)
    {
        return new TransportOptions(ioMode, ioThreads, bytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers);
    }

    /** Same settings with another number of I/O threads. */
    public TransportOptions withIoThreads(final int threads)
    {
        return new TransportOptions(ioMode, threads, outboundQueueBytes, connectTimeoutMillis, handshakeTimeoutMillis,
            slowPeerTimeoutMillis, lingerMillis, maxPeers);
    }

    private static void check(final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(field + ": " + value + " is outside [" + min + ", " + max + "]");
        }
    }
}
