package dev.hearsay.transport;

import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Event loop only: the frames of one connection that the dispatcher's ring had no room for, in arrival order, copied
 * into one pooled buffer (a 4-byte length, then the frame) rather than kept as retained slices of the read buffers.
 * <p>
 * Why copies: a slice per parked frame is an object, and when a full ring parks the rest of a read (hundreds of
 * frames) at once Netty's recycler, which keeps few of them, allocates most, and its queue allocates more on the
 * way back. Why a pooled buffer rather than a byte array: it comes from Netty's allocator (its per-thread cache, no
 * heap allocation) and goes back to it once the frames are in, so an idle connection holds nothing, and a large
 * park (a half-closed peer's last data is read whole, however much it is) leaves no garbage behind.
 * <p>
 * Bounded: a connection parks only while its reads are paused, so at most what one read held (and the frames of
 * the read that completed the handshake), except a half-closed peer's remaining data.
 */
final class ParkedFrames
{
    private static final int PREFIX = 4;
    private static final int INITIAL_BYTES = 16 * 1024;

    /** The parked frames from the reader index on; null when none is parked. */
    private ByteBuf bytes;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    /** Only where Netty's buffers have no memory address (no Unsafe): the first frame, copied. */
    private byte[] scratch;

    boolean isEmpty()
    {
        return bytes == null;
    }

    /** Bytes parked. */
    int size()
    {
        return bytes == null ? 0 : bytes.readableBytes();
    }

    /**
     * Appends the {@code length} bytes of {@code buf} at {@code index} (the buffer is left as it was), into a buffer
     * from {@code buf}'s allocator.
     */
    void add(final ByteBuf buf, final int index, final int length)
    {
        if (bytes == null)
        {
            bytes = buf.alloc().directBuffer(Math.max(INITIAL_BYTES, PREFIX + length));
        }
        bytes.writeInt(length);
        bytes.writeBytes(buf, index, length);
    }

    /** The first parked frame's length. Not empty. */
    int firstLength()
    {
        return bytes.getInt(bytes.readerIndex());
    }

    /** A view of the first parked frame, at [0, {@link #firstLength()}) (valid until the next change). Not empty. */
    UnsafeBuffer first()
    {
        final int length = firstLength();
        final int at = bytes.readerIndex() + PREFIX;
        if (bytes.hasMemoryAddress())
        {
            view.wrap(bytes.memoryAddress() + at, length);
        }
        else
        {
            if (scratch == null || scratch.length < length)
            {
                scratch = new byte[length];
            }
            bytes.getBytes(at, scratch, 0, length);
            view.wrap(scratch, 0, length);
        }
        return view;
    }

    /** Drops the first parked frame. Not empty. */
    void removeFirst()
    {
        bytes.skipBytes(PREFIX + firstLength());
        if (!bytes.isReadable())
        {
            clear();
        }
    }

    /** Drops every parked frame and gives the buffer back. */
    void clear()
    {
        if (bytes != null)
        {
            bytes.release();
            bytes = null;
        }
    }
}
