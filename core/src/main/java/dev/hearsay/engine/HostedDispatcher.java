package dev.hearsay.engine;

import com.lmax.disruptor.Cursored;
import com.lmax.disruptor.Sequence;
import org.agrona.concurrent.AgentTerminationException;

import java.util.concurrent.TimeUnit;

/**
 * The engine's dispatcher as a {@link DispatcherHost} runs it: a duty cycle to call in every turn of the host's
 * loop, and the check the host makes before it sleeps. Host thread only, except {@link #finished()}.
 */
public final class HostedDispatcher
{
    /**
     * Longest the host may sleep while the dispatcher holds for a full subscription or the transport holds its
     * reads: their releases are looked after in the duty cycle (see {@link #deadlineNanos()}).
     */
    public static final long MAX_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private static final System.Logger LOG = System.getLogger(HostedDispatcher.class.getName());

    private final Dispatcher dispatcher;
    private final Cursored ring;
    private final Sequence position;
    private final boolean mayBlock;
    private volatile boolean finished;
    private boolean started;
    private boolean stopped;

    HostedDispatcher(final Dispatcher dispatcher, final Cursored ring, final Sequence position, final boolean mayBlock)
    {
        this.dispatcher = dispatcher;
        this.ring = ring;
        this.position = position;
        this.mayBlock = mayBlock;
    }

    /** Host thread, once, before the first {@link #doWork()}. */
    public void start()
    {
        if (!started)
        {
            started = true;
            dispatcher.onStart();
        }
    }

    /**
     * Host thread: one duty cycle (a batch of ring events, due timers, the transport's flush).
     *
     * @return the work done (0: nothing), or -1 once the engine has shut down: the dispatcher has left its topics
     * and must not be called again.
     */
    public int doWork()
    {
        if (stopped)
        {
            return -1;
        }
        try
        {
            return dispatcher.doWork();
        }
        catch (final AgentTerminationException ex)
        {
            stop();
            return -1;
        }
        catch (final RuntimeException | Error ex)
        {
            // Dispatcher.doWork handles the errors of events and handlers itself; this is a bug, and the host must
            // go on serving its sockets.
            LOG.log(System.Logger.Level.ERROR, "hearsay dispatcher error", ex);
            return 1;
        }
    }

    /**
     * Host thread, before it sleeps: the {@link System#nanoTime()} time by which it must run {@link #doWork()} again
     * if no event comes (the dispatcher's earliest timer; {@link #MAX_SLEEP_NANOS} from now at most while it holds
     * for a full subscription or the transport holds its reads). An idle node's host so sleeps up to the next timer,
     * tens of milliseconds, rather than waking on a fixed tick.
     */
    public long deadlineNanos()
    {
        return dispatcher.sleepDeadline();
    }

    /**
     * Host thread: true if the host must not sleep now: an event is on the ring (or claimed and about to be), or
     * the configured idle strategy spins ({@code BusySpinIdleStrategy} or {@code NoOpIdleStrategy}: the host then
     * polls its sockets without sleeping).
     */
    public boolean hasWork()
    {
        return !stopped && (!mayBlock || ring.getCursor() > position.get() && !dispatcher.lingering());
    }

    /** Host thread: stops for good (closing the dispatcher) if it has not already; the host is shutting down. */
    public void stop()
    {
        if (!stopped)
        {
            stopped = true;
            try
            {
                dispatcher.onClose();
            }
            finally
            {
                finished = true;
            }
        }
    }

    /** Any thread: true once the dispatcher has stopped for good. */
    public boolean finished()
    {
        return finished;
    }

    /**
     * Any thread but the host's: waits at most {@code nanos} for the dispatcher to stop (polling with a backoff, as
     * the engine's other waits for its dispatcher: core takes no blocking synchronizer); true if it did.
     */
    boolean awaitFinished(final long nanos)
    {
        final long deadline = System.nanoTime() + nanos;
        final org.agrona.concurrent.IdleStrategy idle =
            new org.agrona.concurrent.BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        while (!finished)
        {
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            idle.idle();
        }
        return true;
    }
}
