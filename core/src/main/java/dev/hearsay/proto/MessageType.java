package dev.hearsay.proto;

/**
 * Kinds of protocol message, with their one-byte wire code. Membership (HyParView) codes are below 16, broadcast
 * (PlumTree) codes from 16.
 */
public enum MessageType
{
    /** HyParView: a node asks a contact to let it into the overlay. */
    JOIN(1),
    /** HyParView: random walk announcing a joiner. */
    FORWARD_JOIN(2),
    /** HyParView: request to become an active neighbor (high or low priority). */
    NEIGHBOR(3),
    /** HyParView: answer to NEIGHBOR or JOIN (accepted or not). */
    NEIGHBOR_REPLY(4),
    /** HyParView: the sender drops the receiver from its active view. */
    DISCONNECT(5),
    /** HyParView: random walk exchanging samples of the views. */
    SHUFFLE(6),
    /** HyParView: answer to SHUFFLE, sent straight to its origin. */
    SHUFFLE_REPLY(7),
    /** PlumTree: eager push of a payload. */
    GOSSIP(16),
    /** PlumTree: lazy announcement of message ids. */
    IHAVE(17),
    /** PlumTree: request for a missing message, and repair of the tree edge. */
    GRAFT(18),
    /** PlumTree: the sender moves the receiver to its lazy peers. */
    PRUNE(19);

    private static final MessageType[] BY_CODE = new MessageType[32];

    static
    {
        for (final MessageType t : values())
        {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(final int code)
    {
        this.code = code;
    }

    /** The wire code. */
    public int code()
    {
        return code;
    }

    /** The type with this wire code, or null if none. */
    public static MessageType fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
