package dev.hearsay.transport;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What happens to a peer whose outbound queue stays congested: dispatcher-owned.
 *
 * <ol>
 *   <li>A link that just crossed its congestion mark is flow-controlled: the node waits for it (publishers are
 *       back-pressured, reads held, see {@link FlowControl}). Most congestion is a burst and ends here.</li>
 *   <li>A congested link is isolated when its peer is stuck (its queue has not drained at all for the isolation
 *       delay) or slow (it alone held the node back for {@link #SINGLED_OUT_NANOS}, and its peer never said it held
 *       its reads on purpose, see {@link HoldSignal}): the node stops waiting for it, and the protocol pushes
 *       payloads to other peers instead, announcing them to this one, which grafts what it misses at its own pace
 *       (see {@code PlumTree}). The others keep their rate. A peer that holds its reads on purpose (passing
 *       back-pressure on, or waiting for its own readers) says so, and stays flow-controlled. A link isolated in the
 *       last {@link #PROBATION_NANOS} is isolated again as soon as it is congested. When the protocol has nobody
 *       else to push to, it asks the transport to wait for the peer again ({@link #require}): node-wide flow
 *       control, the last resort, counted.</li>
 *   <li>A link whose queue has not moved (or stays nearly full) for the slow-peer timeout is cut off, isolated or
 *       not, so that nothing waits for it and the protocol refills its views from the passive contacts.</li>
 * </ol>
 * A link that drains below its low-water mark starts again at 1.
 */
final class SlowPeerPolicy
{
    /** Longest isolation delay: a congested link that has not drained at all for this long has a stuck peer. */
    static final long MAX_ISOLATION_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** How long one link must hold the node alone before it is isolated as slower than the others. */
    static final long SINGLED_OUT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long an isolated link stays on probation: alone congested again within it, it is isolated at once. */
    static final long PROBATION_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final FlowControl flow;
    private final long timeoutNanos;
    private final long isolationNanos;
    private final Consumer<PeerLink> cut;
    private final TransportCounters counters;
    /** Links this policy isolated that it has not seen clear or required since (may briefly count a cleared one). */
    private int isolated;

    /**
     * @param flow         the congested links to watch.
     * @param timeoutNanos how long a congested queue may go without draining before the peer is cut; the isolation
     *                     delay is a quarter of it, at most {@link #MAX_ISOLATION_NANOS}: long enough that a peer
     *                     holding its own reads for flow control, or paused behind a full ring, is not taken for a
     *                     stuck one.
     * @param cut          disconnects a slow peer (counted and logged by the caller).
     * @param counters     where isolations and last-resort waits are counted.
     */
    SlowPeerPolicy(final FlowControl flow, final long timeoutNanos, final Consumer<PeerLink> cut,
        final TransportCounters counters)
    {
        this.flow = flow;
        this.timeoutNanos = timeoutNanos;
        this.isolationNanos = Math.min(timeoutNanos / 4, MAX_ISOLATION_NANOS);
        this.cut = cut;
        this.counters = counters;
    }

    /** Dispatcher: true while some link may be isolated (cheap; a false answer is exact). */
    boolean anyIsolated()
    {
        return isolated > 0;
    }

    /**
     * Dispatcher: the protocol pushed a payload to {@code link}'s peer while it was isolated, having nobody else to
     * push to. The node waits for it again until it drains (counted once per congestion episode).
     */
    void require(final PeerLink link)
    {
        if (link.required)
        {
            return;
        }
        link.required = true;
        if (link.unisolate())
        {
            isolated--;
            counters.slowPeerWaits.incrementAndGet();
        }
    }

    /**
     * True if {@code link} alone has held the node for the singling-out delay: congested all along, the only link
     * the node waited for in at least three of four checks, and its peer never said it held its reads on purpose
     * ({@link HoldSignal}). A peer that drains, but slower than the others, stands out so: flow control paces the
     * stream to the slowest reader, and the others' queues then empty at once.
     * A link isolated in the last {@link #PROBATION_NANOS} is singled out again at once: a peer slow for good, pushed
     * to again once its queue drained, would otherwise hold the node anew every time.
     */
    private boolean singledOut(final PeerLink link, final long now)
    {
        final long congestedFor = now - link.congestedSinceNanos;
        final boolean relapse = link.isolatedAtNanos != 0 && now - link.isolatedAtNanos < PROBATION_NANOS;
        return !link.peerHeldThisEpisode && (relapse || congestedFor >= SINGLED_OUT_NANOS)
            && link.aloneChecks * 4L >= link.congestedChecks * 3L;
    }

    /**
     * Dispatcher, once per flush: forgets links that cleared, isolates those that have not drained for the
     * isolation delay, and cuts those stuck past the timeout.
     */
    void check()
    {
        final ArrayList<PeerLink> congested = flow.congestedLinks();
        if (congested.isEmpty())
        {
            isolated = 0;
            return;
        }
        final long now = System.nanoTime();
        int waitedFor = 0;
        for (int i = 0; i < congested.size(); i++)
        {
            if (!congested.get(i).isolated())
            {
                waitedFor++;
            }
        }
        int stillIsolated = 0;
        for (int i = congested.size() - 1; i >= 0; i--)
        {
            final PeerLink link = congested.get(i);
            if (!link.congested())
            {
                congested.remove(i);
                link.required = false;
                continue;
            }
            if (link.progressed())
            {
                link.stuckSinceNanos = now;
            }
            else if (now - link.stuckSinceNanos > timeoutNanos)
            {
                congested.remove(i);
                link.clearCongested();
                cut.accept(link);
                continue;
            }
            link.congestedChecks++;
            if (link.peerHolding)
            {
                link.peerHeldThisEpisode = true;
            }
            if (waitedFor <= 1)
            {
                link.aloneChecks++;
            }
            // A peer that says it holds its reads on purpose is waiting for its own readers: the node waits too (its
            // lossless readers hold the flow until their own timeout), up to the cut below.
            final boolean stuck = now - link.stuckSinceNanos >= isolationNanos && !link.peerHeldThisEpisode;
            if (!link.required && (stuck || singledOut(link, now))
                && link.isolate())
            {
                link.isolatedAtNanos = now;
                counters.peersIsolated.incrementAndGet();
            }
            if (link.isolated())
            {
                stillIsolated++;
            }
        }
        isolated = stillIsolated;
    }
}
