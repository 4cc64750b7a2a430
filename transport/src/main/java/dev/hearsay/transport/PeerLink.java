package dev.hearsay.transport;

import dev.hearsay.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything the transport knows about one peer: the outbound queue the dispatcher writes frames into (a bounded
 * single-producer/single-consumer ring, so the dispatcher never locks or waits), the connection chosen to carry
 * them, and the drain task that moves queued frames onto that connection on its event loop.
 *
 * <p>Writers: the dispatcher writes the queue, {@link #dialing}, {@link #closeTarget} and {@link #dirty}; event
 * loops read the queue and change the chosen connection (under the link's monitor, connection changes only: they
 * are rare and never on the message path).
 */
final class PeerLink
{
    private static final int MSG_FRAME = 1;
    private static final int DRAIN_BYTES = 256 * 1024;

    final NodeId peer;
    final OneToOneRingBuffer outbound;
    final AtomicBoolean drainScheduled = new AtomicBoolean();
    final Runnable drainTask = this::drain;
    private final TransportCounters counters;

    volatile Channel channel;
    volatile long instance;
    volatile boolean dialedByMe;
    final AtomicBoolean dialing = new AtomicBoolean();
    /** The connection the dispatcher asked to close once drained; null when none (a new send cancels it). */
    volatile Channel closeTarget;
    boolean dirty;

    private final UnsafeBuffer target = new UnsafeBuffer(0, 0);
    private byte[] scratch = new byte[0];
    private ByteBuf batch;
    private int batchFrames;
    private final org.agrona.concurrent.MessageHandler copier = this::copy;

    PeerLink(final NodeId peer, final int queueBytes, final TransportCounters counters)
    {
        this.peer = peer;
        this.counters = counters;
        final int capacity = Integer.highestOneBit(Math.max(queueBytes, 1024) - 1) << 1;
        // Direct and cache-line aligned: Agrona's ring buffers need aligned memory for their atomic counters.
        this.outbound = new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    /** Dispatcher: queues one frame; false when the queue is full. */
    boolean offer(final DirectBuffer frame, final int offset, final int length)
    {
        return outbound.write(MSG_FRAME, frame, offset, length);
    }

    /** Dispatcher or event loop: makes sure a drain runs on the chosen connection's event loop. */
    void scheduleDrain()
    {
        final Channel ch = channel;
        if (ch != null && drainScheduled.compareAndSet(false, true))
        {
            ch.eventLoop().execute(drainTask);
        }
    }

    /** Event loop: moves queued frames onto the connection, length-prefixed, in one or a few writes. */
    private void drain()
    {
        drainScheduled.set(false);
        final Channel ch = channel;
        if (ch == null || !ch.isActive())
        {
            return;
        }
        if (!ch.eventLoop().inEventLoop())
        {
            scheduleDrain();
            return;
        }
        int bytes = 0;
        while (ch.isWritable() && bytes < DRAIN_BYTES)
        {
            batch = ch.alloc().directBuffer(64 * 1024);
            batchFrames = 0;
            final int read = outbound.read(copier, 1024);
            if (read == 0)
            {
                batch.release();
                batch = null;
                break;
            }
            bytes += batch.readableBytes();
            counters.framesOut.addAndGet(batchFrames);
            ch.write(batch, ch.voidPromise());
            batch = null;
        }
        ch.flush();
        if (outbound.size() > 0)
        {
            if (ch.isWritable())
            {
                scheduleDrain();
            }
            // Not writable: channelWritabilityChanged schedules the next drain.
        }
        else if (closeTarget == ch)
        {
            ch.close();
        }
    }

    private void copy(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index,
        final int length)
    {
        final ByteBuf out = batch;
        final int total = FrameDecoder.PREFIX + length;
        out.ensureWritable(total);
        if (out.hasMemoryAddress())
        {
            // Copy ring memory straight into Netty's direct buffer: no intermediate array.
            target.wrap(out.memoryAddress() + out.writerIndex(), total);
            target.putInt(0, length, java.nio.ByteOrder.BIG_ENDIAN);
            target.putBytes(FrameDecoder.PREFIX, buffer, index, length);
            out.writerIndex(out.writerIndex() + total);
        }
        else
        {
            if (scratch.length < length)
            {
                scratch = new byte[length];
            }
            buffer.getBytes(index, scratch, 0, length);
            out.writeInt(length);
            out.writeBytes(scratch, 0, length);
        }
        batchFrames++;
    }
}
