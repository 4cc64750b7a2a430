package dev.hearsay.perf.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The Disruptor alone, shaped like the engine's ring: a multi-producer ring of the engine's size whose slots carry
 * copied frame bytes, producer threads that claim with {@code tryNext} (yielding when full) and one consumer that
 * polls with an {@link EventPoller} and reads each frame. No decoding, no protocol: the ceiling the dispatcher's
 * hand-off sits under. Threads run only while {@link #run} measures, so the baseline costs nothing meanwhile.
 */
final class DisruptorBaseline
{
    private final RingBuffer<Slot> ring;
    private final EventPoller<Slot> poller;
    private final UnsafeBuffer frame;
    private final int frameLength;
    private final int producers;
    private final AtomicLong consumed = new AtomicLong();
    private volatile boolean running;
    private long sink;

    /**
     * @param ringSize    slots (the engine's ring size).
     * @param frameLength bytes copied per event (a Gossip frame of the bench's payload).
     * @param producers   producer threads.
     */
    DisruptorBaseline(final int ringSize, final int frameLength, final int producers)
    {
        this.ring = RingBuffer.createMultiProducer(() -> new Slot(frameLength), ringSize, new BusySpinWaitStrategy());
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.frameLength = frameLength;
        this.frame = new UnsafeBuffer(new byte[frameLength]);
        this.producers = producers;
    }

    int producers()
    {
        return producers;
    }

    /** Runs for {@code rampNanos} unmeasured, then measures for {@code nanos}; returns events consumed per second. */
    double run(final long rampNanos, final long nanos)
    {
        running = true;
        final Thread consumer = new Thread(this::consume, "bench-disruptor-consumer");
        final Thread[] threads = new Thread[producers];
        consumer.start();
        for (int i = 0; i < producers; i++)
        {
            threads[i] = new Thread(this::produce, "bench-disruptor-producer-" + i);
            threads[i].start();
        }
        LockSupport.parkNanos(rampNanos);
        final long c0 = consumed.get();
        final long t0 = System.nanoTime();
        LockSupport.parkNanos(nanos);
        final long c1 = consumed.get();
        final long t1 = System.nanoTime();
        running = false;
        join(consumer);
        for (final Thread t : threads)
        {
            join(t);
        }
        return (c1 - c0) * 1e9 / (t1 - t0);
    }

    private void produce()
    {
        final RingBuffer<Slot> ring = this.ring;
        while (running)
        {
            final long sequence;
            try
            {
                sequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                Thread.yield();
                continue;
            }
            final Slot slot = ring.get(sequence);
            slot.buffer.putBytes(0, frame, 0, frameLength);
            slot.length = frameLength;
            ring.publish(sequence);
        }
    }

    private void consume()
    {
        final EventPoller.Handler<Slot> handler = (slot, sequence, endOfBatch) ->
        {
            sink += slot.buffer.getLong(0) + slot.length;
            consumed.lazySet(consumed.get() + 1);
            return true;
        };
        try
        {
            while (running)
            {
                if (poller.poll(handler) != EventPoller.PollState.PROCESSING)
                {
                    Thread.onSpinWait();
                }
            }
            // Drain what the producers published last, so the next run starts from an empty ring.
            while (poller.poll(handler) == EventPoller.PollState.PROCESSING)
            {
                Thread.onSpinWait();
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void join(final Thread t)
    {
        try
        {
            t.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** A preallocated frame buffer. */
    private static final class Slot
    {
        final UnsafeBuffer buffer;
        int length;

        Slot(final int capacity)
        {
            buffer = new UnsafeBuffer(new byte[Math.max(capacity, 8)]);
        }
    }
}
