package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One preallocated ring slot: a union of every event kind. References are set by the producer and cleared by the
 * dispatcher once handled; bytes (a frame or a broadcast payload) are copied into a slot-owned buffer that grows on
 * demand to the largest length seen (rounded up to a power of two, never beyond the engine's maximum frame length)
 * and is then reused, so a warmed-up ring copies without allocating.
 * <p>
 * Memory per slot: about 64 bytes of fields plus the buffer, {@value #INITIAL_CAPACITY} bytes at first. A buffer
 * grows up to the maximum frame length, but one grown beyond the retain limit (the largest Gossip frame: payload
 * plus header) is dropped back to the initial size once handled, so the ring retains at most
 * {@code ringSize * retainLimit} bytes however large the occasional membership frame is.
 */
final class Slot
{
    static final int NONE = 0;
    static final int SUBSCRIBE = 1;
    static final int UNSUBSCRIBE = 2;
    static final int JOIN_PEERS = 3;
    static final int BROADCAST = 4;
    static final int BROADCAST_NEIGHBORS = 5;
    static final int CONTACT_DATA = 6;
    static final int SHUTDOWN = 7;
    static final int FRAME_RECEIVED = 8;
    static final int PEER_CONNECTED = 9;
    static final int PEER_DISCONNECTED = 10;
    static final int DIAL_FAILED = 11;

    static final int INITIAL_CAPACITY = 128;

    private final int maxLength;
    private final int retainLimit;

    int kind;
    /** Subscribe, JoinPeers, Broadcast*: the topic. */
    TopicId topic;
    /** Network events: the peer. */
    NodeId peer;
    /** Subscribe, Unsubscribe, Broadcast*: the subscription that asked. */
    EngineSubscription subscription;
    /** Subscribe, JoinPeers: an immutable list of peers; ContactData: a byte[]. */
    Object attachment;
    /** Frame or payload bytes, valid for {@link #length} bytes from 0. */
    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[INITIAL_CAPACITY]);
    int length;

    Slot(final int maxLength, final int retainLimit)
    {
        this.maxLength = maxLength;
        this.retainLimit = retainLimit;
    }

    /** Copies {@code length} bytes into the slot buffer; {@code length} must not exceed the maximum length. */
    void copy(final DirectBuffer src, final int offset, final int length)
    {
        ensureCapacity(length);
        buffer.putBytes(0, src, offset, length);
        this.length = length;
    }

    /** Copies {@code length} bytes of {@code src} into the slot buffer. */
    void copy(final byte[] src, final int offset, final int length)
    {
        ensureCapacity(length);
        buffer.putBytes(0, src, offset, length);
        this.length = length;
    }

    /** Drops references so that a handled slot keeps nothing alive; the buffer is kept for reuse. */
    void clear()
    {
        kind = NONE;
        topic = null;
        peer = null;
        subscription = null;
        attachment = null;
        length = 0;
        if (buffer.capacity() > retainLimit)
        {
            // A rare oversized membership frame: do not keep its buffer alive in this slot.
            buffer.wrap(new byte[INITIAL_CAPACITY]);
        }
    }

    private void ensureCapacity(final int required)
    {
        if (required > buffer.capacity())
        {
            if (required > maxLength)
            {
                throw new IllegalArgumentException("length " + required + " exceeds the maximum " + maxLength);
            }
            final int grown = Math.min(maxLength, BitUtil.findNextPositivePowerOfTwo(required));
            buffer.wrap(new byte[grown]);
        }
    }
}
