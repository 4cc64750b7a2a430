package dev.hearsay.engine;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The ring's wait strategy, used for its publish hook: every publish ends in {@link #signalAllWhenBlocking()}, which
 * unparks the dispatcher if a {@link SignalledIdleStrategy} put it to sleep. A producer pays one full fence per
 * publish (a Dekker pairing with the sleeper, who fences between announcing itself and looking at the ring one
 * last time), and an unpark only when the dispatcher sleeps: under load it never does.
 *
 * <p>{@link #waitFor} is not on the engine's path (the dispatcher polls with an {@code EventPoller}); it spins.
 */
final class DispatcherWakeup implements WaitStrategy
{
    private volatile Thread sleeper;
    /** With a {@link DispatcherHost}: its wake-up, called on every publish (it is cheap while the host is awake). */
    private volatile DispatcherHost host;

    /** Before the dispatcher starts: the ring's publishes wake {@code host} rather than a parked thread. */
    void hostedBy(final DispatcherHost host)
    {
        this.host = host;
    }

    /** The dispatcher is about to park: from here on, producers unpark it. Followed by its last look at the ring. */
    void sleeping(final Thread thread)
    {
        sleeper = thread;
        VarHandle.fullFence();
    }

    /** The dispatcher is awake again. */
    void awake()
    {
        sleeper = null;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        final DispatcherHost h = host;
        if (h != null)
        {
            h.wake();
            return;
        }
        VarHandle.fullFence();
        final Thread t = sleeper;
        // Only the first publish after the dispatcher fell asleep unparks it: a burst of frames pays one unpark.
        if (t != null && SLEEPER.compareAndSet(this, t, null))
        {
            LockSupport.unpark(t);
        }
    }

    private static final VarHandle SLEEPER;

    static
    {
        try
        {
            SLEEPER = java.lang.invoke.MethodHandles.lookup().findVarHandle(DispatcherWakeup.class, "sleeper",
                Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
        final SequenceBarrier barrier) throws AlertException
    {
        long available;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            Thread.onSpinWait();
        }
        return available;
    }
}
