package dev.hearsay;

/**
 * Events a {@link Subscription} hands to its user, in the order the node's dispatcher produced them, through
 * {@link Subscription#next(java.time.Duration)} and {@link Subscription#poll(GossipHandler, int)} (or, with a
 * dispatcher handler, as they happen). Every subscription to a topic on a node gets every event of that topic.
 */
public sealed interface GossipEvent
{
    /**
     * {@code peer} entered this topic's active view on this node: the link is up in both directions and the peer
     * will receive this node's broadcasts from now on. The first one completes {@link Subscription#joined()}. Comes
     * once per entry: a peer that leaves and comes back brings a {@link NeighborDown} and then a new NeighborUp.
     */
    record NeighborUp(NodeId peer) implements GossipEvent
    {
    }

    /**
     * {@code peer} left this topic's active view: it left the topic, closed, was convicted by the failure detector
     * (silent past {@code failureDetectionTimeout}), was disconnected as slow, or was replaced by HyParView.
     */
    record NeighborDown(NodeId peer) implements GossipEvent
    {
    }

    /**
     * A message broadcast on this topic by another node, delivered once per subscription (duplicates arriving over
     * other links are dropped before delivery; with {@code verifySignatures}, only after its signature verified).
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

    /**
     * The subscription's buffer was full ({@link OverflowPolicy#DROP}, or a {@link OverflowPolicy#LOSSLESS} reader cut
     * over after its {@code slowSubscriberTimeout}) and {@code missed} events were dropped at this point: the reader
     * gets it right after the last event buffered before the loss, and the events after it are those that came once
     * there was room again. One Lagged per gap, however many events it covers. Also: {@code missed} messages of the
     * topic that the node never received and no longer waits for (an author's stream moved more than its dedupe
     * window, about a million messages, past them: its repair could not get them, from peers whose caches no
     * longer held them), reported when the node gives them up, so somewhat after the loss; a FIFO subscription
     * reports those as a {@link Gap}.
     */
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
