package dev.hearsay.proto;

import dev.hearsay.NodeId;

import java.util.SplittableRandom;

/**
 * Owned by the thread that drives the protocol (the dispatcher): contacts one topic dropped as failed, kept for a
 * while to be probed.
 *
 * <p>Why keep them: a peer reported down, a request that timed out or a dial that failed looks the same whether the
 * peer crashed or sits across a network partition (or is frozen for a while). HyParView forgets such a contact at
 * once, which is right for a crash; but after a partition each side has forgotten the other, every node refills its
 * active view from its own side, and full views never ask anyone new: the two sides never meet again. A contact
 * remembered here and probed now and then is how a healed partition is noticed.
 *
 * <p>Crash or partition: a probe across a partition goes unanswered (its packets vanish, the dial times out), while
 * a peer that is gone from a host that still answers refuses it at once (a reset, a refused dial, or no address to
 * dial). A contact that refuses {@link #REFUSALS_TO_FORGET} probes in a row is forgotten; an unanswered probe in
 * between starts the count again. One refusal is not enough: a probe queued behind an earlier dial to the same peer
 * fails when that dial times out, which can look like a refusal.
 *
 * <p>Bounds: at most {@code capacity} contacts; when full, the oldest failure is forgotten to make room (the newest
 * failures are the likeliest to belong to a partition still in progress, and the oldest has been probed the most).
 * A contact is forgotten {@code retention} after it failed, whatever happened since, so a peer that stays silent
 * costs a bounded number of probes. The wait before a contact is probed again doubles after each probe, from the probe
 * interval up to {@link #MAX_WAIT_INTERVALS} intervals (jittered by half either way), so that an overlay with many
 * failed contacts probes often at first and rarely later; a large overlay still notices a heal within about an
 * interval, because its many nodes' probes are spread over the wait.
 */
final class FailedContacts
{
    /** The longest wait between two probes of one contact, in probe intervals. */
    static final int MAX_WAIT_INTERVALS = 32;
    /** Probes in a row a contact refuses before it is taken for gone and forgotten. */
    static final int REFUSALS_TO_FORGET = 2;
    /** {@link #remove} of a contact that is not kept. */
    static final long NOT_KEPT = Long.MIN_VALUE;

    private final NodeId[] peers;
    /** When each contact failed (the first time since it was added): entries are in this order. */
    private final long[] failedAt;
    /** When each contact is due for its next probe. */
    private final long[] dueAt;
    /** The wait after each contact's next probe, before jitter. */
    private final long[] waits;
    /** Probes each contact refused in a row. */
    private final int[] refusals;
    private final long retentionNanos;
    private final long intervalNanos;
    private final SplittableRandom random;
    private int size;

    /**
     * @param capacity       contacts kept at most (0: none, the mechanism is off).
     * @param retentionNanos how long after its failure a contact is forgotten.
     * @param intervalNanos  the first wait before a probe, doubled after each probe.
     * @param random         the topic's random source (jitter).
     */
    FailedContacts(final int capacity, final long retentionNanos, final long intervalNanos,
        final SplittableRandom random)
    {
        this.peers = new NodeId[capacity];
        this.failedAt = new long[capacity];
        this.dueAt = new long[capacity];
        this.waits = new long[capacity];
        this.refusals = new int[capacity];
        this.retentionNanos = retentionNanos;
        this.intervalNanos = intervalNanos;
        this.random = random;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    boolean contains(final NodeId peer)
    {
        return indexOf(peer) >= 0;
    }

    /**
     * Remembers that {@code peer} failed at {@code now}, first probe about one interval later. A contact already
     * here keeps its first failure time (its retention is not renewed by failing again) and its probe schedule.
     * Returns false when nothing was added (already here, or capacity 0).
     */
    boolean add(final NodeId peer, final long now)
    {
        if (peers.length == 0 || contains(peer))
        {
            return false;
        }
        if (size == peers.length)
        {
            removeAt(0);
        }
        peers[size] = peer;
        failedAt[size] = now;
        dueAt[size] = now + jittered(intervalNanos);
        waits[size] = Math.min(intervalNanos * 2, maxWait());
        refusals[size] = 0;
        size++;
        return true;
    }

    /**
     * Forgets {@code peer} (it is a neighbor again, or left for good). Returns when it failed, or {@link #NOT_KEPT}
     * if it was not here.
     */
    long remove(final NodeId peer)
    {
        final int i = indexOf(peer);
        if (i < 0)
        {
            return NOT_KEPT;
        }
        final long failed = failedAt[i];
        removeAt(i);
        return failed;
    }

    /**
     * A probe to {@code peer} was refused (the peer was reported down before the probe's timeout). Returns true if
     * that made {@link #REFUSALS_TO_FORGET} in a row and the contact was forgotten.
     */
    boolean refused(final NodeId peer)
    {
        final int i = indexOf(peer);
        if (i < 0)
        {
            return false;
        }
        if (++refusals[i] < REFUSALS_TO_FORGET)
        {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** A probe to {@code peer} went unanswered until its timeout: silence, as across a partition. */
    void unanswered(final NodeId peer)
    {
        final int i = indexOf(peer);
        if (i >= 0)
        {
            refusals[i] = 0;
        }
    }

    void clear()
    {
        for (int i = 0; i < size; i++)
        {
            peers[i] = null;
        }
        size = 0;
    }

    /**
     * Forgets the contacts past their retention, then takes the contact due first if it is due at {@code now}:
     * its next probe is scheduled (the wait doubles) and it is returned. Null when none is due.
     */
    NodeId takeDue(final long now)
    {
        expire(now);
        int first = -1;
        for (int i = 0; i < size; i++)
        {
            if (dueAt[i] <= now && (first < 0 || dueAt[i] < dueAt[first]))
            {
                first = i;
            }
        }
        if (first < 0)
        {
            return null;
        }
        dueAt[first] = now + jittered(waits[first]);
        waits[first] = Math.min(waits[first] * 2, maxWait());
        return peers[first];
    }

    /**
     * The earliest time there is work: a contact due for a probe, or the oldest to forget; {@link Long#MAX_VALUE}
     * if none is kept.
     */
    long nextDue()
    {
        if (size == 0)
        {
            return Long.MAX_VALUE;
        }
        long next = failedAt[0] + retentionNanos;
        for (int i = 0; i < size; i++)
        {
            next = Math.min(next, dueAt[i]);
        }
        return next;
    }

    /** Forgets the contacts that failed {@code retention} or longer before {@code now}. */
    void expire(final long now)
    {
        int expired = 0;
        while (expired < size && now - failedAt[expired] >= retentionNanos)
        {
            expired++;
        }
        if (expired > 0)
        {
            final int left = size - expired;
            System.arraycopy(peers, expired, peers, 0, left);
            System.arraycopy(failedAt, expired, failedAt, 0, left);
            System.arraycopy(dueAt, expired, dueAt, 0, left);
            System.arraycopy(waits, expired, waits, 0, left);
            System.arraycopy(refusals, expired, refusals, 0, left);
            for (int i = left; i < size; i++)
            {
                peers[i] = null;
            }
            size = left;
        }
    }

    private long maxWait()
    {
        return intervalNanos * MAX_WAIT_INTERVALS;
    }

    /** {@code wait} scaled by a random factor in [0.5, 1.5): nodes cut at the same instant do not probe in step. */
    private long jittered(final long wait)
    {
        return Math.max(1, (long)(wait * (0.5 + random.nextDouble())));
    }

    private int indexOf(final NodeId peer)
    {
        for (int i = 0; i < size; i++)
        {
            if (peers[i].equals(peer))
            {
                return i;
            }
        }
        return -1;
    }

    private void removeAt(final int i)
    {
        final int tail = size - i - 1;
        System.arraycopy(peers, i + 1, peers, i, tail);
        System.arraycopy(failedAt, i + 1, failedAt, i, tail);
        System.arraycopy(dueAt, i + 1, dueAt, i, tail);
        System.arraycopy(waits, i + 1, waits, i, tail);
        System.arraycopy(refusals, i + 1, refusals, i, tail);
        peers[--size] = null;
    }
}
