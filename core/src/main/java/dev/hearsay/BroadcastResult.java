package dev.hearsay;

/**
 * Negative codes returned by {@code Subscription.broadcast*}; a value {@code >= 0} means accepted.
 */
public final class BroadcastResult
{
    /** The dispatcher's ring is full right now; nothing was published. Retry. */
    public static final long BACK_PRESSURED = -1;
    /** The subscription or the node is closed; nothing was published. */
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
