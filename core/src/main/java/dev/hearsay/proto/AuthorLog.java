package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.agrona.BitUtil;

/**
 * What a topic knows about one author's message stream (one epoch of it): which sequence numbers it has seen,
 * and where the cached payloads of recent ones are.
 *
 * <p>Seen sequences: every sequence below {@code base} counts as seen; above it, a circular bitmap of
 * {@link #WINDOW} bits (at first) records the ones seen out of order. Messages of one author mostly arrive in order
 * (one tree path, FIFO links), so the common case is {@code seq == base}: one comparison and an increment, whatever
 * the age or the rate, where a table of seen ids would cost random memory accesses and still forget old ids. A
 * message more than a window ahead doubles the window, up to {@link #MAX_WINDOW} bits (128 KiB), rather than give
 * up on the sequences in between: under overload, two paths of one stream can differ by more than 65,536 messages
 * (a newly grafted edge next to one with deep queues), and the older path's backlog was then dropped as duplicates.
 * Beyond the largest window the window slides and the skipped sequences not seen by then are given up (counted, and
 * reported to the readers as lost unless they came before the stream was first heard of):
 * they would be dropped as duplicates if they came later.
 *
 * <p>Cached payloads: a circular index from sequence to a {@link PayloadCache} entry, grown (doubling, up to a
 * bound) when it would overwrite an entry still cached. Lookups check the entry's id, so stale slots are harmless.
 */
final class AuthorLog
{
    /** Sequences tracked above {@code base} at first, in bits; a power of two. */
    static final int WINDOW = 1 << 16;
    /** The most sequences tracked above {@code base}: the window doubles up to it before giving any up. */
    static final int MAX_WINDOW = 1 << 20;
    private static final int INITIAL_INDEX = 64;
    private static final int MAX_INDEX = 1 << 20;

    final NodeId author;
    final int epoch;
    /** Another epoch of the same author, if any (restarts are rare: a short chain). */
    AuthorLog nextEpoch;
    long lastSeenNanos;
    /** The highest sequence received so far (0 before the first). */
    long highestSeen;
    /**
     * This stream's runs of announced-but-missing sequences in {@link MissingRuns}: the first and last run of its
     * list, in sequence order, or -1 when none is missing. Written only by {@link MissingRuns}.
     */
    int missingHead = -1;
    int missingTail = -1;

    private long base;
    /** Current window in bits, a power of two; {@link #bits} (once allocated) has {@code window / 64} words. */
    private int window = WINDOW;
    private long[] bits;
    private long[] cacheIndex = new long[INITIAL_INDEX];

    /**
     * The sequence this log was created for: those below it came before this node heard of the stream, and giving
     * them up is no loss (they are not counted as skipped).
     */
    private final long firstExpected;

    AuthorLog(final NodeId author, final int epoch, final long firstSequence, final long now)
    {
        this.author = author;
        this.epoch = epoch;
        // Leave room below the first message seen: a catch-up or a graft may still bring older ones.
        this.base = Math.max(1, firstSequence - WINDOW / 2);
        this.firstExpected = firstSequence;
        this.lastSeenNanos = now;
        java.util.Arrays.fill(cacheIndex, -1);
    }

    /** True if {@code seq} was seen. */
    boolean seen(final long seq)
    {
        if (seq < base)
        {
            return true;
        }
        if (seq >= base + window || bits == null)
        {
            return false;
        }
        final int bit = (int)(seq & (window - 1));
        return (bits[bit >>> 6] & (1L << bit)) != 0;
    }

    /**
     * The end of the stretch of unseen sequences that starts at {@code from}: the largest {@code e} from
     * {@code from} to {@code last} such that no sequence of {@code from..e} was seen, or {@code from - 1} if
     * {@code from} itself was seen. Sequences beyond the window count as unseen.
     */
    long unseenThrough(final long from, final long last)
    {
        if (seen(from))
        {
            return from - 1;
        }
        if (bits == null || from >= base + window)
        {
            return last;
        }
        final long windowEnd = base + window - 1;
        long s = from;
        while (s < last && s < windowEnd && !isSet(s + 1))
        {
            s++;
        }
        return s == windowEnd ? last : s;
    }

    /** True if every sequence up to {@code last} was seen: one comparison for a whole announced run. */
    boolean seenThrough(final long last)
    {
        return last < base;
    }

    /**
     * Records {@code seq} as seen (the caller checked it was not). Returns how many sequences the window gave up
     * on to make room (0 almost always).
     */
    long markSeen(final long seq)
    {
        if (seq == base && (bits == null || !isSet(base + 1)))
        {
            base++;
            return 0;
        }
        long skipped = 0;
        if (seq >= base + window && window < MAX_WINDOW)
        {
            growWindow(seq);
        }
        if (seq >= base + window)
        {
            skipped = slideTo(seq - window + 1);
        }
        if (bits == null)
        {
            bits = new long[window / 64];
        }
        final int bit = (int)(seq & (window - 1));
        bits[bit >>> 6] |= 1L << bit;
        while (isSet(base))
        {
            clear(base);
            base++;
        }
        return skipped;
    }

    /** Doubles the window until {@code seq} fits (or the largest window is reached), keeping the bits set. */
    private void growWindow(final long seq)
    {
        int grown = window;
        while (seq >= base + grown && grown < MAX_WINDOW)
        {
            grown <<= 1;
        }
        if (bits != null)
        {
            final long[] old = bits;
            final int oldWindow = window;
            final long[] wider = new long[grown / 64];
            for (long s = base, end = base + oldWindow; s < end; s++)
            {
                final int bit = (int)(s & (oldWindow - 1));
                if ((old[bit >>> 6] & (1L << bit)) != 0)
                {
                    final int to = (int)(s & (grown - 1));
                    wider[to >>> 6] |= 1L << to;
                }
            }
            bits = wider;
        }
        window = grown;
    }

    /** Sequences tracked above the base now, in bits. */
    int window()
    {
        return window;
    }

    private boolean isSet(final long seq)
    {
        if (bits == null)
        {
            return false;
        }
        final int bit = (int)(seq & (window - 1));
        return (bits[bit >>> 6] & (1L << bit)) != 0;
    }

    private void clear(final long seq)
    {
        final int bit = (int)(seq & (window - 1));
        bits[bit >>> 6] &= ~(1L << bit);
    }

    /** Moves {@code base} up to {@code newBase}; returns the sequences in between that were never seen. */
    private long slideTo(final long newBase)
    {
        // Unseen sequences from before the stream was first heard of are no loss: not counted.
        long unexpected = 0;
        for (long s = base; s < Math.min(newBase, firstExpected); s++)
        {
            if (bits == null || !isSet(s))
            {
                unexpected++;
            }
        }
        long skipped = -unexpected;
        if (bits == null)
        {
            skipped += newBase - base;
        }
        else if (newBase - base >= window)
        {
            long set = 0;
            for (final long w : bits)
            {
                set += Long.bitCount(w);
            }
            skipped += newBase - base - set;
            java.util.Arrays.fill(bits, 0);
        }
        else
        {
            for (long s = base; s < newBase; s++)
            {
                if (isSet(s))
                {
                    clear(s);
                }
                else
                {
                    skipped++;
                }
            }
        }
        base = newBase;
        return skipped;
    }

    /** The cache handle recorded for {@code seq}, or -1 (the caller verifies the entry's id). */
    long cacheHandle(final long seq)
    {
        return cacheIndex[(int)(seq & (cacheIndex.length - 1))];
    }

    /** Records where {@code seq}'s payload is cached; grows the index rather than overwrite a live entry. */
    void cacheHandle(final long seq, final long handle, final PayloadCache cache)
    {
        int slot = (int)(seq & (cacheIndex.length - 1));
        final long previous = cacheIndex[slot];
        if (previous >= 0 && cacheIndex.length < MAX_INDEX && cache.isLive(previous, author, epoch)
            && cache.sequence(previous) != seq)
        {
            growIndex(cache);
            slot = (int)(seq & (cacheIndex.length - 1));
        }
        cacheIndex[slot] = handle;
    }

    private void growIndex(final PayloadCache cache)
    {
        final long[] old = cacheIndex;
        int length = old.length * 2;
        if (length >= cache.maxEntries() && length < MAX_INDEX)
        {
            // An author whose cached messages fill the cache: go straight to twice the cache's size. Messages that
            // arrive out of order (grafted late) stay cached while the sequence moves on, so the index settles there
            // rather than at the cache's size, and growing to it in one step does so while the cache fills (the
            // warm-up), not at whatever moment later a late message first collides.
            length = Math.max(length, Math.min(MAX_INDEX, 2 * BitUtil.findNextPositivePowerOfTwo(cache.maxEntries())));
        }
        final long[] grown = new long[length];
        java.util.Arrays.fill(grown, -1);
        for (final long entry : old)
        {
            if (entry >= 0 && cache.isLive(entry, author, epoch))
            {
                grown[(int)(cache.sequence(entry) & (grown.length - 1))] = entry;
            }
        }
        cacheIndex = grown;
    }

    /** Forgets the cache index (the cache was cleared). */
    void clearCacheIndex()
    {
        java.util.Arrays.fill(cacheIndex, -1);
    }
}
