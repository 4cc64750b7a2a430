package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.SubscriptionOptions;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Per-author FIFO delivery for one subscription ({@link SubscriptionOptions#perAuthorFifo()}), on the dispatcher thread.
 * Each author has a stream position (epoch, next sequence); a message that arrives ahead of its position waits in a
 * bounded pool of preallocated entries until the messages before it arrive.
 * <p>
 * Policies: no message waits longer than {@code gapTimeout} for earlier ones: then the hole in front of the author's
 * lowest waiting message is reported as a gap and skipped. A message behind the position (already delivered, or
 * skipped as part of a gap, or of one of the author's earlier epochs) is dropped as late. When every entry is in use, the oldest open
 * gap is given up at once (overflow) to make room. When {@code maxAuthors} authors are tracked, the one idle longest
 * is forgotten. In-order messages pass straight through: a map lookup and no allocation.
 */
final class FifoOrderer
{
    /** Where ordered events go: the dispatcher counts them and offers them to the subscription's buffer. */
    interface Output
    {
        /** A message in its author's order. */
        void inOrder(EngineSubscription subscription, NodeId author, NodeId from, int hops, DirectBuffer payload,
            int offset, int length);

        /** Messages {@code fromSequence}..{@code toSequence} of {@code author} are skipped. */
        void gap(EngineSubscription subscription, NodeId author, int epoch, long fromSequence, long toSequence,
            boolean overflow);

        /** A message arrived behind its author's position and was dropped. */
        void late(EngineSubscription subscription);
    }

    /** Earlier epochs of an author remembered per stream, so that their late messages are not taken for a restart. */
    static final int RETIRED_EPOCHS = 4;

    /** One author's position and its waiting messages (entry indices in sequence order). */
    private static final class Stream
    {
        final NodeId author;
        int epoch;
        /** The author's earlier epochs seen here, most recent first (0: none); epochs are random, never 0. */
        final int[] retired = new int[RETIRED_EPOCHS];
        long next = 1;
        int[] pending = new int[4];
        int pendingCount;
        long deadline = Long.MAX_VALUE;
        long lastActive;
        int waitingIndex = -1;

        Stream(final NodeId author, final int epoch)
        {
            this.author = author;
            this.epoch = epoch;
        }
    }

    private static final int INITIAL_PAYLOAD = 64;

    private final EngineSubscription subscription;
    private final Output output;
    private final long gapTimeoutNanos;
    private final int maxAuthors;
    private final int maxPayload;
    private final Object2ObjectHashMap<NodeId, Stream> streams = new Object2ObjectHashMap<>();
    /** Streams with waiting messages. */
    private final ArrayList<Stream> waiting = new ArrayList<>();

    private final long[] sequences;
    private final long[] arrivals;
    private final NodeId[] froms;
    private final int[] hops;
    private final UnsafeBuffer[] payloads;
    private final int[] lengths;
    private final int[] free;
    private int freeCount;
    /** No stream's deadline is earlier; may be earlier than the true minimum (then a timer run recomputes it). */
    private long nextDeadline = Long.MAX_VALUE;

    FifoOrderer(final EngineSubscription subscription, final SubscriptionOptions options, final Output output,
        final int maxPayload)
    {
        this.subscription = subscription;
        this.output = output;
        this.gapTimeoutNanos = options.gapTimeout().toNanos();
        this.maxAuthors = options.maxAuthors();
        this.maxPayload = maxPayload;
        final int capacity = options.reorderCapacity();
        sequences = new long[capacity];
        arrivals = new long[capacity];
        froms = new NodeId[capacity];
        hops = new int[capacity];
        payloads = new UnsafeBuffer[capacity];
        lengths = new int[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            // Sized on first use: a subscription that never reorders costs no payload memory.
            payloads[i] = new UnsafeBuffer(new byte[0]);
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** Earliest time {@link #onTimer} has work (possibly earlier), or {@link Long#MAX_VALUE}. */
    long nextDeadline()
    {
        return nextDeadline;
    }

    /** Messages waiting for earlier ones right now. */
    int waitingMessages()
    {
        return sequences.length - freeCount;
    }

    /** Authors tracked right now. */
    int authors()
    {
        return streams.size();
    }

    /** A Swarm-scope message from the protocol, in arrival order. */
    void onMessage(final NodeId author, final int epoch, final long sequence, final NodeId from, final int hopCount,
        final DirectBuffer payload, final int offset, final int length, final long now)
    {
        Stream s = streams.get(author);
        if (s == null)
        {
            s = newStream(author, epoch, now);
        }
        s.lastActive = now;
        if (epoch != s.epoch)
        {
            if (retired(s, epoch))
            {
                output.late(subscription);
                return;
            }
            // The author restarted (epochs are random, not ordered: an epoch not seen before is the new life). What
            // is still waiting from the old epoch goes first, holes reported.
            while (s.pendingCount > 0)
            {
                giveUp(s, now, false);
            }
            System.arraycopy(s.retired, 0, s.retired, 1, RETIRED_EPOCHS - 1);
            s.retired[0] = s.epoch;
            s.epoch = epoch;
            s.next = 1;
        }
        while (true)
        {
            if (sequence < s.next)
            {
                output.late(subscription);
                return;
            }
            if (sequence == s.next)
            {
                output.inOrder(subscription, author, from, hopCount, payload, offset, length);
                s.next++;
                drain(s, now);
                return;
            }
            if (find(s, sequence) >= 0)
            {
                return; // already waiting (the protocol deduplicates; this is only defensive)
            }
            if (freeCount == 0)
            {
                // Overflow: the oldest open gap is given up, which frees at least one entry. That may move this
                // author's position too, so decide again.
                giveUp(oldestWaiting(), now, true);
                continue;
            }
            hold(s, sequence, from, hopCount, payload, offset, length, now);
            return;
        }
    }

    /** Reports and skips every hole whose waiting message has waited its gap timeout. */
    void onTimer(final long now)
    {
        if (now < nextDeadline)
        {
            return;
        }
        long next = Long.MAX_VALUE;
        for (int i = waiting.size() - 1; i >= 0; i--)
        {
            final Stream s = waiting.get(i);
            while (s.pendingCount > 0 && s.deadline <= now)
            {
                giveUp(s, now, false);
            }
            if (s.pendingCount > 0)
            {
                next = Math.min(next, s.deadline);
            }
        }
        nextDeadline = next;
    }

    private static boolean retired(final Stream s, final int epoch)
    {
        for (final int e : s.retired)
        {
            if (e == epoch)
            {
                return true;
            }
        }
        return false;
    }

    private Stream newStream(final NodeId author, final int epoch, final long now)
    {
        if (streams.size() >= maxAuthors)
        {
            forgetIdlest(now);
        }
        final Stream s = new Stream(author, epoch);
        streams.put(author, s);
        return s;
    }

    /** Forgets the author idle longest (one with nothing waiting if there is one). */
    private void forgetIdlest(final long now)
    {
        Stream idlest = null;
        for (final Stream s : streams.values())
        {
            if (s.pendingCount == 0 && (idlest == null || s.lastActive - idlest.lastActive < 0))
            {
                idlest = s;
            }
        }
        if (idlest == null)
        {
            idlest = oldestWaiting();
            while (idlest.pendingCount > 0)
            {
                giveUp(idlest, now, true);
            }
        }
        streams.remove(idlest.author);
    }

    private void hold(final Stream s, final long sequence, final NodeId from, final int hopCount,
        final DirectBuffer payload, final int offset, final int length, final long now)
    {
        final int e = free[--freeCount];
        sequences[e] = sequence;
        arrivals[e] = now;
        froms[e] = from;
        hops[e] = hopCount;
        UnsafeBuffer buffer = payloads[e];
        if (buffer.capacity() < length)
        {
            buffer.wrap(new byte[Math.min(Math.max(maxPayload, length),
                Math.max(INITIAL_PAYLOAD, BitUtil.findNextPositivePowerOfTwo(length)))]);
        }
        buffer.putBytes(0, payload, offset, length);
        lengths[e] = length;

        if (s.pendingCount == s.pending.length)
        {
            s.pending = Arrays.copyOf(s.pending, s.pending.length * 2);
        }
        int at = s.pendingCount;
        while (at > 0 && sequences[s.pending[at - 1]] > sequence)
        {
            s.pending[at] = s.pending[at - 1];
            at--;
        }
        s.pending[at] = e;
        s.pendingCount++;
        if (s.waitingIndex < 0)
        {
            s.waitingIndex = waiting.size();
            waiting.add(s);
            s.deadline = now + gapTimeoutNanos;
        }
        nextDeadline = Math.min(nextDeadline, s.deadline);
    }

    /** Delivers the author's waiting messages that are now in order, then sets its deadline or stops waiting. */
    private void drain(final Stream s, final long now)
    {
        if (s.pendingCount == 0)
        {
            return;
        }
        int taken = 0;
        while (taken < s.pendingCount && sequences[s.pending[taken]] == s.next)
        {
            final int e = s.pending[taken++];
            output.inOrder(subscription, s.author, froms[e], hops[e], payloads[e], 0, lengths[e]);
            froms[e] = null;
            free[freeCount++] = e;
            s.next++;
        }
        if (taken > 0)
        {
            System.arraycopy(s.pending, taken, s.pending, 0, s.pendingCount - taken);
            s.pendingCount -= taken;
        }
        if (s.pendingCount == 0)
        {
            stopWaiting(s);
            return;
        }
        // No message waits longer than the gap timeout: the deadline follows the earliest arrival still waiting.
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < s.pendingCount; i++)
        {
            earliest = Math.min(earliest, arrivals[s.pending[i]]);
        }
        s.deadline = earliest + gapTimeoutNanos;
        nextDeadline = Math.min(nextDeadline, s.deadline);
    }

    /** Reports the hole before the author's lowest waiting message, skips it, and delivers what follows in order. */
    private void giveUp(final Stream s, final long now, final boolean overflow)
    {
        final long first = sequences[s.pending[0]];
        output.gap(subscription, s.author, s.epoch, s.next, first - 1, overflow);
        s.next = first;
        drain(s, now);
    }

    private Stream oldestWaiting()
    {
        Stream oldest = waiting.get(0);
        for (int i = 1, n = waiting.size(); i < n; i++)
        {
            final Stream s = waiting.get(i);
            if (s.deadline < oldest.deadline)
            {
                oldest = s;
            }
        }
        return oldest;
    }

    private void stopWaiting(final Stream s)
    {
        final int i = s.waitingIndex;
        final int last = waiting.size() - 1;
        final Stream moved = waiting.get(last);
        waiting.set(i, moved);
        moved.waitingIndex = i;
        waiting.remove(last);
        s.waitingIndex = -1;
        s.deadline = Long.MAX_VALUE;
    }

    private int find(final Stream s, final long sequence)
    {
        for (int i = 0; i < s.pendingCount; i++)
        {
            if (sequences[s.pending[i]] == sequence)
            {
                return i;
            }
        }
        return -1;
    }
}
