package dev.hearsay.transport;

import dev.hearsay.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything the transport knows about one peer: the outbound queue the dispatcher writes frames into (bounded
 * single-producer/single-consumer rings that grow with use, see {@link OutboundQueue}, so the dispatcher never locks
 * or waits), the connection chosen to carry them, and the drain task that moves queued frames onto that connection
 * on its event loop.
 *
 * <p>Writers: the dispatcher writes the queue, {@link #dialing}, {@link #closeTarget} and {@link #dirty}; event
 * loops read the queue and change the chosen connection (under the link's monitor, connection changes only: they
 * are rare and never on the message path).
 */
final class PeerLink
{
    private static final int DRAIN_BYTES = 256 * 1024;
    /**
     * One write's buffer, filled up to its capacity and not beyond (unless a single frame is larger). 32 KiB is the
     * largest size Netty's pooled allocator keeps in its per-thread caches: a larger buffer (it was 64 KiB, grown
     * further when 1024 frames did not fit) takes the arena's lock on every drain, a lock shared with the other
     * event loops of the process, and contended it allocates a queue node.
     */
    private static final int BATCH_BYTES = 32 * 1024;

    final NodeId peer;
    /** Frames for the peer; allocates on first use and grows with it (see {@link OutboundQueue}). */
    private final OutboundQueue outbound;
    /** {@link #congestion}: the queue is below the high-water mark, or has drained below the low-water mark since. */
    static final int CLEAR = 0;
    /** {@link #congestion}: above the high-water mark, and the node waits for the peer (flow control holds it). */
    static final int CONGESTED = 1;
    /**
     * {@link #congestion}: congested for long enough to count as slow; the protocol stops pushing payloads to the
     * peer where it can and the node no longer waits for it (see {@link SlowPeerPolicy}).
     */
    static final int ISOLATED = 2;
    /**
     * {@link #CLEAR}, {@link #CONGESTED} or {@link #ISOLATED}. The dispatcher moves a link from clear to congested,
     * between congested and isolated; the event loop that drains it (or closes it) back to clear. Only links in
     * {@link #CONGESTED} count in the shared count of links the node waits for.
     */
    private final AtomicInteger congestion = new AtomicInteger();
    /** Dispatcher only: when the link last became congested. */
    long congestedSinceNanos;
    /** Dispatcher only: since when the congested queue has not moved (see {@link #progressed}). */
    long stuckSinceNanos;
    /**
     * Dispatcher only: the protocol pushed a payload to the peer while it was isolated, having nobody else to push
     * to; the node waits for it again (the last resort) until the queue drains.
     */
    boolean required;
    /** Dispatcher only: slow-peer checks in this congestion episode, and those when no other link held the node. */
    int congestedChecks;
    int aloneChecks;
    /** Event loop only (single writer): the peer said it holds its reads from this node on purpose. */
    volatile boolean peerHolding;
    /** Dispatcher only: the peer held its reads on purpose at some check of this congestion episode. */
    boolean peerHeldThisEpisode;
    /** Dispatcher only: when the slow-peer policy last isolated this link (0: never). */
    long isolatedAtNanos;
    /** Event loop only (single writer): bytes moved from the queue to the socket, so far. */
    volatile long drainedBytes;
    /** Event loop only (single writer): when the last drain wrote something ({@link System#nanoTime()}). */
    volatile long lastSentNanos = System.nanoTime();
    /** Dispatcher only: {@link #drainedBytes} when the slow-peer check last looked. */
    long drainedAtCheck;
    /** The drain, handed to the chosen connection's event loop one at a time. */
    private final CoalescedTask drainTask = new CoalescedTask(this::drain);
    private final TransportCounters counters;

    volatile Channel channel;
    volatile long instance;
    volatile boolean dialedByMe;
    final AtomicBoolean dialing = new AtomicBoolean();
    /** The connection the dispatcher asked to close once drained; null when none (a new send cancels it). */
    volatile Channel closeTarget;
    boolean dirty;
    /** Under the monitor: connections attached to this link (chosen or not) that have not closed yet. */
    int openChannels;
    /** Under the monitor: removed from the transport's map; a handshake that finds it so makes a new link. */
    boolean evicted;
    /** Dispatcher only: since when the eviction scan has found the link idle (0: not idle). */
    long idleSinceNanos;
    /** Dispatcher only: the protocol released the peer at {@link #releasedAtNanos}; closed after the linger time. */
    boolean released;
    long releasedAtNanos;

    private final UnsafeBuffer target = new UnsafeBuffer(0, 0);
    private byte[] scratch = new byte[0];
    private ByteBuf batch;
    private int batchFrames;
    private final org.agrona.concurrent.ControlledMessageHandler copier = this::copy;

    private final java.util.concurrent.atomic.AtomicInteger congestedLinks;
    private final int lowWater;
    private final int highWater;
    private final int stuckWater;

    private final NettyTransport transport;

    PeerLink(final NettyTransport transport, final NodeId peer, final int queueBytes, final int congestionBytes,
        final TransportCounters counters, final java.util.concurrent.atomic.AtomicInteger congestedLinks)
    {
        this.transport = transport;
        this.peer = peer;
        this.counters = counters;
        this.congestedLinks = congestedLinks;
        this.outbound = new OutboundQueue(queueBytes);
        // Congestion starts well below the bound: what the node has already read (its ring, frames held by the
        // inbound handlers) still has to fit behind it once reads are held.
        this.highWater = Math.min(congestionBytes, outbound.maxCapacity() / 2);
        this.lowWater = highWater / 4;
        this.stuckWater = outbound.maxCapacity() - outbound.maxCapacity() / 8;
    }

    /** Dispatcher: false if the last refused frame was refused for want of direct memory, not for a full queue. */
    boolean hasQueue()
    {
        return !outbound.allocationFailed();
    }

    /** Bytes queued. Any thread. */
    int queued()
    {
        return outbound.size();
    }

    /** Dispatcher: queues one frame; false when the queue is full. Returns true if the link just got congested. */
    boolean offer(final DirectBuffer frame, final int offset, final int length)
    {
        if (outbound.offer(frame, offset, length))
        {
            return true;
        }
        if (outbound.allocationFailed())
        {
            // Direct memory is exhausted (many peers at once): the engine drops this peer as it would a slow one.
            counters.queueAllocationFailures.incrementAndGet();
        }
        return false;
    }

    /** Dispatcher: marks the link congested when its queue is above the high-water mark; true if newly so. */
    boolean checkCongested(final long nowNanos)
    {
        if (queued() > highWater && congestion.compareAndSet(CLEAR, CONGESTED))
        {
            congestedSinceNanos = nowNanos;
            stuckSinceNanos = nowNanos;
            required = false;
            congestedChecks = 0;
            aloneChecks = 0;
            peerHeldThisEpisode = peerHolding;
            congestedLinks.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Any thread: above the high-water mark and not drained since (congested or isolated). */
    boolean congested()
    {
        return congestion.get() != CLEAR;
    }

    /** Any thread: congested for long enough that the node stopped waiting for the peer. */
    boolean isolated()
    {
        return congestion.get() == ISOLATED;
    }

    /** Dispatcher: the node stops waiting for this congested link; true if it did (false: clear, or already). */
    boolean isolate()
    {
        if (congestion.compareAndSet(CONGESTED, ISOLATED))
        {
            congestedLinks.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Dispatcher: the node waits for this isolated link again, until it drains; true if it was isolated. */
    boolean unisolate()
    {
        if (congestion.compareAndSet(ISOLATED, CONGESTED))
        {
            congestedLinks.incrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * Dispatcher: true if the queue has moved since the last look and is not nearly full. A peer that drains, even
     * slowly, is not stuck (whether it is slower than the others is {@link SlowPeerPolicy}'s other test); only one
     * that stops draining, or lets the queue fill despite the back-pressure, counts as stuck.
     */
    boolean progressed()
    {
        final long drained = drainedBytes;
        final boolean moved = drained != drainedAtCheck;
        drainedAtCheck = drained;
        return moved && queued() <= stuckWater;
    }

    /** Any thread: the queue is below half its bound, so what one more read brings in still fits. */
    boolean hasHeadroom()
    {
        return queued() < outbound.maxCapacity() / 2;
    }

    /** Any thread: the link no longer holds publishers back (drained, or its connection is gone). */
    void clearCongested()
    {
        if (congestion.getAndSet(CLEAR) == CONGESTED)
        {
            congestedLinks.decrementAndGet();
        }
    }

    /** The single consumer of the queue at this moment (no connection, dial ended): drops everything queued. */
    void discardQueued()
    {
        outbound.discard();
    }

    /** Dispatcher or event loop: makes sure a drain runs on the chosen connection's event loop. */
    void scheduleDrain()
    {
        final Channel ch = channel;
        if (ch != null)
        {
            drainTask.requestOn(ch.eventLoop());
        }
    }

    /**
     * Dispatcher: drains now if the dispatcher runs on the connection's event loop (so what it sent leaves before
     * the loop reads more), else as {@link #scheduleDrain()}.
     */
    void drainFromDispatcher()
    {
        final Channel ch = channel;
        if (ch != null)
        {
            drainTask.runHereOrRequestOn(ch.eventLoop());
        }
    }

    /** Event loop: moves queued frames onto the chosen connection, then closes it gracefully if asked to. */
    private void drain()
    {
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
        drainTo(ch);
        if (congested() && queued() < lowWater)
        {
            clearCongested();
        }
        if (queued() > 0)
        {
            if (ch.isWritable())
            {
                scheduleDrain();
            }
            // Not writable: channelWritabilityChanged schedules the next drain.
        }
        else if (closeTarget == ch)
        {
            transport.closeGracefully(this, ch);
        }
    }

    /**
     * Event loop of {@code ch}: writes queued frames, length-prefixed, in a few large writes, up to
     * {@link #DRAIN_BYTES}. Netty's outbound buffer holds only a few batches (see the transport's water marks): when
     * it is full, it is flushed to the socket here and the drain goes on if the socket took it, so that one drain
     * still moves up to {@link #DRAIN_BYTES} (a close queued behind it, for one, flushes that much first).
     */
    void drainTo(final Channel ch)
    {
        int bytes = 0;
        while (bytes < DRAIN_BYTES)
        {
            if (!ch.isWritable())
            {
                ch.flush();
                if (!ch.isWritable())
                {
                    break; // the socket is full: channelWritabilityChanged schedules the next drain
                }
            }
            batch = ch.alloc().directBuffer(BATCH_BYTES);
            batchFrames = 0;
            final int read = outbound.read(copier, 1024);
            if (read == 0)
            {
                batch.release();
                batch = null;
                break;
            }
            bytes += batch.readableBytes();
            drainedBytes += batch.readableBytes();
            counters.framesOut.addAndGet(batchFrames);
            ch.write(batch, ch.voidPromise());
            batch = null;
        }
        ch.flush();
        if (bytes > 0)
        {
            lastSentNanos = System.nanoTime();
        }
    }

    private org.agrona.concurrent.ControlledMessageHandler.Action copy(final int msgTypeId,
        final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        final ByteBuf out = batch;
        final int total = FrameDecoder.PREFIX + length;
        if (batchFrames > 0 && out.capacity() - out.writerIndex() < total)
        {
            // Full: the frame waits for the next batch (the first frame of a batch is always taken, see
            // OutboundQueue.read).
            return org.agrona.concurrent.ControlledMessageHandler.Action.ABORT;
        }
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
        return org.agrona.concurrent.ControlledMessageHandler.Action.CONTINUE;
    }
}
