package dev.hearsay.sim;

import dev.hearsay.NodeId;
import dev.hearsay.proto.Message;

/**
 * How a message crosses a simulated link: what the sender puts on the wire and how the receiver reads it back.
 * The simulator normally uses {@link CodecWire} (real bytes); {@link CopyWire} hands over deep copies instead, to
 * tell a codec problem from a protocol problem.
 */
interface Wire
{
    /** What travels for {@code message}; must own its data because the protocol reuses {@code message}. */
    Object encode(Message message);

    /** Size on the wire in bytes, for the traffic counters (0 when unknown). */
    int length(Object onTheWire);

    /** The message {@code receiver} reads, valid until the next call; null if it cannot be decoded. */
    Message decode(int receiver, Object onTheWire);

    /** The instance of {@code id} that decoding will return, so ids compare by identity; {@code id} if none. */
    default NodeId canonical(final NodeId id)
    {
        return id;
    }

    /** Why the last {@link #decode} returned null. */
    String lastError();
}
