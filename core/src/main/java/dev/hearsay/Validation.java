package dev.hearsay;

/**
 * A {@link MessageValidator}'s verdict on a received message, as gossipsub's accept, reject and ignore.
 */
public enum Validation
{
    /** The message is delivered to the topic's subscriptions and relayed (pushed, announced, cached for grafts). */
    ACCEPT,
    /**
     * The message is invalid: neither delivered nor relayed nor cached, counted ({@code messages dropped: validator
     * rejected}) and counted against the peer that sent it, which is disconnected after
     * {@link GossipConfig#rejectedMessageLimit()} of them.
     */
    REJECT,
    /**
     * The message is not wanted, without blame: neither delivered nor relayed nor cached, counted ({@code messages
     * dropped: validator ignored}); the peer that sent it is not penalised.
     */
    IGNORE
}
