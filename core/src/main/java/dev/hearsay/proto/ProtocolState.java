package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;

import java.util.Collection;
import java.util.Set;

/**
 * The whole protocol state of one node: one {@code Topic} (HyParView + PlumTree) per joined topic. A pure state
 * machine: every method takes the current time in nanoseconds, reads no clock, starts no thread, draws randomness
 * from the seed, and reports what it wants done through {@link ProtocolOutput}. The same inputs give the same
 * outputs. Not thread-safe: exactly one thread drives it.
 */
public final class ProtocolState
{
    /** {@link #broadcast} result: sent to at least one peer (or to nobody for a Neighbors-scope broadcast). */
    public static final int SENT = 0;
    /** {@link #broadcast} result: the topic has no neighbor yet; held and pushed when the first one comes up. */
    public static final int HELD = 1;
    /** {@link #broadcast} result: no neighbor and the hold queue is full; not sent. */
    public static final int REJECTED_HOLD_FULL = -1;
    /** {@link #broadcast} result: the topic is not joined. */
    public static final int REJECTED_NO_TOPIC = -2;

    /**
     * @param me     this node's id.
     * @param config protocol settings.
     * @param seed   seed of all randomness.
     * @param epoch  this incarnation's epoch, part of every message id it authors (choose a new one per restart).
     * @param output where the protocol's actions go.
     */
    public ProtocolState(final NodeId me, final GossipConfig config, final long seed, final int epoch,
        final ProtocolOutput output)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** This node's id. */
    public NodeId me()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Sets the contact data (e.g. encoded addresses) this node attaches to its id in membership messages. */
    public void contactData(final byte[] data)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Joins {@code topic} (creating its state if new) and sends Join to each bootstrap peer. Joining a topic
     * already joined only adds the bootstrap peers. Throws {@link IllegalStateException} beyond {@code maxTopics}.
     */
    public void join(final TopicId topic, final Collection<NodeId> bootstrap, final long now)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** True if {@code topic} is joined. */
    public boolean isJoined(final TopicId topic)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Broadcasts a payload authored by this node: Swarm scope (whole topic) or Neighbors scope (direct neighbors,
     * never forwarded). The payload is copied before returning. Returns {@link #SENT}, {@link #HELD},
     * {@link #REJECTED_HOLD_FULL} or {@link #REJECTED_NO_TOPIC}.
     */
    public int broadcast(final TopicId topic, final DirectBuffer payload, final int offset, final int length,
        final boolean neighborsOnly, final long now)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Leaves {@code topic}: Disconnect(alive=false) to its neighbors, then forgets its state. */
    public void quit(final TopicId topic, final long now)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Handles a message received from {@code from}. Messages for topics not joined are ignored (counted). */
    public void onMessage(final NodeId from, final Message message, final long now)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** The connection to {@code peer} was lost, or dialling it failed: it is down for every topic. */
    public void onPeerDown(final NodeId peer, final long now)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Earliest time {@link #onTimer(long)} has work, or {@link Long#MAX_VALUE} if none. */
    public long nextDeadline()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Runs every timer due at {@code now}. Calling it early or late is harmless. */
    public void onTimer(final long now)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Counters of this node. */
    public ProtocolStats stats()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Snapshot of the active view of {@code topic} (empty if not joined). Allocates: for tests and tools. */
    public Set<NodeId> activeView(final TopicId topic)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Snapshot of the passive view of {@code topic}. Allocates: for tests and tools. */
    public Set<NodeId> passiveView(final TopicId topic)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Snapshot of the PlumTree eager peers of {@code topic}. Allocates: for tests and tools. */
    public Set<NodeId> eagerPeers(final TopicId topic)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Snapshot of the PlumTree lazy peers of {@code topic}. Allocates: for tests and tools. */
    public Set<NodeId> lazyPeers(final TopicId topic)
    {
        throw new UnsupportedOperationException("in progress");
    }
}
