package dev.hearsay;

/**
 * What {@code Subscription.broadcast*} returns. A value {@code >= 0} means the payload was copied into the node's
 * ring and will be handled by its dispatcher: it is the ring sequence of the broadcast (increasing per node, not
 * per topic, and not the message's id). From then on the broadcast is sent, at once or when the topic's first
 * neighbor comes up, or counted in {@code Subscription.broadcastsDropped()}; it is never dropped silently. A
 * negative value is one of the codes below, and then nothing was copied and nothing will be sent: the caller keeps
 * the payload and decides whether to retry. The methods never block; a payload over {@code maxMessageSize} is not a
 * code but an {@link IllegalArgumentException}, thrown before anything else is checked.
 */
public final class BroadcastResult
{
    /**
     * The node holds publishers back right now; retry later (with an idle strategy: the condition lasts until the
     * node has moved data on). Returned, and counted as {@code BROADCASTS_BACK_PRESSURED}, when:
     * <ul>
     * <li>a peer's outbound queue is above its congestion mark ({@code TransportOptions.congestionBytes}) and the
     * transport waits for that peer (relay flow control: every publisher of the node is held until the queue drains
     * or the peer is isolated as stuck);</li>
     * <li>the broadcasts accepted and not yet handled by the dispatcher already hold
     * {@code maxInFlightBroadcastBytes} (a broadcast is admitted whenever nothing else is in flight, so one payload
     * larger than the bound still goes, alone);</li>
     * <li>the ring has no free slot: the dispatcher is behind, or it is held by a lossless subscription whose reader
     * has not made room ({@code OverflowPolicy.LOSSLESS}).</li>
     * </ul>
     */
    public static final long BACK_PRESSURED = -1;
    /**
     * The subscription was closed, or its node was closed or is closing; nothing was published, and every later
     * call returns this again.
     */
    public static final long CLOSED = -2;

    private BroadcastResult()
    {
    }

    /** Human-readable name of a result code. */
    public static String describe(final long code)
    {
        if (code >= 0)
        {
            return "ACCEPTED";
        }
        if (code == BACK_PRESSURED)
        {
            return "BACK_PRESSURED";
        }
        if (code == CLOSED)
        {
            return "CLOSED";
        }
        return "UNKNOWN(" + code + ")";
    }
}
