package dev.hearsay.perf.bench;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that polls every subscription of this process with the zero-copy {@link Subscription#poll}, counts
 * deliveries per node and tag, and records latency. One thread for all nodes on purpose: on two vCPUs every extra
 * polling thread competes with the dispatchers and the I/O threads it is measuring.
 * <p>
 * One-way latency is recorded only when publisher and receiver share this process's clock ({@code oneWay}); in
 * multi-process runs a node asked to echo a fixed-rate message re-broadcasts it, and the publisher's process records
 * the round trip when the echo comes back.
 */
final class Receiver implements Runnable
{
    private static final int POLL_LIMIT = 256;
    /** Without an idle strategy: spin, yield, then park until a dispatcher offers events (at most this long). */
    private static final int SPINS_BEFORE_YIELD = 1;
    private static final int YIELDS_BEFORE_PARK = 10;
    private static final long MAX_PARK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);
    /** Shortest park of a paced reader waiting for its budget (it then reads a batch: fewer wake-ups). */
    private static final long PACED_PARK_NANOS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(250);

    private final Subscription[] subscriptions;
    /** True for a receiver {@link #onDispatchers}: nothing to poll. */
    private final boolean onDispatchers;
    private final NodeHandler[] handlers;
    private final IdleStrategy idle;
    private final LatencyRecorders latency;
    private final boolean oneWay;
    /** Deliveries per local node and tag: index {@code local * Tag.COUNT + tag}; one writer (this thread). */
    private final AtomicLongArray delivered;
    private final AtomicLongArray echoesSent;
    private volatile boolean running = true;
    /** Events a second this thread polls at most (0: as fast as it can); see {@link #pace}. */
    private volatile double pace;
    /** The thread polls nothing while set; see {@link #pause}. */
    private volatile boolean paused;
    /** Lagged events seen per local node, and the events they reported missed. One writer (this thread). */
    private final AtomicLongArray lagged;
    private final AtomicLongArray missed;
    /** Records the measured deliveries and Lagged events of local node 0 when set; see {@link #log}. */
    private volatile SequenceLog log;
    /** Warm-up traffic is recorded (like its phase) until the warm-up ends; a straggler after that is not. */
    private volatile boolean recordWarmup = true;
    private Thread thread;

    /**
     * @param subscriptions one per local node.
     * @param nodeIndexes   the cluster-wide index of each local node.
     * @param idle          what to do when every subscription is empty; null: park until a dispatcher offers
     *                      events (the subscriptions unpark this thread).
     * @param oneWay        publishers share this process's clock: record one-way latency.
     */
    Receiver(final Subscription[] subscriptions, final int[] nodeIndexes, final IdleStrategy idle,
        final LatencyRecorders latency, final boolean oneWay, final int maxSize)
    {
        this(subscriptions.length, nodeIndexes, idle, latency, oneWay, maxSize, false);
        for (int i = 0; i < subscriptions.length; i++)
        {
            subscribed(i, subscriptions[i]);
        }
    }

    /**
     * A receiver whose {@link #handler}s are given to the nodes' subscriptions as dispatcher handlers
     * ({@code SubscriptionOptions.dispatcherHandler}): each node's dispatcher thread records its own deliveries, and
     * this receiver starts no thread. Each handler then has one writer, its node's dispatcher; the latency recorders
     * take concurrent writers. No echoes: they would broadcast from inside a dispatcher.
     */
    static Receiver onDispatchers(final int nodes, final int[] nodeIndexes, final LatencyRecorders latency,
        final int maxSize)
    {
        return new Receiver(nodes, nodeIndexes, null, latency, true, maxSize, true);
    }

    private Receiver(final int nodes, final int[] nodeIndexes, final IdleStrategy idle,
        final LatencyRecorders latency, final boolean oneWay, final int maxSize, final boolean onDispatchers)
    {
        this.onDispatchers = onDispatchers;
        this.subscriptions = new Subscription[nodes];
        this.idle = idle;
        this.latency = latency;
        this.oneWay = oneWay;
        this.delivered = new AtomicLongArray(nodes * Tag.COUNT);
        this.echoesSent = new AtomicLongArray(nodes);
        this.lagged = new AtomicLongArray(nodes);
        this.missed = new AtomicLongArray(nodes);
        this.handlers = new NodeHandler[nodes];
        for (int i = 0; i < handlers.length; i++)
        {
            handlers[i] = new NodeHandler(i, nodeIndexes[i], maxSize);
        }
    }

    /** The handler of local node {@code local}. */
    GossipHandler handler(final int local)
    {
        return handlers[local];
    }

    /** Local node {@code local}'s subscription, to poll (or, on dispatchers, to keep). */
    void subscribed(final int local, final Subscription subscription)
    {
        subscriptions[local] = subscription;
        handlers[local].subscription = subscription;
    }

    /** Starts the polling thread (none for a receiver {@link #onDispatchers}). */
    Receiver start(final String name)
    {
        if (onDispatchers)
        {
            return this;
        }
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** The warm-up is over: its late deliveries are still counted, but no longer recorded. */
    void warmupOver()
    {
        recordWarmup = false;
    }

    /** Deliveries so far at local node {@code local} of messages tagged {@code tag}. */
    long delivered(final int local, final int tag)
    {
        return delivered.get(local * Tag.COUNT + tag);
    }

    /** Lagged events seen so far at local node {@code local}. */
    long lagged(final int local)
    {
        return lagged.get(local);
    }

    /** Events reported missed by the Lagged events seen so far at local node {@code local}. */
    long missed(final int local)
    {
        return missed.get(local);
    }

    /**
     * Polls at most {@code eventsPerSecond} events a second from now on (a budget of up to a millisecond's worth at a
     * time), as a reader slower than the stream does; 0: as fast as it can.
     */
    void pace(final double eventsPerSecond)
    {
        pace = eventsPerSecond;
    }

    /** Stops polling altogether ({@code true}), as a stalled reader does, or polls again ({@code false}). */
    void pause(final boolean pause)
    {
        paused = pause;
        if (!pause && thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /** Records local node 0's deliveries of measured messages and its Lagged events into {@code log} (null: none). */
    void log(final SequenceLog log)
    {
        this.log = log;
    }

    /** Echoes re-broadcast so far by local node {@code local}. */
    long echoesSent(final int local)
    {
        return echoesSent.get(local);
    }

    @Override
    public void run()
    {
        final Subscription[] subs = subscriptions;
        final NodeHandler[] hs = handlers;
        final IdleStrategy idle = this.idle;
        final Thread self = Thread.currentThread();
        int idleCycles = 0;
        boolean registered = false;
        double budget = 0;
        long budgetAt = System.nanoTime();
        while (running)
        {
            int limit = POLL_LIMIT;
            final double pace = this.pace;
            if (paused || pace > 0)
            {
                if (registered)
                {
                    setWaiter(subs, null);
                    registered = false;
                }
                final long now = System.nanoTime();
                // At most a millisecond's worth saved up, so that the reader never reads faster than its pace for long.
                budget = Math.min(budget + (now - budgetAt) * pace / 1e9, Math.max(1, pace / 1e3));
                budgetAt = now;
                if (paused || budget < 1)
                {
                    LockSupport.parkNanos(this, paused || pace <= 0 ? MAX_PARK_NANOS
                        : Math.min(MAX_PARK_NANOS, Math.max(PACED_PARK_NANOS, (long)((1 - budget) * 1e9 / pace))));
                    continue;
                }
                limit = (int)Math.min(POLL_LIMIT, budget);
            }
            int work = 0;
            for (int i = 0; i < subs.length; i++)
            {
                work += subs[i].poll(hs[i], limit);
            }
            if (pace > 0)
            {
                budget -= work;
                if (work == 0)
                {
                    LockSupport.parkNanos(this, MAX_PARK_NANOS / 4); // empty: a paced reader does not register
                }
                continue;
            }
            if (idle != null)
            {
                idle.idle(work);
            }
            else if (work > 0)
            {
                idleCycles = 0;
                if (registered)
                {
                    // Busy again: dispatchers need not unpark a running thread.
                    setWaiter(subs, null);
                    registered = false;
                }
            }
            else if (++idleCycles <= SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else if (idleCycles <= SPINS_BEFORE_YIELD + YIELDS_BEFORE_PARK)
            {
                Thread.yield();
            }
            else if (!registered)
            {
                // Poll once more after registering before parking: an event offered meanwhile is seen by that poll
                // or unparks us.
                setWaiter(subs, self);
                registered = true;
            }
            else
            {
                LockSupport.parkNanos(this, MAX_PARK_NANOS);
            }
        }
        if (registered)
        {
            setWaiter(subs, null);
        }
    }

    private static void setWaiter(final Subscription[] subs, final Thread thread)
    {
        for (final Subscription sub : subs)
        {
            sub.wakeOnEvents(thread);
        }
    }

    void close()
    {
        running = false;
        if (thread != null)
        {
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Handles the deliveries of one local node. */
    private final class NodeHandler implements GossipHandler
    {
        private final int local;
        private final int node;
        private final int base;
        private final UnsafeBuffer echo;
        private Subscription subscription;

        NodeHandler(final int local, final int node, final int maxSize)
        {
            this.local = local;
            this.node = node;
            this.base = local * Tag.COUNT;
            this.echo = new UnsafeBuffer(new byte[maxSize]);
        }

        @Override
        public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
            final NodeId author, final NodeId deliveredFrom, final int hops)
        {
            final long now = System.nanoTime();
            final int published = Payload.tag(buffer, offset);
            // Warm-up messages are counted as such but recorded like their phase (see Tag.WARM).
            final int phase = published & ~Tag.WARM;
            final int tag = Tag.counted(published);
            if (phase < 0 || phase >= Tag.COUNT)
            {
                return;
            }
            final int index = base + tag;
            final SequenceLog log = Receiver.this.log;
            if (log != null && local == 0 && published == Tag.MAX)
            {
                // Before the count: whoever sees the count sees the record.
                log.received(Payload.publisher(buffer, offset), Payload.sequence(buffer, offset));
            }
            delivered.lazySet(index, delivered.get(index) + 1);
            if (oneWay && (published == phase || recordWarmup))
            {
                if (phase == Tag.MAX)
                {
                    LatencyRecorders.record(latency.maxRate, now - Payload.intended(buffer, offset));
                }
                else if (phase == Tag.RATE)
                {
                    final long corrected = now - Payload.intended(buffer, offset);
                    LatencyRecorders.record(latency.rateCorrected, corrected);
                    LatencyRecorders.record(latency.rateUncorrected, now - Payload.sent(buffer, offset));
                    if (hops == 0)
                    {
                        LatencyRecorders.record(latency.rateOneHop, corrected);
                    }
                }
            }
            else if (phase == Tag.RATE && Payload.echo(buffer, offset) == node && (published == phase || recordWarmup))
            {
                // The warm-up echoes too (flagged as such): otherwise the echo and round-trip code of a
                // multi-process run first ran, interpreted, in the measured window.
                echo(buffer, offset, length, published & Tag.WARM);
            }
            else if (phase == Tag.ECHO && Payload.publisher(buffer, offset) == node
                && (published == phase || recordWarmup))
            {
                LatencyRecorders.record(latency.rttCorrected, now - Payload.intended(buffer, offset));
                LatencyRecorders.record(latency.rttUncorrected, now - Payload.sent(buffer, offset));
            }
        }

        @Override
        public void onLagged(final long count)
        {
            final SequenceLog log = Receiver.this.log;
            if (log != null && local == 0)
            {
                log.lagged(count);
            }
            missed.lazySet(local, missed.get(local) + count);
            lagged.lazySet(local, lagged.get(local) + 1);
        }

        private void echo(final DirectBuffer buffer, final int offset, final int length, final int warm)
        {
            echo.putBytes(0, buffer, offset, length);
            echo.putByte(Payload.TAG_OFFSET, (byte)(Tag.ECHO | warm));
            // Never dropped: wait out back-pressure here (fixed-rate traffic rarely meets any).
            while (subscription.broadcast(echo, 0, length) == BroadcastResult.BACK_PRESSURED)
            {
                Thread.yield();
            }
            echoesSent.lazySet(local, echoesSent.get(local) + 1);
        }
    }
}
