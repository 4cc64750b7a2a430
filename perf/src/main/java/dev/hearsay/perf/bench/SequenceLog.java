package dev.hearsay.perf.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * What one node's reader received of one measured phase, per publisher (the payload's sequence numbers, from 0 per
 * phase), and where its {@code Lagged} events came: enough to tell a loss reported by a Lagged from one that was
 * not, and whether the missed count of a Lagged is the gap in the sequence numbers around it. Written by the reader,
 * read by the bench's controller once the phase is drained: any thread, under this object's monitor.
 */
final class SequenceLog
{
    /** One Lagged event: what had been received before it, and the first of each publisher after it. */
    static final class Lagged
    {
        final long missed;
        final long receivedBefore;
        /** Per publisher: the highest sequence received before this event (-1: none). */
        final long[] highestBefore;
        /** Per publisher: the first sequence received after this event (-1: none yet). */
        final long[] firstAfter;

        Lagged(final long missed, final long receivedBefore, final long[] highestBefore)
        {
            this.missed = missed;
            this.receivedBefore = receivedBefore;
            this.highestBefore = highestBefore;
            this.firstAfter = new long[highestBefore.length];
            Arrays.fill(firstAfter, -1);
        }
    }

    private final BitSet[] seen;
    private final long[] highest;
    private final List<Lagged> lagged = new ArrayList<>();
    private long received;
    private long duplicates;
    private long foreign;

    /** @param publishers publishers of the phase: nodes 0 to {@code publishers - 1}. */
    SequenceLog(final int publishers)
    {
        seen = new BitSet[publishers];
        highest = new long[publishers];
        for (int p = 0; p < publishers; p++)
        {
            seen[p] = new BitSet();
        }
        Arrays.fill(highest, -1);
    }

    /** The reader got message {@code sequence} of {@code publisher}. */
    synchronized void received(final int publisher, final long sequence)
    {
        if (publisher < 0 || publisher >= seen.length || sequence < 0 || sequence > Integer.MAX_VALUE)
        {
            foreign++;
            return;
        }
        final int s = (int)sequence;
        if (seen[publisher].get(s))
        {
            duplicates++;
        }
        seen[publisher].set(s);
        highest[publisher] = Math.max(highest[publisher], sequence);
        received++;
        for (final Lagged l : lagged)
        {
            if (l.firstAfter[publisher] < 0)
            {
                l.firstAfter[publisher] = sequence;
            }
        }
    }

    /** The reader got {@code Lagged(missed)}. */
    synchronized void lagged(final long missed)
    {
        lagged.add(new Lagged(missed, received, highest.clone()));
    }

    synchronized long received()
    {
        return received;
    }

    synchronized long duplicates()
    {
        return duplicates;
    }

    /** Messages that were no measured message of a publisher of the phase (a bench bug if not 0). */
    synchronized long foreign()
    {
        return foreign;
    }

    synchronized int laggedEvents()
    {
        return lagged.size();
    }

    /** The missed counts of all Lagged events together. */
    synchronized long missed()
    {
        long n = 0;
        for (final Lagged l : lagged)
        {
            n += l.missed;
        }
        return n;
    }

    /** The missed count of the first Lagged event, or -1 without one. */
    synchronized long firstMissed()
    {
        return lagged.isEmpty() ? -1 : lagged.get(0).missed;
    }

    /** Messages received before the first Lagged event (all of them without one). */
    synchronized long receivedBeforeLagged()
    {
        return lagged.isEmpty() ? received : lagged.get(0).receivedBefore;
    }

    /**
     * The gap in sequence numbers across the first Lagged event, all publishers together: for each, the sequences
     * between the highest received before it and the first received after it (or, when none came after it, the end
     * of the phase: {@code accepted[p]}). -1 without a Lagged event.
     */
    synchronized long gapAtFirstLagged(final long[] accepted)
    {
        if (lagged.isEmpty())
        {
            return -1;
        }
        final Lagged l = lagged.get(0);
        long gap = 0;
        for (int p = 0; p < seen.length; p++)
        {
            final long after = l.firstAfter[p] >= 0 ? l.firstAfter[p] : accepted[p];
            gap += Math.max(0, after - l.highestBefore[p] - 1);
        }
        return gap;
    }

    /** Accepted broadcasts never received: {@code accepted[p]} is what publisher {@code p} had accepted. */
    synchronized long missing(final long[] accepted)
    {
        long n = 0;
        for (int p = 0; p < seen.length; p++)
        {
            n += accepted[p] - seen[p].get(0, (int)Math.min(Integer.MAX_VALUE, accepted[p])).cardinality();
        }
        return n;
    }

    /**
     * Accepted broadcasts never received that came before the first Lagged event: lower than the highest sequence of
     * their publisher received before it (every missing one without a Lagged event). A lossless reader has none.
     */
    synchronized long missingBeforeLagged(final long[] accepted)
    {
        if (lagged.isEmpty())
        {
            return missing(accepted);
        }
        final Lagged l = lagged.get(0);
        long n = 0;
        for (int p = 0; p < seen.length; p++)
        {
            final int end = (int)Math.min(Math.min(accepted[p], l.highestBefore[p] + 1), Integer.MAX_VALUE);
            n += end - seen[p].get(0, Math.max(0, end)).cardinality();
        }
        return n;
    }
}
