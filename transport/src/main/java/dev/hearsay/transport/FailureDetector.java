package dev.hearsay.transport;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Liveness of every authenticated connection. Owned by one event loop of the transport, which runs {@link #scan}
 * every {@link #tickNanos()}; the per-connection timestamps it reads are written by each connection's own event
 * loop (single-writer volatiles, see {@link Connection}).
 *
 * <p>Every frame a peer sends counts as a sign of life. A connection this node has written nothing to for
 * {@link #heartbeatIntervalNanos()} (a quarter of the timeout) gets a heartbeat, so that an idle but healthy link
 * is never silent for long. A connection silent for the whole timeout is convicted: closed, which reports the peer
 * down to the protocol exactly as a closed socket does. That is what catches the failures TCP cannot see: a frozen
 * process (its kernel still acknowledges), a powered-off host, a pulled cable, a dropped NAT mapping.
 *
 * <p>Silence is not held against a peer while this node itself is the reason: a connection whose reads flow
 * control holds (or a full ring pauses) is not read, so its peer counts as heard; and after a scan that ran
 * late by more than half the timeout (this process was stalled: GC, SIGSTOP, a starved VM), every connection counts
 * as heard at the end of the stall. A node that wakes from its own pause so convicts nobody for it, and its peers'
 * frames waiting in the socket buffers are read before they could be held against them (the local-health idea of
 * SWIM's Lifeguard, reduced to what a single timeout needs).
 */
final class FailureDetector implements Runnable
{
    /**
     * One watched connection. Implementations record {@link #lastHeardNanos()} on their own event loop; the detector
     * only reads it.
     */
    interface Connection
    {
        /** When the peer last sent anything on this connection ({@link System#nanoTime()}). */
        long lastHeardNanos();

        /** When this node last wrote anything to the peer on this connection, heartbeats included. */
        long lastSentNanos();

        /** True while this node does not read the connection (flow control holds it, or the ring is full). */
        boolean readsStopped();

        /** True while the connection can still carry a heartbeat (open, output not shut down). */
        boolean canSend();

        /** Asks the connection's event loop to write one heartbeat. */
        void sendHeartbeat();

        /** Closes the connection: its peer was silent for {@code silentNanos}. Called once per connection. */
        void convict(long silentNanos);

        /** True once {@link #convict} was called. */
        boolean convicted();
    }

    /** Source of the watched connections (a snapshot array: scanning it allocates nothing). */
    interface Connections
    {
        Connection[] connections();
    }

    private final Connections source;
    private final long timeoutNanos;
    private final long heartbeatIntervalNanos;
    private final long tickNanos;
    private final long stallNanos;
    private long lastScanNanos;
    private long stallEndNanos;
    private long stalls;
    private ScheduledFuture<?> schedule;

    /**
     * @param source       the connections to watch.
     * @param timeoutNanos silence after which a connection's peer is convicted.
     */
    FailureDetector(final Connections source, final long timeoutNanos)
    {
        if (timeoutNanos <= 0)
        {
            throw new IllegalArgumentException("failure detection timeout: " + timeoutNanos + " ns");
        }
        this.source = source;
        this.timeoutNanos = timeoutNanos;
        this.heartbeatIntervalNanos = timeoutNanos / 4;
        this.tickNanos = timeoutNanos / 8;
        this.stallNanos = timeoutNanos / 2;
    }

    /** Runs {@link #scan} on {@code loop} every tick until {@link #stop}. */
    void start(final io.netty.util.concurrent.EventExecutor loop)
    {
        lastScanNanos = System.nanoTime();
        schedule = loop.scheduleAtFixedRate(this, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    /** Stops the periodic scan. */
    void stop()
    {
        final ScheduledFuture<?> s = schedule;
        if (s != null)
        {
            s.cancel(false);
        }
    }

    @Override
    public void run()
    {
        scan(System.nanoTime());
    }

    /**
     * Owner's thread: one pass over every connection at time {@code now}: heartbeats for those idle for a heartbeat
     * interval, convictions for those silent for the timeout.
     *
     * @return connections convicted by this pass.
     */
    int scan(final long now)
    {
        if (now - lastScanNanos > stallNanos)
        {
            // This node did not run for a while: whatever its peers sent meanwhile has not been read yet.
            stallEndNanos = now;
            stalls++;
        }
        lastScanNanos = now;
        int convicted = 0;
        for (final Connection c : source.connections())
        {
            if (c.convicted())
            {
                continue;
            }
            final long heard = c.readsStopped() ? now : Math.max(c.lastHeardNanos(), stallEndNanos);
            final long silent = now - heard;
            if (silent >= timeoutNanos)
            {
                c.convict(silent);
                convicted++;
            }
            else if (now - c.lastSentNanos() >= heartbeatIntervalNanos && c.canSend())
            {
                c.sendHeartbeat();
            }
        }
        return convicted;
    }

    /** Silence after which a peer is convicted. */
    long timeoutNanos()
    {
        return timeoutNanos;
    }

    /** Idle time after which a connection gets a heartbeat. */
    long heartbeatIntervalNanos()
    {
        return heartbeatIntervalNanos;
    }

    /** Time between two scans. */
    long tickNanos()
    {
        return tickNanos;
    }

    /** Scans that found this node had been stalled (owner's thread). */
    long stalls()
    {
        return stalls;
    }
}
