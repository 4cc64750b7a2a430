package dev.hearsay.transport;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Relay flow control of one transport: which outbound links are congested, which connections hold their reads
 * because of it, and which paused reading because the dispatcher's ring was full.
 *
 * <p>Owners: the list of congested links and the release clock belong to the dispatcher; the counts of congested
 * links, held and paused readers are atomics that the event loops change and anyone reads; the readers are a
 * snapshot array (copy on write, scanned without locks or iterators).
 *
 * <p>While any link is congested, each connection holds its reads after a read (see {@link InboundFrameHandler}):
 * a relay that cannot forward as fast as it receives so makes its senders' queues grow instead of its own, and the
 * back-pressure travels hop by hop to the publishers. The hold is node-wide: every connection of the node holds.
 * It lasts only while congestion may be a burst, or while the peer says it holds its reads on purpose: a link that
 * alone holds the node back for longer, or does not drain at all, is isolated and no longer held for (see
 * {@link SlowPeerPolicy}), unless the protocol has nobody else to send to.
 */
final class FlowControl
{
    /** Longest that reads stay held while links stay congested, before one read each (see {@link #releaseHeldReads}). */
    static final long MAX_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final TransportCounters counters;
    /** Links above their congestion mark: changed by {@link PeerLink} (set by the dispatcher, cleared by a drain). */
    private final AtomicInteger congestedLinks = new AtomicInteger();
    /** Dispatcher only: the links that became congested, until they are seen clear. */
    private final ArrayList<PeerLink> congested = new ArrayList<>();
    /** Inbound handlers of open connections (copy on write: rare changes, scanned by the dispatcher). */
    private final SnapshotArray<InboundFrameHandler> readers = new SnapshotArray<>(InboundFrameHandler[]::new);
    /** Connections whose reads relay flow control holds right now. */
    private final AtomicInteger heldReaders = new AtomicInteger();
    /** Connections paused because the dispatcher's ring was full, with frames parked until it has room. */
    private final AtomicInteger pausedReaders = new AtomicInteger();
    /** Dispatcher only: when held reads were last released (or congestion began). */
    private long lastReleaseNanos;

    FlowControl(final TransportCounters counters)
    {
        this.counters = counters;
    }

    /** The count each {@link PeerLink} keeps up to date as it becomes congested and clears. */
    AtomicInteger congestedLinkCount()
    {
        return congestedLinks;
    }

    /** Dispatcher: {@code link} just became congested (its queue crossed the mark). */
    void congested(final PeerLink link)
    {
        if (congested.isEmpty())
        {
            lastReleaseNanos = link.congestedSinceNanos;
        }
        congested.add(link);
    }

    /** Dispatcher only: the links that became congested and were not seen clear since; for the slow-peer policy. */
    ArrayList<PeerLink> congestedLinks()
    {
        return congested;
    }

    /**
     * Any thread: true while the node waits for some congested outbound queue (inbound handlers then hold their
     * reads, publishers are back-pressured). Isolated links do not count (see {@link SlowPeerPolicy}).
     */
    boolean anyCongested()
    {
        return congestedLinks.get() > 0;
    }

    /** A connection began holding its reads. */
    void readsHeld()
    {
        counters.readHolds.incrementAndGet();
        heldReaders.incrementAndGet();
    }

    /** A connection stopped holding its reads. */
    void readsReleased()
    {
        heldReaders.decrementAndGet();
    }

    /** A connection paused reading because the ring was full ({@code paused}), or resumed. */
    void readsPaused(final boolean paused)
    {
        if (paused)
        {
            pausedReaders.incrementAndGet();
        }
        else
        {
            pausedReaders.decrementAndGet();
        }
    }

    /** Connections whose reads are held right now. */
    int heldReaders()
    {
        return heldReaders.get();
    }

    /** True while some connection holds its reads or is paused for a full ring. Any thread. */
    boolean inboundHeld()
    {
        return heldReaders.get() > 0 || pausedReaders.get() > 0;
    }

    /** A connection's inbound handler is in its pipeline: it may be held and released. */
    void addReader(final InboundFrameHandler reader)
    {
        readers.add(reader);
    }

    /** The connection closed. */
    void removeReader(final InboundFrameHandler reader)
    {
        readers.remove(reader);
    }

    /**
     * Dispatcher: it freed ring space; readers paused for a full ring retry now. The fence orders the dispatcher's
     * release of ring slots before its read of the paused count; a reader sets its paused flag before its own last
     * attempt (see InboundFrameHandler.onFrame). So either that attempt sees the space or this sees the pause.
     */
    void ringSpaceFreed()
    {
        java.lang.invoke.VarHandle.fullFence();
        if (pausedReaders.get() > 0)
        {
            retryPausedReaders();
        }
    }

    /** Any thread: asks every reader paused for a full ring to retry (on its event loop), if any is. */
    void retryPausedReadersIfAny()
    {
        if (pausedReaders.get() > 0)
        {
            retryPausedReaders();
        }
    }

    private void retryPausedReaders()
    {
        for (final InboundFrameHandler reader : readers.get())
        {
            if (reader.paused())
            {
                reader.retryFromDispatcher();
            }
        }
    }

    /** Dispatcher, once per flush: releases held reads when it is time (see {@link #releaseHeldReads}). */
    void onFlush()
    {
        if (heldReaders.get() > 0)
        {
            releaseHeldReads();
        }
    }

    /**
     * Dispatcher: releases the reads relay flow control holds once no link is congested, and, while links stay
     * congested, every {@link #MAX_HOLD_NANOS} as long as all of them have headroom (each connection then reads
     * once more and holds again). Nodes that hold their reads while each waits for another to read form a cycle
     * (two publishers whose queues to each other are congested are the simplest); only a read breaks it, and the one
     * whose read matters cannot tell, so every held connection gets one. Without headroom the reads stay held: a
     * peer that does not drain is the slow-peer policy's to cut, and overflowing its queue would only cut it sooner.
     */
    private void releaseHeldReads()
    {
        final long now = System.nanoTime();
        if (congestedLinks.get() > 0)
        {
            if (now - lastReleaseNanos < MAX_HOLD_NANOS)
            {
                return;
            }
            for (int i = 0; i < congested.size(); i++)
            {
                final PeerLink link = congested.get(i);
                if (!link.isolated() && !link.hasHeadroom())
                {
                    return;
                }
            }
            counters.readHoldReleases.incrementAndGet();
        }
        lastReleaseNanos = now;
        for (final InboundFrameHandler reader : readers.get())
        {
            if (reader.held())
            {
                reader.requestRelease();
            }
        }
    }
}
