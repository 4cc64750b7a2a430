package dev.hearsay.transport;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that make and check handshake signatures (Ed25519, about a millisecond each with the JDK's provider),
 * so that the event loops, which also carry every established connection's traffic, never spend that time: a flood
 * of handshakes then queues here, not in front of the peers' frames. Jobs are pure computations on copied bytes; their
 * results go back to the connection's event loop ({@link HandshakeHandler}).
 *
 * <p>Bounded: a queue of {@code capacity} jobs. At most one job is queued per accepted connection that has not
 * completed its handshake and two per dial in progress, so with the capacity the transport gives it
 * ({@code maxUnauthenticatedConnections + 2 * maxPendingDials}) it does not fill; if it ever does, the job is
 * refused and its connection closed (counted: {@code handshakes refused: busy}).
 *
 * <p>Any thread. A transport that is not started (the in-process fuzzer's) runs the jobs on the caller's thread.
 */
final class HandshakeExecutor
{
    private final ThreadPoolExecutor pool;
    /** Tests: run on the handshake thread before each job (to hold the threads, say); null for none. */
    private volatile Runnable beforeEachJob;

    private HandshakeExecutor(final ThreadPoolExecutor pool)
    {
        this.pool = pool;
    }

    /** {@code threads} daemon threads named after {@code node}, with a queue of {@code capacity} jobs. */
    static HandshakeExecutor start(final int threads, final int capacity, final String node)
    {
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity), new DefaultThreadFactory("hearsay-handshake-" + node, true),
            new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
        return new HandshakeExecutor(pool);
    }

    /** Runs every job at once on the caller's thread. */
    static HandshakeExecutor inline()
    {
        return new HandshakeExecutor(null);
    }

    /** Queues {@code job}; false when the queue is full or the executor is closed (the job will not run). */
    boolean submit(final Runnable job)
    {
        final Runnable before = beforeEachJob;
        final Runnable task = before == null ? job : () ->
        {
            before.run();
            job.run();
        };
        if (pool == null)
        {
            task.run();
            return true;
        }
        try
        {
            pool.execute(task);
            return true;
        }
        catch (final RejectedExecutionException e)
        {
            return false;
        }
    }

    /** Tests: {@code hook} runs on the handshake thread before every job submitted from now on (null: none). */
    void beforeEachJob(final Runnable hook)
    {
        beforeEachJob = hook;
    }

    /** Jobs waiting right now. */
    int queued()
    {
        return pool == null ? 0 : pool.getQueue().size();
    }

    /** Stops the threads; queued jobs are dropped (their connections are being closed with the transport). */
    void close()
    {
        if (pool != null)
        {
            pool.shutdownNow();
        }
    }
}
