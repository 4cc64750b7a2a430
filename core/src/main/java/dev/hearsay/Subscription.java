package dev.hearsay;

import org.agrona.DirectBuffer;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One user's membership of a topic. Events are buffered per subscription (bounded; overflow is reported once as
 * {@link GossipEvent.Lagged}) and read with {@link #poll(GossipHandler, int)} or {@link #next(Duration)} from a
 * single user thread.
 */
public interface Subscription extends AutoCloseable
{
    /** The topic. */
    TopicId topic();

    /** Completes at the first NeighborUp of this subscription. */
    CompletableFuture<Void> joined();

    /** A snapshot of the topic's current neighbors as seen by this subscription's events. */
    Set<NodeId> neighbors();

    /** Asks the topic to join through these peers as well. */
    void joinPeers(Collection<NodeId> peers);

    /**
     * Broadcasts {@code payload} (copied) to the topic's subscribers on every other node; this node's own
     * subscriptions do not receive it. Any thread; never blocks. Accepted before the topic has a neighbor, it is held
     * (up to {@code pendingBroadcastCapacity} per topic) and sent when the first neighbor comes up.
     *
     * @return {@code >= 0} when accepted (the ring sequence; see {@link BroadcastResult}),
     * {@link BroadcastResult#BACK_PRESSURED} when the node holds publishers back right now (retry later), or
     * {@link BroadcastResult#CLOSED} when this subscription or its node is closed.
     * @throws IllegalArgumentException if the payload is longer than {@code maxMessageSize}.
     */
    long broadcast(byte[] payload);

    /**
     * Broadcasts {@code length} bytes of {@code buffer} at {@code offset} (copied before returning) as
     * {@link #broadcast(byte[])} does, with the same results.
     */
    long broadcast(DirectBuffer buffer, int offset, int length);

    /**
     * Broadcasts {@code payload} to this node's current neighbors on the topic only; they deliver it and do not
     * forward it, and a neighbor that joins later does not get it. Returns and throws as {@link #broadcast(byte[])}.
     */
    long broadcastNeighbors(byte[] payload);

    /**
     * Broadcasts of this subscription that {@code broadcast*} accepted (returned {@code >= 0}) and the node then
     * dropped without sending: the topic had no neighbor yet and its hold queue ({@code pendingBroadcastCapacity})
     * was full, or the topic was no longer joined. Any thread; never decreases. Every other accepted broadcast is
     * sent, at once or when the topic's first neighbor comes up.
     */
    long broadcastsDropped();

    /**
     * Hands at most {@code limit} buffered events to {@code handler}; returns how many. Never blocks.
     *
     * @throws IllegalStateException if the subscription has a dispatcher handler (nothing is buffered).
     */
    int poll(GossipHandler handler, int limit);

    /**
     * The next event, waiting at most {@code timeout}; null on timeout.
     *
     * @throws IllegalStateException if the subscription has a dispatcher handler (nothing is buffered).
     */
    GossipEvent next(Duration timeout) throws InterruptedException;

    /**
     * Has {@code thread} unparked ({@link java.util.concurrent.locks.LockSupport#unpark}) whenever events are
     * buffered for this subscription from now on; {@code null} stops it. For one thread that polls several
     * subscriptions with {@link #poll} and parks when all are empty: register with each, poll each once more, and
     * park only if that found nothing. Not to be combined with {@link #next}, which uses the same registration.
     *
     * @throws IllegalStateException if the subscription has a dispatcher handler (nothing is buffered).
     */
    void wakeOnEvents(Thread thread);

    /** Leaves the topic when this is its last subscription on the node. */
    @Override
    void close();
}
