package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * Messages announced by IHave but not yet received, with the peers that announced them, awaiting a Graft timer.
 * Entries live in a slab with a free list; two deadline queues order the first timeouts and the retries. Bounded
 * by {@code capacity} entries (new announcements are ignored when full, and counted by the caller) and by
 * {@link #MAX_ADVERTISERS} advertisers per entry (later ones are ignored: four chances to graft are plenty).
 * The slab and queues start small and double as needed, then jump to their bounds (see {@link Growth}), or are
 * allocated at their bounds from the start.
 */
final class MissingMessages
{
    static final int MAX_ADVERTISERS = 4;

    private final int capacity;
    private final IdTable table;
    final DeadlineQueue firstTimeouts;
    final DeadlineQueue retries;

    private NodeId[] authors;
    private int[] epochs;
    private long[] sequences;
    private int[] generations;
    private NodeId[] advertisers;
    private int[] advertiserHops;
    private int[] advertiserCounts;
    private int[] nextAdvertiser;
    private long[] announcedAt;
    private long[] graftedAt;
    private NodeId[] graftedPeer;
    private boolean[] graftPending;
    private int[] freeList;
    private int freeCount;
    private int used;

    MissingMessages(final int capacity)
    {
        this(capacity, false);
    }

    /** {@code preallocate}: every table at its bound from the start, so nothing grows later. */
    MissingMessages(final int capacity, final boolean preallocate)
    {
        this.capacity = capacity;
        this.table = new IdTable(capacity, preallocate);
        this.firstTimeouts = new DeadlineQueue(capacity * 2, preallocate);
        this.retries = new DeadlineQueue(capacity * 2, preallocate);
        final int n = preallocate ? Math.max(16, capacity) : 16;
        authors = new NodeId[n];
        epochs = new int[n];
        sequences = new long[n];
        generations = new int[n];
        advertisers = new NodeId[n * MAX_ADVERTISERS];
        advertiserHops = new int[n * MAX_ADVERTISERS];
        advertiserCounts = new int[n];
        nextAdvertiser = new int[n];
        announcedAt = new long[n];
        graftedAt = new long[n];
        graftedPeer = new NodeId[n];
        graftPending = new boolean[n];
        freeList = new int[n];
    }

    int size()
    {
        return table.size();
    }

    int find(final NodeId author, final int epoch, final long sequence)
    {
        return table.get(author, epoch, sequence);
    }

    /**
     * Records that {@code peer} announced the message; returns the new entry's index when the message was not yet
     * missing, -1 when it was (advertiser appended), or -2 when the table is full.
     */
    int announce(final NodeId author, final int epoch, final long sequence, final NodeId peer, final int hops,
        final long now)
    {
        final int existing = table.get(author, epoch, sequence);
        if (existing >= 0)
        {
            addAdvertiser(existing, peer, hops);
            return -1;
        }
        if (table.size() >= capacity)
        {
            return -2;
        }
        final int entry = allocate();
        authors[entry] = author;
        epochs[entry] = epoch;
        sequences[entry] = sequence;
        advertiserCounts[entry] = 0;
        nextAdvertiser[entry] = 0;
        announcedAt[entry] = now;
        graftedAt[entry] = 0;
        graftedPeer[entry] = null;
        addAdvertiser(entry, peer, hops);
        table.put(author, epoch, sequence, entry);
        return entry;
    }

    private void addAdvertiser(final int entry, final NodeId peer, final int hops)
    {
        final int count = advertiserCounts[entry];
        final int base = entry * MAX_ADVERTISERS;
        for (int i = 0; i < count; i++)
        {
            if (advertisers[base + i].equals(peer))
            {
                return;
            }
        }
        if (count < MAX_ADVERTISERS)
        {
            advertisers[base + count] = peer;
            advertiserHops[base + count] = hops;
            advertiserCounts[entry] = count + 1;
        }
    }

    int generation(final int entry)
    {
        return generations[entry];
    }

    NodeId author(final int entry)
    {
        return authors[entry];
    }

    int epoch(final int entry)
    {
        return epochs[entry];
    }

    long sequence(final int entry)
    {
        return sequences[entry];
    }

    int advertiserCount(final int entry)
    {
        return advertiserCounts[entry];
    }

    NodeId advertiser(final int entry, final int i)
    {
        return advertisers[entry * MAX_ADVERTISERS + i];
    }

    int advertiserHops(final int entry, final int i)
    {
        return advertiserHops[entry * MAX_ADVERTISERS + i];
    }

    /** When the first announcement of the entry arrived. */
    long announcedAt(final int entry)
    {
        return announcedAt[entry];
    }

    /** The peer last asked for the message (null if none yet). */
    NodeId graftedPeer(final int entry)
    {
        return graftedPeer[entry];
    }

    /** When the last Graft for the entry was sent. */
    long graftedAt(final int entry)
    {
        return graftedAt[entry];
    }

    void grafted(final int entry, final NodeId peer, final long now)
    {
        graftedPeer[entry] = peer;
        graftedAt[entry] = now;
        graftPending[entry] = true;
    }

    /** True if the entry's last graft still counts as awaiting its answer. */
    boolean graftPending(final int entry)
    {
        return graftPending[entry];
    }

    /**
     * True once: if the entry's last graft still counted as awaiting its answer, it no longer does (answered,
     * superseded, given up, or unanswered for too long). The grafted peer is kept, so that a late answer is still
     * recognised.
     */
    boolean settleGraft(final int entry)
    {
        final boolean pending = graftPending[entry];
        graftPending[entry] = false;
        return pending;
    }

    /** Index of the next advertiser to graft from, advancing it; -1 when all were tried. */
    int takeNextAdvertiser(final int entry)
    {
        final int next = nextAdvertiser[entry];
        if (next >= advertiserCounts[entry])
        {
            return -1;
        }
        nextAdvertiser[entry] = next + 1;
        return next;
    }

    /** Gives back the advertiser {@link #takeNextAdvertiser} just returned: it is asked again next time. */
    void untakeAdvertiser(final int entry)
    {
        if (nextAdvertiser[entry] > 0)
        {
            nextAdvertiser[entry]--;
        }
    }

    /** Forgets the entry; its pending timers become stale. */
    void remove(final int entry)
    {
        table.remove(authors[entry], epochs[entry], sequences[entry]);
        authors[entry] = null;
        final int base = entry * MAX_ADVERTISERS;
        for (int i = 0; i < MAX_ADVERTISERS; i++)
        {
            advertisers[base + i] = null;
        }
        graftedPeer[entry] = null;
        graftPending[entry] = false;
        generations[entry]++;
        freeList[freeCount++] = entry; // never full: it grows with the slab (see allocate)
    }

    void clear()
    {
        while (table.size() > 0)
        {
            for (int e = 0; e < used; e++)
            {
                if (authors[e] != null)
                {
                    remove(e);
                }
            }
        }
        firstTimeouts.clear();
        retries.clear();
    }

    private int allocate()
    {
        if (freeCount > 0)
        {
            return freeList[--freeCount];
        }
        if (used == authors.length)
        {
            final int n = Growth.next(authors.length, Math.max(16, capacity));
            authors = java.util.Arrays.copyOf(authors, n);
            epochs = java.util.Arrays.copyOf(epochs, n);
            sequences = java.util.Arrays.copyOf(sequences, n);
            generations = java.util.Arrays.copyOf(generations, n);
            advertisers = java.util.Arrays.copyOf(advertisers, n * MAX_ADVERTISERS);
            advertiserHops = java.util.Arrays.copyOf(advertiserHops, n * MAX_ADVERTISERS);
            advertiserCounts = java.util.Arrays.copyOf(advertiserCounts, n);
            nextAdvertiser = java.util.Arrays.copyOf(nextAdvertiser, n);
            announcedAt = java.util.Arrays.copyOf(announcedAt, n);
            graftedAt = java.util.Arrays.copyOf(graftedAt, n);
            graftedPeer = java.util.Arrays.copyOf(graftedPeer, n);
            graftPending = java.util.Arrays.copyOf(graftPending, n);
            // As long as the slab, so that freeing never grows it: it doubled on its own before, and the first time
            // a busy topic's backlog drained past a power of two it allocated in the middle of steady traffic.
            freeList = java.util.Arrays.copyOf(freeList, n);
        }
        return used++;
    }
}
