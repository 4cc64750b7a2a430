package dev.hearsay;

import org.agrona.DirectBuffer;

/**
 * Zero-copy receiver of subscription events for {@link Subscription#poll(GossipHandler, int)}. The buffer is valid
 * only during the call: copy what must outlive it.
 */
@FunctionalInterface
public interface GossipHandler
{
    /** A message delivered on {@code topic}; {@code hops} is 0 when delivered directly by the author. */
    void onMessage(TopicId topic, DirectBuffer buffer, int offset, int length, NodeId author, NodeId deliveredFrom,
        int hops);

    /** A peer entered the topic's active view. */
    default void onNeighborUp(final NodeId peer)
    {
    }

    /** A peer left the topic's active view. */
    default void onNeighborDown(final NodeId peer)
    {
    }

    /** {@code missed} events were dropped because the subscription's buffer was full. */
    default void onLagged(final long missed)
    {
    }

    /**
     * FIFO subscriptions only: {@code author}'s messages {@code fromSequence} to {@code toSequence} (inclusive) of
     * epoch {@code epoch} did not arrive within the gap timeout and are skipped.
     */
    default void onGap(final NodeId author, final int epoch, final long fromSequence, final long toSequence)
    {
    }
}
