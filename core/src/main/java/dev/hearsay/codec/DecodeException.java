package dev.hearsay.codec;

/** PLACEHOLDER on branch sim until branch codec lands (removed before merging it). */
public final class DecodeException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** Placeholder. */
    public DecodeException(final String message)
    {
        super(message);
    }
}
