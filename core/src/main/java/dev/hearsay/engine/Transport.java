package dev.hearsay.engine;

import dev.hearsay.NodeId;
import org.agrona.DirectBuffer;

/**
 * What the engine needs from a network: send frames to peers, dial on demand, drop peers. The engine calls
 * {@link #bind(NetworkEvents)} once from its constructor; every other method is called on the dispatcher thread
 * only, so an implementation needs no synchronisation against the engine itself, only against its own I/O threads.
 * No method may block: the dispatcher never waits on a peer.
 */
public interface Transport
{
    /**
     * Gives the transport the publisher through which it reports frames and connection changes into the engine's
     * ring. Called once, before any other method, on the thread that constructs the engine.
     */
    void bind(NetworkEvents events);

    /**
     * Queues one frame (the encoded message, without any length prefix) for {@code peer}, dialling it first if no
     * connection exists. The bytes are copied before returning. A dial that fails later is reported through
     * {@link NetworkEvents#onDialFailed(NodeId)}.
     *
     * @return false when the peer's outbound queue is over its bound: the engine then disconnects the peer and
     * reports it down to the protocol; it never waits for it.
     */
    boolean send(NodeId peer, DirectBuffer frame, int offset, int length);

    /** Closes the connection to {@code peer} once the frames already queued for it are written. */
    void disconnect(NodeId peer);

    /**
     * Closes the connection to {@code peer} now, without the grace {@link #disconnect} gives: the peer sent input
     * that does not decode, and nothing more it sends should be read. Frames still queued for it may be dropped.
     */
    default void reject(final NodeId peer)
    {
        disconnect(peer);
    }

    /**
     * Called once per dispatcher duty cycle, after a batch of events: a transport that batches writes flushes them
     * here. Must not block.
     *
     * @return a work count (0 when there was nothing to do) for the idle strategy.
     */
    default int flush()
    {
        return 0;
    }

    /**
     * Called by the dispatcher after a duty cycle in which it handled events, so freed ring slots (and released
     * their frame bytes): a transport that stopped reading for a full ring may retry now rather than poll. Called
     * often; must be cheap when nothing waits, and must not block.
     */
    default void ringSpaceFreed()
    {
    }

    /** The protocol learned {@code peer}'s contact data (for example encoded addresses): a hint for dialling. */
    default void onContactData(final NodeId peer, final byte[] data)
    {
    }

    /**
     * True while the transport wants local publishers to hold back, for example while a peer's outbound queue is
     * above its high-water mark. Called on user threads before each broadcast, so it must be cheap and thread-safe;
     * a broadcast refused this way returns {@code BroadcastResult.BACK_PRESSURED}.
     */
    default boolean backPressured()
    {
        return false;
    }

    /** True while frames for {@code peer} queue up faster than they leave (its queue is above the congestion mark). */
    default boolean congested(final NodeId peer)
    {
        return false;
    }

    /**
     * True while some peer's link may be slow (see {@link #slow}): a cheap check before asking about each peer.
     * Dispatcher only.
     */
    default boolean anySlow()
    {
        return false;
    }

    /**
     * True while {@code peer}'s link has been congested without draining for long enough that the transport no
     * longer holds the node back for it: the protocol should push payloads to other peers where it can and announce them to this one.
     * Dispatcher only.
     */
    default boolean slow(final NodeId peer)
    {
        return false;
    }

    /**
     * The protocol pushed a payload to a slow {@code peer} because it had nobody else to push to: the transport
     * holds the node back for that peer again (publishers back-pressured, reads held), until its queue drains.
     * Dispatcher only.
     */
    default void waitFor(final NodeId peer)
    {
    }

    /**
     * True while the transport holds back reading from peers (flow control, or a full ring): frames may then be
     * waiting unread, and the protocol puts off repairs timed on their absence. Called by the dispatcher once per
     * timer run; must be cheap.
     */
    default boolean inboundHeld()
    {
        return false;
    }

    /**
     * A thread of the transport's own that should run the dispatcher between its I/O work, or null (the default)
     * for a dispatcher thread of the engine's own. Asked once, by {@link GossipEngine#start()}. With a host, every
     * method here is called on the host's thread, and {@link #close()} may be called on it too: it must not wait
     * for that thread then.
     */
    default DispatcherHost dispatcherHost()
    {
        return null;
    }

    /** Closes every connection and releases resources. Called once when the engine shuts down. */
    void close();
}
