package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * What thread hand-offs alone cost on this machine: a token passed along a chain of threads, each parked until the
 * one before it unparks it, and doing nothing else; sent at the bench's fixed rate. An engine hop with poll delivery
 * crosses five such hand-offs (publisher to dispatcher to event loop on one side, event loop to dispatcher to
 * receiver on the other, the socket between the event loops), three with the dispatchers on the event loops, where
 * Netty's ping-pong crosses one each way. So this is the floor that the
 * one-hop figures sit on, measured in the same run: what no engine with this many threads per hop can beat here.
 * <p>
 * The pacer is the publishers' (see {@link #run}) and latency is from the slot to the last thread, as the engine's
 * corrected figure is timed; a token overtaken by the next one on the way is timed when the later one arrives. The chain's threads stay
 * parked between phases; they are named {@code bench-baseline-handoff-*}.
 */
final class HandoffBaseline implements AutoCloseable
{
    /** Thread hand-offs on an engine hop with poll delivery and dispatcher threads of their own (see the class comment). */
    static final int ENGINE_HOP_HANDOFFS = 5;

    /**
     * The hand-offs of an engine hop as the bench runs it: 5 with poll delivery; one fewer with the dispatcher
     * calling the bench's handler (no receiver thread); two fewer with the dispatcher on the event loop (no hand-off
     * between the ring and the socket on either side).
     */
    static int engineHop(final boolean dispatcherOnEventLoop, final boolean dispatcherDelivery)
    {
        return ENGINE_HOP_HANDOFFS - (dispatcherOnEventLoop ? 2 : 0) - (dispatcherDelivery ? 1 : 0);
    }

    /** The threads of that hop, in order, for the report. */
    static String engineHopPath(final boolean dispatcherOnEventLoop, final boolean dispatcherDelivery)
    {
        final String receiver = dispatcherDelivery ? "" : ", receiver";
        return dispatcherOnEventLoop ? "publisher, event loop; event loop" + receiver
            : "publisher, dispatcher, event loop; event loop, dispatcher" + receiver;
    }
    private static final int SENT_SLOTS = 1 << 16;

    private final int handoffs;
    private final long intervalNanos;
    private final Thread[] threads;
    /**
     * Slot {@code i}: the last token handed to thread {@code i} (the pacer writes slot 0, thread {@code i} slot
     * {@code i + 1}; the last slot marks the tokens through).
     */
    private final AtomicLongArray tokens;
    /** Send times by token; a token is read long before its slot comes round again (65,536 sends later). */
    private final long[] sentAt = new long[SENT_SLOTS];
    private final Recorder recorder = LatencyRecorders.recorder();
    private volatile boolean closed;
    private long nextToken;
    private final TimerSlack slack = new TimerSlack();

    /**
     * @param handoffs how many threads the token crosses (at least 1)
     * @param rate     sends per second during {@link #run}
     */
    HandoffBaseline(final int handoffs, final long rate)
    {
        if (handoffs < 1 || rate < 1)
        {
            throw new IllegalArgumentException("handoffs " + handoffs + " and rate " + rate + " must be positive");
        }
        this.handoffs = handoffs;
        this.intervalNanos = Math.max(1, TimeUnit.SECONDS.toNanos(1) / rate);
        this.tokens = new AtomicLongArray(handoffs + 1);
        this.threads = new Thread[handoffs];
        for (int i = 0; i < handoffs; i++)
        {
            final int stage = i;
            threads[i] = new Thread(() -> relay(stage), "bench-baseline-handoff-" + (i + 1));
            threads[i].setDaemon(true);
        }
        for (final Thread thread : threads)
        {
            thread.start();
        }
    }

    int handoffs()
    {
        return handoffs;
    }

    /** Tokens sent so far (by {@link #run}, on the calling thread). */
    long sent()
    {
        return nextToken;
    }

    /**
     * Sends at the fixed rate for {@code nanos} on the calling thread, paced as the publishers are (a park that ends
     * shortly before the slot, then a spin, with the pacers' kernel timer slack) and timed from the slot: a pacer
     * that wakes late, and the tokens it then sends at once to catch up, count as they do on an engine hop. Adds the
     * latencies to {@code into}.
     */
    void run(final long nanos, final Histogram into)
    {
        slack.onPacingThread();
        final long start = System.nanoTime();
        final long end = start + nanos;
        for (long slot = start; slot - end < 0; slot += intervalNanos)
        {
            slack.awaitDeadline(slot, () -> true);
            final long token = ++nextToken;
            sentAt[(int)(token & (SENT_SLOTS - 1))] = slot;
            tokens.set(0, token);
            LockSupport.unpark(threads[0]);
        }
        // Let the last token through, then take what was recorded.
        final long last = nextToken;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (tokens.get(handoffs) != last && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        final Histogram taken = recorder.getIntervalHistogram();
        if (into != null)
        {
            into.add(taken);
        }
    }

    private void relay(final int stage)
    {
        final Thread next = stage + 1 < handoffs ? threads[stage + 1] : null;
        long seen = 0;
        while (!closed)
        {
            final long token = tokens.get(stage);
            if (token == seen)
            {
                LockSupport.park(this);
                continue;
            }
            if (next == null)
            {
                // Every token since the last one seen arrives now: a slow hand-off overtaken by the next send is
                // timed too, not skipped (which would flatter the tail).
                final long now = System.nanoTime();
                for (long t = Math.max(seen + 1, token - SENT_SLOTS + 1); t <= token; t++)
                {
                    LatencyRecorders.record(recorder, now - sentAt[(int)(t & (SENT_SLOTS - 1))]);
                }
            }
            seen = token;
            tokens.set(stage + 1, token);
            if (next != null)
            {
                LockSupport.unpark(next);
            }
        }
    }

    @Override
    public void close()
    {
        closed = true;
        for (final Thread thread : threads)
        {
            LockSupport.unpark(thread);
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
