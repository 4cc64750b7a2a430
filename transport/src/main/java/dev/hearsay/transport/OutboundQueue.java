package dev.hearsay.transport;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * A peer's outbound frames: single producer (the dispatcher), single consumer (an event loop), bounded, and sized
 * by use. It starts empty (nothing allocated), takes a small ring on the first frame, and when a ring fills moves to
 * one four times larger, up to the bound. Most peers only ever need the small ring, so many peers, or many
 * short-lived identities, no longer cost the full bound of direct memory each.
 *
 * <p>Growing without locks: the rings form a chain. The producer writes to the last ring only, and never goes back
 * to one once it has linked a successor; the consumer reads the first ring, and moves to the successor only after it
 * has seen the link and then found the ring empty (the link's volatile write and read order the producer's last
 * writes to the old ring before that check).
 */
final class OutboundQueue
{
    /** First ring: 64 KiB holds hundreds of typical frames and frames up to 8 KiB. */
    static final int INITIAL_CAPACITY = 64 * 1024;
    private static final int MSG_FRAME = 1;

    private final int maxCapacity;
    private final DirectMemory memory;
    private volatile Segment head;
    private volatile Segment tail;
    private boolean allocationFailed;

    /** @param maxBytes the bound, rounded up to a power of two. */
    OutboundQueue(final int maxBytes)
    {
        this(maxBytes, DirectMemory.JVM);
    }

    /**
     * @param maxBytes the bound, rounded up to a power of two.
     * @param memory   asked before each ring is allocated: a ring it has no room for is refused at once.
     */
    OutboundQueue(final int maxBytes, final DirectMemory memory)
    {
        this.maxCapacity = Integer.highestOneBit(Math.max(maxBytes, 1024) - 1) << 1;
        this.memory = memory;
    }

    /** The bound in bytes. */
    int maxCapacity()
    {
        return maxCapacity;
    }

    /** Producer: true once a ring was allocated. */
    boolean allocated()
    {
        return tail != null;
    }

    /** Producer: true if the last refused offer was refused for want of direct memory. */
    boolean allocationFailed()
    {
        return allocationFailed;
    }

    /** Producer: queues one frame; false when the queue is at its bound and full, or memory ran out. */
    boolean offer(final DirectBuffer frame, final int offset, final int length)
    {
        allocationFailed = false;
        final Segment last = tail;
        final OneToOneRingBuffer t = last == null ? null : last.ring;
        if (t != null && length <= t.maxMsgLength() && t.write(MSG_FRAME, frame, offset, length))
        {
            return true;
        }
        final int current = t == null ? 0 : t.capacity();
        int capacity = t == null ? Math.min(INITIAL_CAPACITY, maxCapacity) : Math.min(current * 4, maxCapacity);
        // A ring takes messages up to an eighth of its capacity.
        while (capacity < maxCapacity && capacity / 8 < length + RingBufferDescriptor.TRAILER_LENGTH)
        {
            capacity = Math.min(capacity * 4, maxCapacity);
        }
        if (capacity <= current)
        {
            return false; // at the bound and full
        }
        if (!memory.hasRoomFor(capacity + RingBufferDescriptor.TRAILER_LENGTH))
        {
            // Refused at once: near the limit the JDK would hold this thread in its reserve-and-GC loop first.
            allocationFailed = true;
            return false;
        }
        final OneToOneRingBuffer next;
        try
        {
            // Direct and cache-line aligned: Agrona's ring buffers need aligned memory for their atomic counters.
            next = new OneToOneRingBuffer(new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        }
        catch (final OutOfMemoryError e)
        {
            // Direct memory exhausted: refuse. Thrown on, the error would end the dispatcher thread.
            allocationFailed = true;
            return false;
        }
        if (length > next.maxMsgLength() || !next.write(MSG_FRAME, frame, offset, length))
        {
            return false; // larger than the bound allows
        }
        final Segment segment = new Segment(next);
        if (last == null)
        {
            head = segment;
        }
        else
        {
            last.next = segment;
        }
        tail = segment;
        return true;
    }

    /** Consumer: hands up to {@code limit} frames to {@code handler}; the number handed. */
    int read(final MessageHandler handler, final int limit)
    {
        Segment h = head;
        if (h == null)
        {
            return 0;
        }
        int n = h.ring.read(handler, limit);
        while (n == 0)
        {
            final Segment next = h.next;
            if (next == null)
            {
                return 0;
            }
            // The producer has moved on: whatever it wrote to h came before the link, so one more read sees all
            // of it; when that is empty too, h is done.
            n = h.ring.read(handler, limit);
            if (n == 0)
            {
                head = next;
                h = next;
                n = h.ring.read(handler, limit);
            }
        }
        return n;
    }

    /**
     * Consumer: like {@link #read(MessageHandler, int)}, for a handler that may stop early ({@code ABORT} leaves that
     * frame queued). The handler must take the first frame it is given: a read that takes nothing means the ring is
     * empty, which is how the consumer knows when to move on to the next ring.
     */
    int read(final ControlledMessageHandler handler, final int limit)
    {
        Segment h = head;
        if (h == null)
        {
            return 0;
        }
        int n = h.ring.controlledRead(handler, limit);
        while (n == 0)
        {
            final Segment next = h.next;
            if (next == null)
            {
                return 0;
            }
            // As in read(MessageHandler, int): one more read after seeing the link, then h is done if empty.
            n = h.ring.controlledRead(handler, limit);
            if (n == 0)
            {
                head = next;
                h = next;
                n = h.ring.controlledRead(handler, limit);
            }
        }
        return n;
    }

    /** Consumer: drops everything queued. */
    void discard()
    {
        while (read((msgTypeId, buffer, index, length) -> { }, Integer.MAX_VALUE) > 0)
        {
            // until empty
        }
    }

    /** Bytes queued (a racy sum when two rings are in use). Any thread. */
    int size()
    {
        int size = 0;
        for (Segment s = head; s != null; s = s.next)
        {
            size += s.ring.size();
        }
        return size;
    }

    /** One ring of the chain. */
    private static final class Segment
    {
        final OneToOneRingBuffer ring;
        volatile Segment next;

        Segment(final OneToOneRingBuffer ring)
        {
            this.ring = ring;
        }
    }
}
