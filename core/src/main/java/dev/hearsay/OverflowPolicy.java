package dev.hearsay;

/**
 * What a subscription's bounded buffer does when its reader falls behind: chosen per subscription in
 * {@link SubscriptionOptions#overflow()}. Either way a loss is reported once, as {@link GossipEvent.Lagged}, right
 * where it happened: after the last event buffered before the gap.
 */
public enum OverflowPolicy
{
    /**
     * Nothing is dropped while the reader keeps reading (the default). When the buffer is nearly full the node holds
     * its flow as it does for a congested peer: its dispatcher stops taking events from its ring until the reader has
     * made room, so the node's reads from its peers pause (TCP back-pressure reaches their senders, hop by hop to the
     * authors) and local publishers get {@code BACK_PRESSURED}. The hold is node-wide: the node's one ring carries
     * every topic. A reader that stays behind for the subscription's {@code slowSubscriberTimeout}, its buffer not
     * once empty since it first held the node (it stopped, or reads slower than the flow), is cut over to
     * {@link #DROP} (counted, logged) so that one dead or slow reader cannot pace the node for long; once it has
     * read everything buffered, it is lossless again.
     */
    LOSSLESS,

    /**
     * The buffer drops what does not fit and counts it; the node never waits for this reader. For readers that
     * prefer fresh data to complete data.
     */
    DROP
}
