package dev.hearsay.codec;

import dev.hearsay.GossipConfig;
import dev.hearsay.proto.Message;
import org.agrona.DirectBuffer;

/** PLACEHOLDER on branch sim until branch codec lands (removed before merging it). */
public final class MessageDecoder
{
    /** Placeholder. */
    public MessageDecoder(final GossipConfig config)
    {
    }

    /** Placeholder. */
    public Message decode(final DirectBuffer buffer, final int offset, final int length) throws DecodeException
    {
        throw new UnsupportedOperationException("codec not merged yet");
    }
}
