package dev.hearsay.perf.bench;

import dev.hearsay.BroadcastResult;
import dev.hearsay.Subscription;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A thread that broadcasts bench messages on one subscription, either as fast as the node accepts them or on a
 * fixed schedule. A refused broadcast ({@link BroadcastResult#BACK_PRESSURED}) is retried after a backoff until it
 * is accepted: nothing is dropped, and only accepted broadcasts count as sent.
 * <p>
 * Fixed rate: message k is due at {@code start + k * interval}; its intended time goes into the payload, so a
 * receiver measures from when it should have left (coordinated-omission correction). A publisher that fell behind
 * sends at once until it is back on schedule. To wait for the next slot it parks until shortly before it (the pacer
 * learns how much a park overshoots) and spins for the last few microseconds: never {@code Thread.yield}, which on a
 * busy two-vCPU machine can lose the CPU for a whole time slice (milliseconds) and make the pacer, not the engine,
 * late. The thread asks the kernel for a timer slack of {@link KernelTimerSlack#PACER_NANOS}: with Linux's default
 * of 50 us a park overshoots by about 57 us, and by hundreds of microseconds in its tail, which no learned average
 * covers.
 */
final class Publisher implements Runnable
{
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int STOPPING = 2;
    private static final int CLOSED = 3;

    private final Subscription subscription;
    private final int node;
    private final int nodes;
    private final int size;
    private final UnsafeBuffer buffer;
    private final IdleStrategy backPressureIdle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
    private final LatencyRecorders latency;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong backPressured = new AtomicLong();
    private final Thread thread;

    private volatile int state = IDLE;
    private volatile int tag;
    private volatile long intervalNanos;
    private volatile long startNanos;
    private volatile boolean echo;
    private volatile BooleanSupplier window;
    private final IdleStrategy windowIdle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
    private final TimerSlack slack = new TimerSlack();
    private final BooleanSupplier running = () -> state == RUNNING;

    /**
     * @param node  cluster-wide index of the publishing node (goes into the payload).
     * @param nodes cluster size (to pick an echo target).
     */
    Publisher(final Subscription subscription, final int node, final int nodes, final int size,
        final LatencyRecorders latency)
    {
        this.subscription = subscription;
        this.node = node;
        this.nodes = nodes;
        this.size = size;
        this.latency = latency;
        this.buffer = new UnsafeBuffer(new byte[size]);
        for (int i = Payload.MIN_SIZE; i < size; i++)
        {
            buffer.putByte(i, (byte)i);
        }
        this.thread = new Thread(this, "bench-publisher-" + node);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts publishing messages tagged {@code tag}: as fast as accepted when {@code intervalNanos} is 0, else one
     * every {@code intervalNanos} from {@code startNanos}. With {@code echo}, each message names another node to
     * echo it back.
     */
    void start(final int tag, final long intervalNanos, final long startNanos, final boolean echo)
    {
        if (state != IDLE)
        {
            throw new IllegalStateException("publisher busy");
        }
        this.tag = tag;
        this.intervalNanos = intervalNanos;
        this.startNanos = startNanos;
        this.echo = echo;
        accepted.set(0);
        state = RUNNING;
        LockSupport.unpark(thread);
    }

    /**
     * At max rate, publish only while {@code window} says so (an application-level bound on messages in flight,
     * on top of the engine's back-pressure); null for none.
     */
    void window(final BooleanSupplier window)
    {
        this.window = window;
    }

    /** Stops and waits until the thread is idle; returns the broadcasts accepted since {@link #start}. */
    long stop()
    {
        if (state == RUNNING)
        {
            state = STOPPING;
            LockSupport.unpark(thread);
            while (state == STOPPING && thread.isAlive())
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
        return accepted.get();
    }

    /** Broadcasts accepted since the last {@link #start}. */
    long accepted()
    {
        return accepted.get();
    }

    /** Broadcast attempts refused with BACK_PRESSURED since this publisher was created. */
    long backPressured()
    {
        return backPressured.get();
    }

    void close()
    {
        stop();
        state = CLOSED;
        LockSupport.unpark(thread);
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run()
    {
        slack.onPacingThread();
        while (true)
        {
            final int s = state;
            if (s == CLOSED)
            {
                return;
            }
            if (s == RUNNING)
            {
                if (intervalNanos == 0)
                {
                    publishAtMaxRate();
                }
                else
                {
                    publishAtFixedRate();
                }
                if (state == STOPPING)
                {
                    state = IDLE;
                }
            }
            else
            {
                if (s == STOPPING)
                {
                    state = IDLE;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    private void publishAtMaxRate()
    {
        final int tag = this.tag;
        final BooleanSupplier window = this.window;
        final IdleStrategy idle = windowIdle;
        long sequence = 0;
        while (state == RUNNING)
        {
            if (window != null && !window.getAsBoolean())
            {
                // Application-level flow control (--window): wait for deliveries to catch up.
                idle.idle();
                continue;
            }
            idle.reset();
            final long now = System.nanoTime();
            Payload.write(buffer, now, now, sequence, node, tag, -1);
            if (!publish())
            {
                return;
            }
            sequence++;
        }
    }

    private void publishAtFixedRate()
    {
        final int tag = this.tag;
        final long interval = intervalNanos;
        final long start = startNanos;
        final boolean echo = this.echo && nodes > 1;
        long sequence = 0;
        while (state == RUNNING)
        {
            final long intended = start + sequence * interval;
            if (!waitUntil(intended))
            {
                return;
            }
            final long now = System.nanoTime();
            LatencyRecorders.record(latency.pacingLag, now - intended);
            final int target = echo ? (int)((node + 1 + sequence % (nodes - 1)) % nodes) : -1;
            Payload.write(buffer, intended, now, sequence, node, tag, target);
            if (!publish())
            {
                return;
            }
            sequence++;
        }
    }

    /** Broadcasts the buffer, retrying while back-pressured; false if stopped (or closed) before it was accepted. */
    private boolean publish()
    {
        final IdleStrategy idle = backPressureIdle;
        idle.reset();
        while (true)
        {
            final long result = subscription.broadcast(buffer, 0, size);
            if (result >= 0)
            {
                accepted.lazySet(accepted.get() + 1);
                return true;
            }
            if (result != BroadcastResult.BACK_PRESSURED || state != RUNNING)
            {
                return false;
            }
            backPressured.lazySet(backPressured.get() + 1);
            idle.idle();
        }
    }

    /** Waits until {@code deadline}; false if told to stop meanwhile. */
    private boolean waitUntil(final long deadline)
    {
        return slack.awaitDeadline(deadline, running);
    }
}
