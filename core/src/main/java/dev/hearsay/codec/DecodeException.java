package dev.hearsay.codec;

/**
 * Thrown by {@link MessageDecoder} when a frame is not a valid message. It carries no stack trace: peers can send
 * garbage at line rate and rejecting it must stay cheap. The {@link #reason()} says what was wrong, the message says
 * where.
 */
public final class DecodeException extends RuntimeException
{
    /** Why a frame was rejected. */
    public enum Reason
    {
        /** The frame ends before a field or a declared length does. */
        TRUNCATED,
        /** The version byte is not one this decoder understands. */
        BAD_VERSION,
        /** The type byte names no message type. */
        UNKNOWN_TYPE,
        /** A count or length is larger than its limit (contacts, IHave entries, contact data, payload). */
        LENGTH_OVER_LIMIT,
        /** A field holds a value that is never valid (a boolean other than 0 or 1, a reserved flag bit set). */
        BAD_FIELD,
        /** Bytes follow the end of the message body. */
        TRAILING_BYTES
    }

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    /** An exception for {@code reason} with a human-readable {@code detail}. */
    public DecodeException(final Reason reason, final String detail)
    {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    /** Why the frame was rejected. */
    public Reason reason()
    {
        return reason;
    }
}
