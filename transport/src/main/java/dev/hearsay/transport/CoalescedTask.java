package dev.hearsay.transport;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task handed to an executor (an event loop) at most once at a time: asking again while it waits to run does
 * nothing, and it can be asked for again as soon as it starts. Preallocated, so asking allocates nothing, where a
 * task per request would. Any thread asks; the body runs on the executor.
 */
final class CoalescedTask implements Runnable
{
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Runnable body;

    CoalescedTask(final Runnable body)
    {
        this.body = body;
    }

    /** Any thread: hands the task to {@code executor} unless it is waiting there already. */
    void requestOn(final Executor executor)
    {
        if (queued.compareAndSet(false, true))
        {
            executor.execute(this);
        }
    }

    /**
     * Runs the body now if the caller is {@code loop}'s own thread (a request already waiting there still runs later:
     * bodies re-check their state), else as {@link #requestOn}. For the dispatcher when it runs on the loop: a task
     * would wait until after the loop's next read pass.
     */
    void runHereOrRequestOn(final io.netty.util.concurrent.EventExecutor loop)
    {
        if (loop.inEventLoop())
        {
            body.run();
        }
        else
        {
            requestOn(loop);
        }
    }

    /** On the executor: open to requests again first, so that one made while the body runs is not lost. */
    @Override
    public void run()
    {
        queued.set(false);
        body.run();
    }
}
