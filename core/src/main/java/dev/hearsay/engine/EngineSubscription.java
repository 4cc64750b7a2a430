package dev.hearsay.engine;

import dev.hearsay.GossipEvent;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Subscription} of a {@link GossipEngine}. The dispatcher writes its events into a bounded
 * {@link SubscriberQueue}; exactly one user thread reads them with {@link #poll} or {@link #next}.
 * <p>
 * Waiting in {@link #next(Duration)} parks the user thread with {@link LockSupport#parkNanos}; the dispatcher
 * unparks it at the end of the duty cycle that offered it events. This is the only use of
 * {@code java.util.concurrent.locks} in the engine (allowed by the architecture test): the dispatcher never parks,
 * it only reads one volatile field per dirty subscription per cycle and unparks when someone waits.
 * <p>
 * {@link #joined()} is completed on the dispatcher thread: dependent stages added with the non-async methods would
 * run there, so keep them short or use the {@code *Async} variants.
 */
public final class EngineSubscription implements Subscription
{
    private final GossipEngine engine;
    private final TopicId topic;
    private final SubscriberQueue queue;
    private final SubscriptionOptions options;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    /** Whether this subscription still counts towards its engine's topic limit. */
    private final AtomicBoolean holdsTopic = new AtomicBoolean(true);

    private volatile Set<NodeId> neighbors = Set.of();
    private volatile Thread waiter;
    /** Set by the dispatcher once it has unregistered this subscription (closed, failed or engine shut down). */
    private volatile boolean closed;
    private volatile long broadcastsRejected;
    /** The topic's sequence counters (used when this node signs on the publishing thread). */
    final TopicSequences sequences;

    /** Called on the dispatcher thread with every event, or null: events are buffered for poll and next. */
    final GossipHandler handler;
    /** Exceptions the handler threw (dispatcher-owned). */
    long handlerErrors;

    // Dispatcher-owned.
    boolean dirty;
    boolean sawNeighborUp;
    /** Per-author ordering when the options ask for FIFO; created by the dispatcher when it registers this. */
    FifoOrderer fifo;
    /** Lossless and not cut over: a nearly full buffer holds the dispatcher rather than dropping. */
    boolean lossless;
    /** Free entries below which a lossless buffer holds the dispatcher: what one ring event may add at most. */
    final int headroom;
    /** Free entries at which a held buffer lets the dispatcher go on. */
    final int resumeRoom;
    /** Holding the dispatcher right now. */
    boolean holding;
    /**
     * When this lossless buffer first held the dispatcher without its reader having emptied it since, or
     * {@link #NOT_BEHIND}: the reader is behind for as long as its buffer has not been empty once.
     */
    long behindSinceNanos = NOT_BEHIND;
    static final long NOT_BEHIND = Long.MIN_VALUE;

    EngineSubscription(final GossipEngine engine, final TopicId topic, final int capacity, final int maxPayload,
        final SubscriptionOptions options, final TopicSequences sequences)
    {
        this.engine = engine;
        this.sequences = sequences;
        this.topic = topic;
        // A dispatcher handler takes every event at once: the buffer is never used, so it is kept minimal.
        this.queue = new SubscriberQueue(options.dispatcherHandler() == null ? capacity : 1, maxPayload);
        this.options = options;
        this.handler = options.dispatcherHandler();
        this.lossless = handler == null && options.overflow() == dev.hearsay.OverflowPolicy.LOSSLESS;
        // A message and its Lagged entry, a neighbor event; a FIFO subscription may release its whole reorder
        // buffer at once when a hole is filled.
        final int events = options.fifo() ? options.reorderCapacity() + 2 : 4;
        final int size = queue.capacity();
        this.headroom = Math.max(1, Math.min(events, size / 2));
        this.resumeRoom = Math.min(size, Math.max(2 * headroom, size / 4));
    }

    /** The delivery options this subscription was made with. */
    public SubscriptionOptions options()
    {
        return options;
    }

    @Override
    public TopicId topic()
    {
        return topic;
    }

    @Override
    public CompletableFuture<Void> joined()
    {
        return joined;
    }

    /** The topic's active view as last published by the dispatcher (an immutable snapshot). */
    @Override
    public Set<NodeId> neighbors()
    {
        return neighbors;
    }

    @Override
    public void joinPeers(final Collection<NodeId> peers)
    {
        if (isClosed())
        {
            throw new IllegalStateException("subscription closed");
        }
        engine.publishJoinPeers(this, List.copyOf(peers));
    }

    @Override
    public long broadcast(final byte[] payload)
    {
        checkSize(payload.length);
        return isClosed() ? dev.hearsay.BroadcastResult.CLOSED : engine.publishBroadcast(this, false, payload);
    }

    @Override
    public long broadcast(final DirectBuffer buffer, final int offset, final int length)
    {
        checkSize(length);
        return isClosed() ? dev.hearsay.BroadcastResult.CLOSED :
            engine.publishBroadcast(this, false, buffer, offset, length);
    }

    @Override
    public long broadcastNeighbors(final byte[] payload)
    {
        checkSize(payload.length);
        return isClosed() ? dev.hearsay.BroadcastResult.CLOSED : engine.publishBroadcast(this, true, payload);
    }

    /** Like {@link #broadcastNeighbors(byte[])} for {@code length} bytes of {@code buffer} at {@code offset}. */
    public long broadcastNeighbors(final DirectBuffer buffer, final int offset, final int length)
    {
        checkSize(length);
        return isClosed() ? dev.hearsay.BroadcastResult.CLOSED :
            engine.publishBroadcast(this, true, buffer, offset, length);
    }

    /**
     * Like {@link #broadcast(byte[])}, but while the node is back-pressured waits with {@code idle} (on this user
     * thread), up to {@code timeout}. Returns the accepted sequence, {@link dev.hearsay.BroadcastResult#CLOSED}, or
     * {@link dev.hearsay.BroadcastResult#BACK_PRESSURED} if still refused at the deadline.
     */
    public long broadcast(final byte[] payload, final IdleStrategy idle, final Duration timeout)
    {
        checkSize(payload.length);
        final long deadline = System.nanoTime() + timeout.toNanos();
        idle.reset();
        while (true)
        {
            final long result = isClosed() ? dev.hearsay.BroadcastResult.CLOSED :
                engine.publishBroadcast(this, false, payload);
            if (result != dev.hearsay.BroadcastResult.BACK_PRESSURED || System.nanoTime() - deadline >= 0)
            {
                return result;
            }
            idle.idle();
        }
    }

    @Override
    public int poll(final GossipHandler handler, final int limit)
    {
        checkBuffered();
        return queue.poll(topic, handler, limit);
    }

    private void checkBuffered()
    {
        if (handler != null)
        {
            throw new IllegalStateException("events of this subscription go to its dispatcher handler "
                + "(SubscriptionOptions.dispatcherHandler): nothing to poll");
        }
    }

    @Override
    public GossipEvent next(final Duration timeout) throws InterruptedException
    {
        checkBuffered();
        GossipEvent event = queue.pollEvent();
        if (event != null)
        {
            return event;
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        waiter = Thread.currentThread();
        // Dekker pairing with the dispatcher (publish events; full fence; read waiter): after this fence either
        // we see its events or it sees us waiting and unparks us.
        VarHandle.fullFence();
        try
        {
            while (true)
            {
                event = queue.pollEvent();
                if (event != null)
                {
                    return event;
                }
                if (closed || engine.isClosed())
                {
                    return null; // nothing more will come
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return null;
                }
                LockSupport.parkNanos(this, remaining);
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
            }
        }
        finally
        {
            waiter = null;
        }
    }

    /** Leaves the topic when this is its last subscription on the node; idempotent. */
    @Override
    public void close()
    {
        if (closeRequested.compareAndSet(false, true))
        {
            engine.publishUnsubscribe(this);
            engine.releaseTopic(this);
        }
    }

    /** True once {@link #close()} was called (any thread): a dispatcher handler gets nothing more from then on. */
    boolean closeRequested()
    {
        return closeRequested.get();
    }

    /** True once {@link #close()} was called or the engine closed or refused this subscription. */
    public boolean isClosed()
    {
        return closed || closeRequested.get() || engine.isClosed();
    }

    @Override
    public long broadcastsDropped()
    {
        return broadcastsRejected;
    }

    /** Events this subscription's buffer dropped because it was full (racy read of the dispatcher's count). */
    public long eventsDropped()
    {
        return queue.dropped();
    }

    /** Capacity of this subscription's event buffer, in events. */
    public int capacity()
    {
        return queue.capacity();
    }

    @Override
    public String toString()
    {
        return "EngineSubscription{topic=" + topic.shortString() + ", closed=" + isClosed() + "}";
    }

    private void checkSize(final int length)
    {
        final int max = engine.config().maxMessageSize();
        if (length > max)
        {
            throw new IllegalArgumentException("payload of " + length + " bytes exceeds maxMessageSize " + max);
        }
    }

    // ---------------------------------------------------------------- dispatcher side

    SubscriberQueue queue()
    {
        return queue;
    }

    /** True the first time only: this subscription's topic reservation is then given back. */
    boolean releaseTopicOnce()
    {
        return holdsTopic.compareAndSet(true, false);
    }

    void neighbors(final Set<NodeId> snapshot)
    {
        neighbors = snapshot;
    }

    void completeJoined()
    {
        joined.complete(null);
    }

    void rejectedBroadcast()
    {
        broadcastsRejected = broadcastsRejected + 1; // single writer: the dispatcher
    }

    /** Unregistered by the dispatcher: no further events will come. */
    void markClosed(final Throwable cause)
    {
        closed = true;
        if (cause != null)
        {
            joined.completeExceptionally(cause);
        }
        else if (!joined.isDone())
        {
            joined.completeExceptionally(new IllegalStateException("subscription closed before joining"));
        }
        VarHandle.fullFence();
        wakeIfWaiting();
    }

    @Override
    public void wakeOnEvents(final Thread thread)
    {
        checkBuffered();
        waiter = thread;
        // The same Dekker pairing as next(): after this fence the dispatcher sees the registration, or the caller's
        // next poll sees its events.
        VarHandle.fullFence();
    }

    /** Unparks the user thread if it waits in {@link #next}; the caller has issued a full fence since publishing. */
    void wakeIfWaiting()
    {
        final Thread t = waiter;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }
}
