package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * Messages announced by IHave but not yet received, as runs of sequences of one author's epoch, each run with the
 * peers that announced it (each with the stretch of the run it announced: a run grows by one peer's announcements,
 * and the others need not have the newer sequences) and the state of its repair (its timers, the range last grafted
 * and from whom). Owned by the dispatcher thread, like the {@link PlumTree} it serves.
 *
 * <p>What a run holds: the sequences {@code first..last} of its {@link AuthorLog} that the log has not seen. An
 * arrival inside a run needs no change here (the log records it); an arrival at either end moves that end past
 * every sequence seen, and a run left with nothing unseen is removed. So a Graft asks for the run's first stretch
 * of unseen sequences ({@link AuthorLog#unseenThrough}), and a message received in the middle of a run splits what
 * the next Graft asks for without a second run. An announcement of sequences some of which were seen already
 * makes a run of each stretch of unseen ones, so that scattered losses are grafted side by side. The runs of one
 * stream form a list in sequence order, without overlaps, whose first and last run the log keeps
 * ({@link AuthorLog#missingHead}): a message of a stream with nothing missing costs one comparison here, whatever
 * the rate.
 *
 * <p>Bounds and policy: at most {@code capacity} runs per topic and {@link #MAX_ADVERTISERS} announcers per run
 * (later ones are ignored: four chances to graft are plenty). A new stretch of missing sequences next to a run of the
 * same stream, announced by that run's first announcer while the run still waits for its first timeout, extends it.
 * When the table is full, a new stretch widens the nearest run of its own stream to cover it (the sequences in
 * between that were seen are skipped by the Grafts); if its stream has no run, two neighbouring runs of another
 * stream that wait for no Graft answer are merged into one to make room. Only when no stream has two such runs
 * (more streams miss messages at once than there are runs) is the stretch ignored, and counted by the caller. A
 * stream's gap is so never forgotten for want of room while its stream has a run.
 *
 * <p>Timers: two deadline queues, the first timeouts and the retries; a run's generation changes whenever its
 * timer is set again or it is removed, so that only its latest timer counts. Arrays start small and grow like the
 * other repair tables ({@link Growth}), or are allocated at their bound with {@code preallocate}.
 */
final class MissingRuns
{
    static final int MAX_ADVERTISERS = 4;
    static final int NONE = -1;

    private final int capacity;
    final DeadlineQueue firstTimeouts;
    final DeadlineQueue retries;
    /** Runs whose next announcer cannot take another Graft yet, per neighbor slot. */
    final GraftWaitLists waiting;

    private AuthorLog[] logs;
    private long[] firsts;
    private long[] lasts;
    private int[] previous;
    private int[] next;
    private int[] generations;
    private NodeId[] advertisers;
    private int[] advertiserHops;
    /** Per announcer of a run, the stretch of it that it announced (from its first to its last announced id). */
    private long[] announcedFirsts;
    private long[] announcedLasts;
    private int[] advertiserCounts;
    private int[] nextAdvertiser;
    private long[] announcedAt;
    private long[] progressAt;
    private long[] otherProgressAt;
    private boolean[] sampled;
    private NodeId[] graftedPeer;
    private long[] graftedAt;
    private long[] graftedFirst;
    private long[] graftedLast;
    private int[] graftedHops;
    private boolean[] graftPending;
    private int[] freeList;
    private int freeCount;
    private int used;
    private int size;
    /** Where the search for two runs to merge starts next (round robin, so no stream is always the one merged). */
    private int mergeCursor;

    /**
     * @param capacity    the most runs at once.
     * @param slots       neighbor slots (one wait list each).
     * @param preallocate every array at its bound now, so nothing grows later.
     */
    MissingRuns(final int capacity, final int slots, final boolean preallocate)
    {
        this.capacity = capacity;
        this.waiting = new GraftWaitLists(slots, capacity, preallocate);
        // Every timer set again leaves its stale predecessor queued until it reaches the head: room for a few each.
        this.firstTimeouts = new DeadlineQueue(capacity * 4, preallocate);
        this.retries = new DeadlineQueue(capacity * 4, preallocate);
        final int n = preallocate ? Math.max(16, capacity) : 16;
        logs = new AuthorLog[n];
        firsts = new long[n];
        lasts = new long[n];
        previous = new int[n];
        next = new int[n];
        generations = new int[n];
        advertisers = new NodeId[n * MAX_ADVERTISERS];
        advertiserHops = new int[n * MAX_ADVERTISERS];
        announcedFirsts = new long[n * MAX_ADVERTISERS];
        announcedLasts = new long[n * MAX_ADVERTISERS];
        advertiserCounts = new int[n];
        nextAdvertiser = new int[n];
        announcedAt = new long[n];
        progressAt = new long[n];
        otherProgressAt = new long[n];
        sampled = new boolean[n];
        graftedPeer = new NodeId[n];
        graftedAt = new long[n];
        graftedFirst = new long[n];
        graftedLast = new long[n];
        graftedHops = new int[n];
        graftPending = new boolean[n];
        freeList = new int[n];
    }

    /** Runs held. */
    int size()
    {
        return size;
    }

    /** The most runs held at once. */
    int capacity()
    {
        return capacity;
    }

    /** The run of {@code log} that holds {@code sequence}, or {@link #NONE}. */
    int find(final AuthorLog log, final long sequence)
    {
        final int head = log.missingHead;
        if (head == NONE || sequence < firsts[head] || sequence > lasts[log.missingTail])
        {
            return NONE;
        }
        for (int run = head; run != NONE && firsts[run] <= sequence; run = next[run])
        {
            if (sequence <= lasts[run])
            {
                return run;
            }
        }
        return NONE;
    }

    /**
     * Records that {@code peer} announced the sequences {@code first..last} of {@code log} at {@code hops}: runs
     * they overlap gain the announcer, and what no run covers yet becomes new runs (or extends one, see the class
     * comment), each new run with a first timeout at {@code deadline}. Sequences {@code log} has seen are left out.
     *
     * @param extendFor how long after its first announcement a run may still be extended.
     * @return how many sequences were ignored for want of room (0 unless more streams miss messages at once than
     * there are runs, or a timer queue is full).
     */
    long announce(final AuthorLog log, final long first, final long last, final NodeId peer, final int hops,
        final long now, final long deadline, final long extendFor)
    {
        long ignored = 0;
        long cursor = first;
        int before = NONE;
        int run = log.missingHead;
        while (run != NONE)
        {
            if (lasts[run] < cursor)
            {
                before = run;
                run = next[run];
                continue;
            }
            if (firsts[run] > last)
            {
                break;
            }
            if (firsts[run] > cursor)
            {
                ignored += addStretch(log, before, run, cursor, firsts[run] - 1, peer, hops, now, deadline, extendFor);
            }
            addAdvertiser(run, peer, hops, Math.max(firsts[run], cursor), Math.min(lasts[run], last));
            if (lasts[run] >= last)
            {
                return ignored;
            }
            cursor = lasts[run] + 1;
            before = run;
            run = next[run];
        }
        return ignored + addStretch(log, before, run, cursor, last, peer, hops, now, deadline, extendFor);
    }

    /**
     * Tracks the unseen sequences of {@code from..to}, which lies between runs {@code before} and {@code after} of
     * {@code log}: each stretch of them between seen sequences is a run of its own (so that they are grafted side
     * by side), unless it extends {@code before} or the table is full.
     */
    private long addStretch(final AuthorLog log, final int before, final int after, final long from, final long to,
        final NodeId peer, final int hops, final long now, final long deadline, final long extendFor)
    {
        long ignored = 0;
        int previousRun = before;
        long s = from;
        while (true)
        {
            while (s < to && log.seen(s))
            {
                s++;
            }
            if (log.seen(s))
            {
                return ignored;
            }
            final long e = log.unseenThrough(s, to);
            final int run = addUnseen(log, previousRun, after, s, e, peer, hops, now, deadline, extendFor);
            if (run == NONE)
            {
                ignored += e - s + 1;
            }
            else if (run == after)
            {
                return ignored; // widened down to s: it covers the rest of the stretch too
            }
            else
            {
                previousRun = run;
            }
            if (e >= to)
            {
                return ignored;
            }
            s = e + 1;
        }
    }

    /**
     * Tracks {@code s..e}, none of it seen, between runs {@code before} and {@code after}; returns the run that
     * covers it now ({@code before} extended or widened, {@code after} widened, or a new one), or {@link #NONE} if
     * it was ignored.
     */
    private int addUnseen(final AuthorLog log, final int before, final int after, final long s, final long e,
        final NodeId peer, final int hops, final long now, final long deadline, final long extendFor)
    {
        if (before != NONE && lasts[before] == s - 1 && graftedPeer[before] == null
            && advertiserCounts[before] > 0 && advertisers[before * MAX_ADVERTISERS].equals(peer)
            && now - announcedAt[before] < extendFor)
        {
            lasts[before] = e;
            addAdvertiser(before, peer, hops, s, e);
            return before;
        }
        if (size == capacity)
        {
            if (before != NONE)
            {
                lasts[before] = e;
                addAdvertiser(before, peer, hops, s, e);
                return before;
            }
            if (after != NONE)
            {
                firsts[after] = s;
                addAdvertiser(after, peer, hops, s, e);
                return after;
            }
            if (!mergeTwoRuns())
            {
                return NONE;
            }
        }
        final int run = allocate();
        logs[run] = log;
        firsts[run] = s;
        lasts[run] = e;
        advertiserCounts[run] = 0;
        nextAdvertiser[run] = 0;
        announcedAt[run] = now;
        progressAt[run] = now;
        otherProgressAt[run] = Long.MIN_VALUE;
        sampled[run] = false;
        graftedPeer[run] = null;
        graftPending[run] = false;
        addAdvertiser(run, peer, hops, s, e);
        link(log, before, run, after);
        size++;
        if (!firstTimeouts.add(deadline, run, newTimer(run)))
        {
            remove(run);
            return NONE;
        }
        return run;
    }

    /**
     * Makes room by merging two neighbouring runs of one stream, neither waiting for a Graft answer, into the
     * first; false if no stream has two such runs.
     */
    private boolean mergeTwoRuns()
    {
        for (int k = 0; k < used; k++)
        {
            final int run = (mergeCursor + k) % used;
            final int after = logs[run] == null ? NONE : next[run];
            if (after != NONE && !graftPending[run] && !graftPending[after])
            {
                mergeCursor = (run + 1) % used;
                lasts[run] = lasts[after];
                final int base = after * MAX_ADVERTISERS;
                for (int i = 0; i < advertiserCounts[after]; i++)
                {
                    addAdvertiser(run, advertisers[base + i], advertiserHops[base + i], announcedFirsts[base + i],
                        announcedLasts[base + i]);
                }
                remove(after);
                return true;
            }
        }
        return false;
    }

    private void link(final AuthorLog log, final int before, final int run, final int after)
    {
        previous[run] = before;
        next[run] = after;
        if (before == NONE)
        {
            log.missingHead = run;
        }
        else
        {
            next[before] = run;
        }
        if (after == NONE)
        {
            log.missingTail = run;
        }
        else
        {
            previous[after] = run;
        }
    }

    /** Records that {@code peer} announced {@code from..to} of the run (its stretch grows to cover them). */
    private void addAdvertiser(final int run, final NodeId peer, final int hops, final long from, final long to)
    {
        final int count = advertiserCounts[run];
        final int base = run * MAX_ADVERTISERS;
        for (int i = 0; i < count; i++)
        {
            if (advertisers[base + i].equals(peer))
            {
                announcedFirsts[base + i] = Math.min(announcedFirsts[base + i], from);
                announcedLasts[base + i] = Math.max(announcedLasts[base + i], to);
                return;
            }
        }
        if (count < MAX_ADVERTISERS)
        {
            advertisers[base + count] = peer;
            advertiserHops[base + count] = hops;
            announcedFirsts[base + count] = from;
            announcedLasts[base + count] = to;
            advertiserCounts[run] = count + 1;
        }
    }

    /**
     * {@code sequence} of the run arrived (its log already records it as seen), from the peer last grafted from or
     * not ({@code fromGrafted}): the run's ends move past what was seen. Returns true if nothing is left unseen in the
     * run: the caller forgets it.
     */
    boolean arrived(final int run, final long sequence, final boolean fromGrafted, final long now)
    {
        progressAt[run] = now;
        if (!fromGrafted)
        {
            otherProgressAt[run] = now;
        }
        final AuthorLog log = logs[run];
        if (sequence == firsts[run] || sequence == lasts[run])
        {
            return !trim(run, log);
        }
        return false;
    }

    /** Moves the run's ends past every sequence its log has seen; false if none is left unseen. */
    boolean trim(final int run)
    {
        return trim(run, logs[run]);
    }

    private boolean trim(final int run, final AuthorLog log)
    {
        long f = firsts[run];
        long l = lasts[run];
        while (f < l && log.seen(f))
        {
            f++;
        }
        while (l > f && log.seen(l))
        {
            l--;
        }
        firsts[run] = f;
        lasts[run] = l;
        return !log.seen(f);
    }

    AuthorLog log(final int run)
    {
        return logs[run];
    }

    NodeId author(final int run)
    {
        return logs[run].author;
    }

    int epoch(final int run)
    {
        return logs[run].epoch;
    }

    long first(final int run)
    {
        return firsts[run];
    }

    long last(final int run)
    {
        return lasts[run];
    }

    int generation(final int run)
    {
        return generations[run];
    }

    /** Starts a new timer for the run: the generation it must carry (every earlier timer of the run is stale). */
    int newTimer(final int run)
    {
        return ++generations[run];
    }

    int advertiserCount(final int run)
    {
        return advertiserCounts[run];
    }

    NodeId advertiser(final int run, final int i)
    {
        return advertisers[run * MAX_ADVERTISERS + i];
    }

    int advertiserHops(final int run, final int i)
    {
        return advertiserHops[run * MAX_ADVERTISERS + i];
    }

    /**
     * True if announcer {@code i} of the run announced {@code sequence}, as far as the run knows: the sequence lies
     * between the first and the last it announced of the run. A run gathers the announcements of several peers, and
     * grows by one peer's announcements; the others need not have its newer sequences.
     */
    boolean announced(final int run, final int i, final long sequence)
    {
        final int k = run * MAX_ADVERTISERS + i;
        return sequence >= announcedFirsts[k] && sequence <= announcedLasts[k];
    }

    /** Index of the next announcer to graft from, advancing it; -1 when all were tried. */
    int takeNextAdvertiser(final int run)
    {
        final int n = nextAdvertiser[run];
        if (n >= advertiserCounts[run])
        {
            return -1;
        }
        nextAdvertiser[run] = n + 1;
        return n;
    }

    /** Gives back the announcer {@link #takeNextAdvertiser} just returned: it is asked again next time. */
    void untakeAdvertiser(final int run)
    {
        if (nextAdvertiser[run] > 0)
        {
            nextAdvertiser[run]--;
        }
    }

    /** When the run's first announcement arrived. */
    long announcedAt(final int run)
    {
        return announcedAt[run];
    }

    /** When a sequence of the run last arrived (its first announcement, before any). */
    long progressAt(final int run)
    {
        return progressAt[run];
    }

    /**
     * When a sequence of the run last arrived from a peer other than the one last grafted from, or
     * {@code Long.MIN_VALUE} if none has.
     */
    long otherProgressAt(final int run)
    {
        return otherProgressAt[run];
    }

    /**
     * True once per run: the first time it is asked, for the first message of the run that arrived without a
     * Graft (its lead over the announcement is a sample of the path's lag).
     */
    boolean firstSample(final int run)
    {
        final boolean first = !sampled[run];
        sampled[run] = true;
        return first;
    }

    /** The peer last grafted from (null if none yet). */
    NodeId graftedPeer(final int run)
    {
        return graftedPeer[run];
    }

    long graftedAt(final int run)
    {
        return graftedAt[run];
    }

    /** First sequence the last Graft asked for. */
    long graftedFirst(final int run)
    {
        return graftedFirst[run];
    }

    /** Last sequence the last Graft asked for. */
    long graftedLast(final int run)
    {
        return graftedLast[run];
    }

    /** Hop count the last Graft carried. */
    int graftedHops(final int run)
    {
        return graftedHops[run];
    }

    /** Records a Graft for {@code first..last} of the run sent to {@code peer}; it counts as awaiting its answer. */
    void grafted(final int run, final NodeId peer, final long first, final long last, final int hops, final long now)
    {
        graftedPeer[run] = peer;
        graftedAt[run] = now;
        graftedFirst[run] = first;
        graftedLast[run] = last;
        graftedHops[run] = hops;
        graftPending[run] = true;
    }

    /**
     * Gives up the run's sequences up to {@code sequence} (asked of every announcer, and never received): the rest
     * of the run starts over, as if just announced by the same announcers, with no Graft sent. The caller checked
     * that the run goes beyond {@code sequence}.
     */
    void restartAfter(final int run, final long sequence)
    {
        firsts[run] = sequence + 1;
        nextAdvertiser[run] = 0;
        graftedPeer[run] = null;
        graftPending[run] = false;
    }

    /** True if the run's last Graft still counts as awaiting its answer. */
    boolean graftPending(final int run)
    {
        return graftPending[run];
    }

    /**
     * True once: if the run's last Graft still counted as awaiting its answer, it no longer does (answered,
     * superseded, given up). The grafted peer and range are kept, so that the answer is still recognised.
     */
    boolean settleGraft(final int run)
    {
        final boolean pending = graftPending[run];
        graftPending[run] = false;
        return pending;
    }

    /** Forgets the run: off its wait list, if on one; its pending timers become stale. */
    void remove(final int run)
    {
        waiting.remove(run);
        final AuthorLog log = logs[run];
        final int before = previous[run];
        final int after = next[run];
        if (before == NONE)
        {
            if (log.missingHead == run)
            {
                log.missingHead = after;
            }
        }
        else
        {
            next[before] = after;
        }
        if (after == NONE)
        {
            if (log.missingTail == run)
            {
                log.missingTail = before;
            }
        }
        else
        {
            previous[after] = before;
        }
        logs[run] = null;
        final int base = run * MAX_ADVERTISERS;
        for (int i = 0; i < MAX_ADVERTISERS; i++)
        {
            advertisers[base + i] = null;
        }
        graftedPeer[run] = null;
        graftPending[run] = false;
        generations[run]++;
        size--;
        freeList[freeCount++] = run; // never full: it grows with the slab (see allocate)
    }

    /** True if the run is held (not removed). */
    boolean isLive(final int run)
    {
        return logs[run] != null;
    }

    void clear()
    {
        for (int run = 0; run < used; run++)
        {
            if (logs[run] != null)
            {
                remove(run);
            }
        }
        firstTimeouts.clear();
        retries.clear();
        waiting.clear();
    }

    /**
     * Checks the table's invariants (for tests: a scan of every run and timer): every run of a stream's list is
     * live, belongs to that stream, and lies above its predecessor without overlap; the log's first and last run
     * match its list; the run count matches; every run has one to {@link #MAX_ADVERTISERS} announcers and either
     * a live timer or a place on a wait list.
     *
     * @throws IllegalStateException naming the first invariant broken.
     */
    void checkInvariants()
    {
        int live = 0;
        for (int run = 0; run < used; run++)
        {
            final AuthorLog log = logs[run];
            if (log == null)
            {
                continue;
            }
            live++;
            if (firsts[run] > lasts[run])
            {
                throw new IllegalStateException("run " + run + " is empty: " + firsts[run] + ".." + lasts[run]);
            }
            if (advertiserCounts[run] < 1 || advertiserCounts[run] > MAX_ADVERTISERS)
            {
                throw new IllegalStateException("run " + run + " has " + advertiserCounts[run] + " announcers");
            }
            if (!waiting.contains(run) && !firstTimeouts.contains(run, generations[run])
                && !retries.contains(run, generations[run]))
            {
                throw new IllegalStateException("run " + run + " has neither a timer nor a place on a wait list");
            }
            final int before = previous[run];
            if (before == NONE ? log.missingHead != run : logs[before] != log || next[before] != run
                || lasts[before] >= firsts[run])
            {
                throw new IllegalStateException("run " + run + " is out of its stream's list");
            }
            if (next[run] == NONE ? log.missingTail != run : previous[next[run]] != run)
            {
                throw new IllegalStateException("run " + run + " is the last of its list, but not its log's tail");
            }
        }
        if (live != size || size > capacity)
        {
            throw new IllegalStateException(live + " live runs, " + size + " counted, capacity " + capacity);
        }
    }

    private int allocate()
    {
        if (freeCount > 0)
        {
            return freeList[--freeCount];
        }
        if (used == logs.length)
        {
            final int n = Growth.next(logs.length, Math.max(16, capacity));
            logs = java.util.Arrays.copyOf(logs, n);
            firsts = java.util.Arrays.copyOf(firsts, n);
            lasts = java.util.Arrays.copyOf(lasts, n);
            previous = java.util.Arrays.copyOf(previous, n);
            next = java.util.Arrays.copyOf(next, n);
            generations = java.util.Arrays.copyOf(generations, n);
            advertisers = java.util.Arrays.copyOf(advertisers, n * MAX_ADVERTISERS);
            advertiserHops = java.util.Arrays.copyOf(advertiserHops, n * MAX_ADVERTISERS);
            announcedFirsts = java.util.Arrays.copyOf(announcedFirsts, n * MAX_ADVERTISERS);
            announcedLasts = java.util.Arrays.copyOf(announcedLasts, n * MAX_ADVERTISERS);
            advertiserCounts = java.util.Arrays.copyOf(advertiserCounts, n);
            nextAdvertiser = java.util.Arrays.copyOf(nextAdvertiser, n);
            announcedAt = java.util.Arrays.copyOf(announcedAt, n);
            progressAt = java.util.Arrays.copyOf(progressAt, n);
            otherProgressAt = java.util.Arrays.copyOf(otherProgressAt, n);
            sampled = java.util.Arrays.copyOf(sampled, n);
            graftedPeer = java.util.Arrays.copyOf(graftedPeer, n);
            graftedAt = java.util.Arrays.copyOf(graftedAt, n);
            graftedFirst = java.util.Arrays.copyOf(graftedFirst, n);
            graftedLast = java.util.Arrays.copyOf(graftedLast, n);
            graftedHops = java.util.Arrays.copyOf(graftedHops, n);
            graftPending = java.util.Arrays.copyOf(graftPending, n);
            // As long as the slab, so that freeing never grows it.
            freeList = java.util.Arrays.copyOf(freeList, n);
        }
        return used++;
    }
}
