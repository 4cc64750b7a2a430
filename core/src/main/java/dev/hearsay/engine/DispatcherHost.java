package dev.hearsay.engine;

/**
 * A transport thread that runs the dispatcher's duty cycle between its own I/O work, instead of a thread of the
 * engine's own (see {@link Transport#dispatcherHost()}). A message then crosses fewer threads: frames read from a
 * socket are handled by the thread that read them, and what the dispatcher sends is written by the same thread.
 * Only that one thread ever touches protocol state, as with a dedicated dispatcher thread.
 *
 * <p>The host's contract: it calls {@link HostedDispatcher#start()} once on its thread, then
 * {@link HostedDispatcher#doWork()} in every turn of its loop until that returns false; it sleeps only after
 * announcing it is about to (so that {@link #wake()} from then on ends the sleep) and seeing
 * {@link HostedDispatcher#hasWork()} false afterwards, and never past {@link HostedDispatcher#deadlineNanos()}, so
 * that the dispatcher's timers run.
 */
public interface DispatcherHost
{
    /**
     * Hands the dispatcher to the host. Called once, by {@link GossipEngine#start()}; the host starts running it
     * soon after, on its thread.
     *
     * @return the host's thread, which from now on is the dispatcher thread.
     */
    Thread host(HostedDispatcher dispatcher);

    /**
     * Any thread: ends the host thread's sleep, if it sleeps (a publish on the ring calls this). Cheap when the
     * host is awake, and a no-op on the host thread itself. Must not block or allocate.
     */
    void wake();
}
