package dev.hearsay;

/**
 * Events a {@link Subscription} hands to its user through {@link Subscription#next(java.time.Duration)}.
 */
public sealed interface GossipEvent
{
    /** A peer entered this topic's active view. */
    record NeighborUp(NodeId peer) implements GossipEvent
    {
    }

    /** A peer left this topic's active view. */
    record NeighborDown(NodeId peer) implements GossipEvent
    {
    }

    /**
     * A message delivered on this topic.
     *
     * @param content       the payload (a copy owned by the receiver).
     * @param author        the node that called broadcast.
     * @param deliveredFrom the last hop.
     * @param hops          0 when delivered directly by the author.
     * @param neighborsOnly true for a Neighbors-scope broadcast.
     */
    record Received(byte[] content, NodeId author, NodeId deliveredFrom, int hops, boolean neighborsOnly)
        implements GossipEvent
    {
    }

    /** The subscription's buffer overflowed and {@code missed} events were dropped before this one. */
    record Lagged(long missed) implements GossipEvent
    {
    }

    /**
     * FIFO subscriptions only ({@link SubscriptionOptions#perAuthorFifo()}): messages {@code fromSequence} to
     * {@code toSequence} (inclusive) of {@code author}'s epoch {@code epoch} did not arrive within the gap timeout
     * and are skipped; the author's later messages follow.
     */
    record Gap(NodeId author, int epoch, long fromSequence, long toSequence) implements GossipEvent
    {
    }
}
