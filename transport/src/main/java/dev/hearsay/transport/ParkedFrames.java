package dev.hearsay.transport;

import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Event loop only: the frames of one connection that the dispatcher's ring had no room for, in arrival order, as
 * bytes in one array (a 4-byte length, then the frame) rather than as retained slices of Netty's buffers.
 * <p>
 * Why copies: a slice per parked frame is an object, and when a full ring parks the rest of a read (hundreds of
 * frames) at once Netty's recycler, which keeps few of them, allocates most, and its queue allocates more on the
 * way back. Parked frames are the exception (the ring is full), so the copy is cheap next to that garbage.
 * <p>
 * Bounded: a connection parks only while its reads are paused, so at most what one read held (and the frames of
 * the read that completed the handshake). The array is kept for the next pause up to {@link #RETAIN_BYTES}; a
 * larger one is dropped once empty. Nothing is allocated for a connection that never parks.
 */
final class ParkedFrames
{
    /** Largest array kept once empty: a read is at most 64 KiB with Netty's default receive buffer sizes. */
    static final int RETAIN_BYTES = 256 * 1024;
    private static final int PREFIX = 4;
    private static final int INITIAL_BYTES = 16 * 1024;

    private byte[] bytes;
    /** Over the whole array: the length prefixes. */
    private final UnsafeBuffer lengths = new UnsafeBuffer(0, 0);
    /** Over one frame: what {@link #first} returns. */
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private int head;
    private int tail;

    boolean isEmpty()
    {
        return head == tail;
    }

    /** Bytes parked. */
    int size()
    {
        return tail - head;
    }

    /** Appends the {@code length} bytes of {@code buf} at {@code index} (the buffer is left as it was). */
    void add(final ByteBuf buf, final int index, final int length)
    {
        ensureRoom(PREFIX + length);
        lengths.putInt(tail, length);
        buf.getBytes(index, bytes, tail + PREFIX, length);
        tail += PREFIX + length;
    }

    /** The first parked frame's length; {@link #first()} holds its bytes at [0, length). Not empty. */
    int firstLength()
    {
        return lengths.getInt(head);
    }

    /** A view of the first parked frame (valid until the next change). Not empty. */
    UnsafeBuffer first()
    {
        final int length = firstLength();
        view.wrap(bytes, head + PREFIX, length);
        return view;
    }

    /** Drops the first parked frame. Not empty. */
    void removeFirst()
    {
        head += PREFIX + firstLength();
        if (head == tail)
        {
            clear();
        }
    }

    /** Drops every parked frame. */
    void clear()
    {
        head = 0;
        tail = 0;
        if (bytes != null && bytes.length > RETAIN_BYTES)
        {
            bytes = null;
            lengths.wrap(0, 0);
        }
    }

    private void ensureRoom(final int needed)
    {
        if (bytes == null)
        {
            bytes = new byte[Math.max(INITIAL_BYTES, needed)];
            lengths.wrap(bytes);
            return;
        }
        if (bytes.length - tail >= needed)
        {
            return;
        }
        final int used = tail - head;
        if (bytes.length - used >= needed)
        {
            // Room at the front: move the parked frames down rather than grow.
            System.arraycopy(bytes, head, bytes, 0, used);
        }
        else
        {
            final byte[] grown = new byte[Math.max(bytes.length * 2, used + needed)];
            System.arraycopy(bytes, head, grown, 0, used);
            bytes = grown;
            lengths.wrap(bytes);
        }
        head = 0;
        tail = used;
    }
}
