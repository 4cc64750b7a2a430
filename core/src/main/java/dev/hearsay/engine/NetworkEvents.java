package dev.hearsay.engine;

import dev.hearsay.NodeId;
import org.agrona.DirectBuffer;

/**
 * The engine's ring as seen by a {@link Transport}: each call copies one network event into a ring slot and
 * returns without blocking. Safe to call from any number of threads at once. A call that returns false published
 * nothing because the ring is full: the transport keeps the event and retries later (for frames: stops reading
 * from that connection until a retry succeeds, which is how TCP back-pressure reaches the sender). After the engine
 * is closed every call returns true and discards the event.
 */
public interface NetworkEvents
{
    /**
     * A frame (one encoded message) arrived from {@code peer}. A frame longer than the engine's maximum frame
     * length is discarded and counted ({@link EngineCounter#FRAMES_OVERSIZE}), and true is returned.
     *
     * @return false if the ring is full.
     */
    boolean onFrame(NodeId peer, DirectBuffer buffer, int offset, int length);

    /**
     * A connection to {@code peer} is established (either side dialled).
     *
     * @return false if the ring is full.
     */
    boolean onPeerConnected(NodeId peer);

    /**
     * The connection to {@code peer} is gone: the protocol treats the peer as down for every topic.
     *
     * @return false if the ring is full.
     */
    boolean onPeerDisconnected(NodeId peer);

    /**
     * Dialling {@code peer} failed: the protocol treats the peer as down for every topic.
     *
     * @return false if the ring is full.
     */
    boolean onDialFailed(NodeId peer);

    /**
     * The engine's dispatcher thread, for the debug check of the methods {@link Transport} reserves for it (see
     * {@link DispatcherThread}). Not an event: any thread may call it, and it may be kept.
     */
    default DispatcherThread dispatcherThreadCheck()
    {
        return DispatcherThread.ANY;
    }
}
