package dev.hearsay.codec;

import dev.hearsay.proto.Message;
import org.agrona.MutableDirectBuffer;

/** PLACEHOLDER on branch sim until branch codec lands (removed before merging it). */
public final class MessageEncoder
{
    /** Placeholder. */
    public static int maxEncodedLength(final int maxMessageSize, final int maxPeerDataSize)
    {
        return 65536;
    }

    /** Placeholder. */
    public int encode(final Message message, final MutableDirectBuffer buffer, final int offset)
    {
        throw new UnsupportedOperationException("codec not merged yet");
    }
}
