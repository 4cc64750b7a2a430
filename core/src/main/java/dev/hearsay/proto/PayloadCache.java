package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Recent payloads of a topic, kept to answer Grafts. Payload bytes live in one circular log and entries in arrival
 * order, so eviction is always of the oldest. Bounded by a byte budget and an entry count: when a new payload
 * does not fit, the oldest entries are evicted early (counted); a payload larger than the whole budget is not
 * cached. Storage starts small and doubles up to the budget, so an idle topic costs little, or is allocated at the
 * budget from the start ({@link dev.hearsay.GossipConfig#preallocate()}).
 *
 * <p>An entry is named by a handle, its absolute position in arrival order; {@link AuthorLog} maps sequences to
 * handles, so the cache itself needs no hash table (no random memory access per message).
 *
 * <p>A signed message's signature trailer (a 64-byte signature or a batch proof) is stored in the log right after its payload and counts against the
 * budget.
 */
final class PayloadCache
{
    private static final int INITIAL_LOG_BYTES = 16 * 1024;
    private static final int INITIAL_ENTRIES = 64;

    private final long maxBytes;
    private final int maxEntries;

    private UnsafeBuffer log;
    private NodeId[] authors;
    private int[] epochs;
    private long[] sequences;
    private int[] hops;
    private long[] times;
    private long[] positions;
    private int[] lengths;
    /** Bytes of each entry's signature trailer after its payload; 0 when unsigned. */
    private short[] signatureLengths;
    private long head;
    private long tail;
    private long logTail;
    private long evictedEarly;

    PayloadCache(final long maxBytes, final int maxEntries)
    {
        this(maxBytes, maxEntries, false);
    }

    /** {@code preallocate}: the log at the byte budget and room for every entry from the start; nothing grows. */
    PayloadCache(final long maxBytes, final int maxEntries, final boolean preallocate)
    {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
        final long logBytes = preallocate ? Math.min(maxBytes, Integer.MAX_VALUE - 8) : Math.min(maxBytes,
            INITIAL_LOG_BYTES);
        this.log = new UnsafeBuffer(new byte[(int)logBytes]);
        final int n = preallocate
            ? Math.max(INITIAL_ENTRIES, org.agrona.BitUtil.findNextPositivePowerOfTwo(maxEntries)) : INITIAL_ENTRIES;
        authors = new NodeId[n];
        epochs = new int[n];
        sequences = new long[n];
        hops = new int[n];
        times = new long[n];
        positions = new long[n];
        lengths = new int[n];
        signatureLengths = new short[n];
    }

    long evictedEarly()
    {
        return evictedEarly;
    }

    /** The most payloads cached at once. */
    int maxEntries()
    {
        return maxEntries;
    }

    int size()
    {
        return (int)(tail - head);
    }

    /** Caches a payload; returns its handle, or -1 if it cannot be cached at all (larger than the budget). */
    long put(final NodeId author, final int epoch, final long sequence, final int hopCount,
        final DirectBuffer payload, final int offset, final int length, final long now)
    {
        return put(author, epoch, sequence, hopCount, payload, offset, length, null, 0, 0, now);
    }

    /**
     * Caches a payload and, when {@code signature} is not null, the {@code signatureLength} bytes of its signature
     * trailer at {@code signatureOffset}; returns its handle, or -1 if it cannot be cached at all (larger than the
     * budget).
     */
    long put(final NodeId author, final int epoch, final long sequence, final int hopCount,
        final DirectBuffer payload, final int offset, final int payloadLength, final DirectBuffer signature,
        final int signatureOffset, final int signatureLength, final long now)
    {
        // Stored bytes: the payload, then the signature trailer if any.
        final int trailer = signature != null ? signatureLength : 0;
        final int length = payloadLength + trailer;
        if (length > maxBytes || length > Integer.MAX_VALUE / 2)
        {
            return -1;
        }
        if (tail - head == maxEntries)
        {
            removeHead();
            evictedEarly++;
        }
        long position = placement(length);
        while (head < tail && position + length - positions[index(head)] > log.capacity())
        {
            if (log.capacity() < maxBytes)
            {
                growLog(length);
            }
            else
            {
                removeHead();
                evictedEarly++;
            }
            position = placement(length);
        }
        if (position + length - (head < tail ? positions[index(head)] : position) > log.capacity())
        {
            growLog(length);
            position = placement(length);
        }
        if (tail - head == authors.length)
        {
            growEntries();
        }
        final int i = index(tail);
        authors[i] = author;
        epochs[i] = epoch;
        sequences[i] = sequence;
        hops[i] = hopCount;
        times[i] = now;
        positions[i] = position;
        lengths[i] = payloadLength;
        signatureLengths[i] = (short)trailer;
        final int at = (int)(position % log.capacity());
        if (payloadLength > 0)
        {
            log.putBytes(at, payload, offset, payloadLength);
        }
        if (signature != null)
        {
            log.putBytes(at + payloadLength, signature, signatureOffset, trailer);
        }
        logTail = position + length;
        return tail++;
    }

    /** Where a payload of {@code length} bytes goes: at the log tail, or at the next lap if it would wrap. */
    private long placement(final int length)
    {
        final long capacity = log.capacity();
        final long offsetInLap = logTail % capacity;
        return offsetInLap + length > capacity ? logTail - offsetInLap + capacity : logTail;
    }

    /** True if {@code handle} is still cached and belongs to this author and epoch. */
    boolean isLive(final long handle, final NodeId author, final int epoch)
    {
        if (handle < head || handle >= tail)
        {
            return false;
        }
        final int i = index(handle);
        return epochs[i] == epoch && author.equals(authors[i]);
    }

    /** True if {@code handle} is still cached and holds message (author, epoch, sequence). */
    boolean matches(final long handle, final NodeId author, final int epoch, final long sequence)
    {
        return isLive(handle, author, epoch) && sequences[index(handle)] == sequence;
    }

    long sequence(final long handle)
    {
        return sequences[index(handle)];
    }

    int hops(final long handle)
    {
        return hops[index(handle)];
    }

    int length(final long handle)
    {
        return lengths[index(handle)];
    }

    /** True if a live {@code handle} was cached with its author's signature. */
    boolean signed(final long handle)
    {
        return signatureLengths[index(handle)] != 0;
    }

    /**
     * Points {@code view} at the cached signature trailer of a live, {@link #signed} {@code handle}: its capacity is
     * the trailer's length.
     */
    void wrapSignature(final long handle, final UnsafeBuffer view)
    {
        final int i = index(handle);
        view.wrap(log, (int)(positions[i] % log.capacity()) + lengths[i], signatureLengths[i]);
    }

    /** Bytes entry {@code i} takes in the log. */
    private int stored(final int i)
    {
        return lengths[i] + signatureLengths[i];
    }

    /** Points {@code view} at the cached payload of a live {@code handle}. */
    void wrap(final long handle, final UnsafeBuffer view)
    {
        final int i = index(handle);
        if (lengths[i] == 0)
        {
            view.wrap(Message.NO_DATA);
        }
        else
        {
            view.wrap(log, (int)(positions[i] % log.capacity()), lengths[i]);
        }
    }

    /**
     * Adds the ids of payloads cached after {@code since} to {@code out}, newest first, until it is full; skips those
     * authored by {@code skipAuthor}. They go in with {@link IHave#addPreceding}, so that an author's stream still
     * makes runs (each id extends a run downwards), and when not all fit the newest are kept. Returns how many were
     * added.
     */
    int recent(final long since, final IHave out, final NodeId skipAuthor)
    {
        int added = 0;
        for (long k = tail - 1; k >= head; k--)
        {
            final int i = index(k);
            if (times[i] <= since)
            {
                break;
            }
            if (!authors[i].equals(skipAuthor))
            {
                if (!out.addPreceding(authors[i], epochs[i], sequences[i], hops[i]))
                {
                    break;
                }
                added++;
            }
        }
        return added;
    }

    /**
     * How long a payload stays here at the current rate. Once this cache has evicted early (it reached its bounds):
     * how long ago the oldest entry still cached arrived. Before that, from the time the entries cached so far took to
     * fill an eighth or more of the nearer bound (entries or bytes): that time scaled to the whole bound, since
     * neighbors' caches, about as busy, may fill first. {@link Long#MAX_VALUE} while under an eighth full, or empty.
     */
    long span(final long now)
    {
        if (head >= tail)
        {
            return Long.MAX_VALUE;
        }
        final long age = now - times[index(head)];
        if (evictedEarly > 0)
        {
            return age;
        }
        final double fill = Math.max((double)(tail - head) / maxEntries,
            (double)(logTail - positions[index(head)]) / maxBytes);
        return fill < 0.125 ? Long.MAX_VALUE : (long)(age / fill);
    }

    /** Evicts entries cached at or before {@code cutoff}. */
    void evictOlderThan(final long cutoff)
    {
        while (head < tail && times[index(head)] <= cutoff)
        {
            removeHead();
        }
    }

    private int index(final long k)
    {
        return (int)(k & (authors.length - 1));
    }

    private void removeHead()
    {
        authors[index(head)] = null;
        head++;
    }

    private void growEntries()
    {
        final int n = authors.length;
        final int m = n * 2;
        final NodeId[] a = new NodeId[m];
        final int[] e = new int[m];
        final long[] s = new long[m];
        final int[] h = new int[m];
        final long[] t = new long[m];
        final long[] p = new long[m];
        final int[] l = new int[m];
        final short[] g = new short[m];
        for (long k = head; k < tail; k++)
        {
            final int from = (int)(k & (n - 1));
            final int to = (int)(k & (m - 1));
            a[to] = authors[from];
            e[to] = epochs[from];
            s[to] = sequences[from];
            h[to] = hops[from];
            t[to] = times[from];
            p[to] = positions[from];
            l[to] = lengths[from];
            g[to] = signatureLengths[from];
        }
        authors = a;
        epochs = e;
        sequences = s;
        hops = h;
        times = t;
        positions = p;
        lengths = l;
        signatureLengths = g;
    }

    /** Doubles the log (up to the budget) and lays the live payloads out again from position 0. */
    private void growLog(final int needed)
    {
        long newCapacity = Math.max((long)log.capacity() * 2, needed);
        newCapacity = Math.min(Math.min(newCapacity, maxBytes), Integer.MAX_VALUE - 8);
        final UnsafeBuffer bigger = new UnsafeBuffer(new byte[(int)newCapacity]);
        long position = 0;
        for (long k = head; k < tail; k++)
        {
            final int i = index(k);
            final int length = stored(i);
            if (length > 0)
            {
                bigger.putBytes((int)position, log, (int)(positions[i] % log.capacity()), length);
            }
            positions[i] = position;
            position += length;
        }
        log = bigger;
        logTail = position;
    }
}
