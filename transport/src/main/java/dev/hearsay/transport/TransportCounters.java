package dev.hearsay.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of a {@link NettyTransport}, updated by I/O threads and the dispatcher, readable from any thread.
 */
public final class TransportCounters
{
    /** Connections accepted from other nodes. */
    public final AtomicLong accepted = new AtomicLong();
    /** Connections dialled by this node that completed TCP setup. */
    public final AtomicLong dialled = new AtomicLong();
    /** Dial attempts that failed (all addresses). */
    public final AtomicLong dialFailures = new AtomicLong();
    /** Handshakes completed. */
    public final AtomicLong handshakes = new AtomicLong();
    /** Handshakes failed (bad signature, wrong id, bad hello, timeout): connection closed. */
    public final AtomicLong handshakeFailures = new AtomicLong();
    /** Frames whose declared length exceeded the maximum: connection closed. */
    public final AtomicLong oversizedFrames = new AtomicLong();
    /** Frames that did not decode (garbage, unknown type or version, truncated body): connection closed. */
    public final AtomicLong badFrames = new AtomicLong();
    /** Connections closed mid-frame (truncated input). */
    public final AtomicLong truncated = new AtomicLong();
    /** Peers disconnected because their outbound queue overflowed. */
    public final AtomicLong slowPeerDisconnects = new AtomicLong();
    /**
     * Links isolated: congested past the isolation delay, so the node stopped waiting for them and the protocol
     * pushes to other peers instead (see SlowPeerPolicy).
     */
    public final AtomicLong peersIsolated = new AtomicLong();
    /** Isolated links the node waited for again because the protocol had nobody else to push to (the last resort). */
    public final AtomicLong slowPeerWaits = new AtomicLong();
    /** Peers convicted by the failure detector (silent past the timeout): their connection closed, reported down. */
    public final AtomicLong peersConvicted = new AtomicLong();
    /** Heartbeats written on idle connections. */
    public final AtomicLong heartbeatsSent = new AtomicLong();
    /** Heartbeats received. */
    public final AtomicLong heartbeatsReceived = new AtomicLong();
    /** Outbound queues that could not be allocated (direct memory exhausted): that peer was dropped. */
    public final AtomicLong queueAllocationFailures = new AtomicLong();
    /** Duplicate connections closed after a simultaneous dial. */
    public final AtomicLong duplicateConnections = new AtomicLong();
    /** Times reading was paused because the dispatcher's ring was full. */
    public final AtomicLong readPauses = new AtomicLong();
    /** Times a connection held its reads because an outbound queue of the node was congested (relay flow control). */
    public final AtomicLong readHolds = new AtomicLong();
    /** Times held reads were released for one read while links stayed congested (after the maximum hold time). */
    public final AtomicLong readHoldReleases = new AtomicLong();
    /** Frames received (added per read batch). */
    public final AtomicLong framesIn = new AtomicLong();
    /** Frames written (added per write batch). */
    public final AtomicLong framesOut = new AtomicLong();
    /** Accepted connections closed at once because maxConnections sockets were open. */
    public final AtomicLong connectionsRefused = new AtomicLong();
    /** Dials failed at once because maxPendingDials dials were in progress or maxConnections sockets open. */
    public final AtomicLong dialsRefused = new AtomicLong();
    /** Times a connection stopped reading to keep the node within its read limit (see ReadThrottle). */
    public final AtomicLong readThrottleWaits = new AtomicLong();
    /** Accepted connections closed at once because their source was over its rate (newConnectionsPerSecondPerSource). */
    public final AtomicLong connectionsRefusedSourceRate = new AtomicLong();
    /** Accepted connections closed at once because maxUnauthenticatedConnections were handshaking. */
    public final AtomicLong connectionsRefusedUnauthenticated = new AtomicLong();
    /** Connections closed because the handshake threads had a full queue of signatures to make and check. */
    public final AtomicLong handshakesRefusedBusy = new AtomicLong();
    /** Sources the per-source rate limit forgot to make room for another (maxConnectionSources). */
    public final AtomicLong connectionSourcesForgotten = new AtomicLong();

    /** Hands every counter to {@code consumer} with a human-readable label, in a fixed order. */
    public void forEach(final java.util.function.BiConsumer<String, AtomicLong> consumer)
    {
        consumer.accept("connections accepted", accepted);
        consumer.accept("connections dialled", dialled);
        consumer.accept("dials failed", dialFailures);
        consumer.accept("handshakes completed", handshakes);
        consumer.accept("handshakes failed", handshakeFailures);
        consumer.accept("frames refused: oversize length", oversizedFrames);
        consumer.accept("frames refused: bad input", badFrames);
        consumer.accept("connections closed mid-frame", truncated);
        consumer.accept("peers dropped: slow", slowPeerDisconnects);
        consumer.accept("peers dropped: silent", peersConvicted);
        consumer.accept("peers isolated: congested", peersIsolated);
        consumer.accept("isolated peers waited for: no other", slowPeerWaits);
        consumer.accept("heartbeats sent", heartbeatsSent);
        consumer.accept("heartbeats received", heartbeatsReceived);
        consumer.accept("duplicate connections closed", duplicateConnections);
        consumer.accept("read pauses: ring full", readPauses);
        consumer.accept("read holds: relay congested", readHolds);
        consumer.accept("read holds released while congested", readHoldReleases);
        consumer.accept("frames read", framesIn);
        consumer.accept("frames written", framesOut);
        consumer.accept("connections refused: limit", connectionsRefused);
        consumer.accept("dials refused: limit", dialsRefused);
        consumer.accept("reads stopped: read limit", readThrottleWaits);
        consumer.accept("connections refused: source rate", connectionsRefusedSourceRate);
        consumer.accept("connections refused: unauthenticated limit", connectionsRefusedUnauthenticated);
        consumer.accept("handshakes refused: busy", handshakesRefusedBusy);
        consumer.accept("connection sources forgotten", connectionSourcesForgotten);
    }

    /** Total of accepted connections refused before their handshake (any limit). */
    public long connectionsRefusedTotal()
    {
        return connectionsRefused.get() + connectionsRefusedSourceRate.get() + connectionsRefusedUnauthenticated.get()
            + handshakesRefusedBusy.get();
    }

    /** Total of connections closed for bad input of any kind. */
    public long badInputTotal()
    {
        return handshakeFailures.get() + oversizedFrames.get() + badFrames.get() + truncated.get();
    }

    @Override
    public String toString()
    {
        return "TransportCounters{accepted=" + accepted + ", dialled=" + dialled + ", dialFailures=" + dialFailures
            + ", handshakes=" + handshakes + ", handshakeFailures=" + handshakeFailures
            + ", oversizedFrames=" + oversizedFrames + ", badFrames=" + badFrames + ", truncated=" + truncated
            + ", slowPeerDisconnects=" + slowPeerDisconnects + ", peersConvicted=" + peersConvicted
            + ", peersIsolated=" + peersIsolated + ", slowPeerWaits=" + slowPeerWaits
            + ", heartbeatsSent=" + heartbeatsSent + ", heartbeatsReceived=" + heartbeatsReceived
            + ", queueAllocationFailures=" + queueAllocationFailures
            + ", duplicateConnections=" + duplicateConnections
            + ", readPauses=" + readPauses + ", readHolds=" + readHolds + ", readHoldReleases=" + readHoldReleases
            + ", framesIn=" + framesIn + ", framesOut=" + framesOut
            + ", connectionsRefused=" + connectionsRefused + ", dialsRefused=" + dialsRefused
            + ", readThrottleWaits=" + readThrottleWaits
            + ", connectionsRefusedSourceRate=" + connectionsRefusedSourceRate
            + ", connectionsRefusedUnauthenticated=" + connectionsRefusedUnauthenticated
            + ", handshakesRefusedBusy=" + handshakesRefusedBusy
            + ", connectionSourcesForgotten=" + connectionSourcesForgotten + "}";
    }
}
