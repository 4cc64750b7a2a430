package dev.hearsay.engine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The handle through which an application runs its node's dispatcher on a thread of its own
 * ({@code ThreadingMode.INVOKER}): one duty cycle per {@link #invoke()}. The first thread that invokes owns the
 * dispatcher; any other thread is refused, so protocol state keeps a single owner.
 *
 * <pre>{@code
 * DispatcherInvoker invoker = node.invoker();
 * IdleStrategy idle = new BackoffIdleStrategy();
 * while (invoker.invoke() >= 0) { idle.idle(lastWork); }   // returns -1 once the node has closed
 * }</pre>
 */
public final class DispatcherInvoker
{
    private final GossipEngine engine;
    private final HostedDispatcher dispatcher;
    private final AtomicReference<Thread> owner = new AtomicReference<>();

    DispatcherInvoker(final GossipEngine engine, final HostedDispatcher dispatcher)
    {
        this.engine = engine;
        this.dispatcher = dispatcher;
    }

    /**
     * Runs one duty cycle on the calling thread: a batch of ring events, due timers, the transport's flush.
     *
     * @return the work done (0 when there was nothing to do: the caller may idle), or -1 once the node has closed
     * and the dispatcher has stopped for good (the caller's loop should end).
     * @throws IllegalStateException if another thread owns the dispatcher.
     */
    public int invoke()
    {
        final Thread current = Thread.currentThread();
        if (owner.get() != current && !claim(current))
        {
            throw new IllegalStateException("the dispatcher belongs to thread '" + owner.get().getName()
                + "'; only that thread may invoke it");
        }
        return dispatcher.doWork();
    }

    /**
     * The {@link System#nanoTime()} time by which {@link #invoke()} must run again if no event comes: the
     * dispatcher's next timer. An application that sleeps between calls sleeps no longer than this. Owner only.
     */
    public long deadlineNanos()
    {
        return dispatcher.deadlineNanos();
    }

    /** True while the ring holds events the dispatcher has not handled: {@link #invoke()} has work. Any thread. */
    public boolean hasWork()
    {
        return dispatcher.hasWork();
    }

    /** True once the dispatcher has stopped for good (the node closed). Any thread. */
    public boolean isClosed()
    {
        return dispatcher.finished();
    }

    /** Makes {@code thread} the owner if nobody owns the dispatcher yet, and starts it there; true if it did. */
    boolean claim(final Thread thread)
    {
        if (!owner.compareAndSet(null, thread))
        {
            return false;
        }
        engine.ownedBy(thread);
        dispatcher.start();
        return true;
    }

    /** The owning thread, or null if no thread has invoked yet. */
    Thread owner()
    {
        return owner.get();
    }
}
