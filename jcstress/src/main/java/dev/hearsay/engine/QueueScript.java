package dev.hearsay.engine;

import dev.hearsay.GossipEvent;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * One run of a {@link SubscriberQueue} test: the dispatcher's side offers a fixed script of events, the reader's
 * side records what it takes, and {@link #verdict()} compares the two. Not thread-safe by itself: the producer
 * fields belong to the producer actor, the reader fields to the reader actor and then to the arbiter, which jcstress
 * runs after both.
 * <p>
 * The script mixes every kind of entry, so that each field of a slot must arrive whole: a message whose payload
 * fits the slot's first buffer, a neighbor event (which clears the message fields of its slot), a message large
 * enough to make a reused slot grow a new buffer, a FIFO gap report (which reuses the message fields for other
 * values), and two more messages. Every payload byte depends on the event and its index, so a buffer that shows
 * another event's bytes, or bytes not yet written, is caught.
 */
final class QueueScript
{
    static final TopicId TOPIC = TopicId.of("hearsay-jcstress");
    /** Events in the longest script. */
    static final int EVENTS = 6;
    /**
     * Messages given up in the lost report of {@link #withLostReport}: many, so that adding them to a gap one at a
     * time, rather than in one step, would leave a reader the time to take the gap in between.
     */
    static final int LOST = 100;

    /** Reader codes beyond the event numbers: a Lagged the producer wrote as an entry, or one the reader took. */
    private static final int LAGGED_ENTRY = 1_000_000;
    private static final int LAGGED_TAKEN = 2_000_000;
    /** Reader code: an event whose fields do not all belong to one scripted event. */
    private static final int DAMAGED = -1;
    /** Reader code: a poll call whose callbacks and position disagree (see {@link #pollOnce}). */
    private static final int MISCOUNTED = -2;

    private static final int[] KINDS = {0, SubscriberQueue.MESSAGE, SubscriberQueue.NEIGHBOR_UP,
        SubscriberQueue.MESSAGE, SubscriberQueue.GAP, SubscriberQueue.MESSAGE, SubscriberQueue.MESSAGE};
    private static final int[] LENGTHS = {0, 8, 0, 200, 0, 100, 16};
    private static final NodeId[] AUTHORS = new NodeId[EVENTS + 1];
    private static final NodeId[] SENDERS = new NodeId[EVENTS + 1];
    private static final UnsafeBuffer[] PAYLOADS = new UnsafeBuffer[EVENTS + 1];

    static
    {
        for (int k = 1; k <= EVENTS; k++)
        {
            AUTHORS[k] = node(k);
            SENDERS[k] = node(100 + k);
            final byte[] bytes = new byte[LENGTHS[k]];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = payloadByte(k, i);
            }
            PAYLOADS[k] = new UnsafeBuffer(bytes);
        }
    }

    private final SubscriberQueue queue;
    private final int events;
    /** The script event replaced by a report of {@link #LOST} given-up messages ({@code offerLost}), or 0. */
    private final int lostAt;

    // Producer's.
    private final boolean[] accepted = new boolean[EVENTS + 1];

    // Reader's, then the arbiter's.
    private final int[] seen = new int[4 * EVENTS];
    private int seenCount;
    /** How many entries of {@link #seen} the concurrent reader recorded; the arbiter's drain follows. */
    private int boundary = -1;
    private final Recorder recorder = new Recorder();

    /**
     * @param capacity entries of the queue (a power of two).
     * @param events   how many of the scripted events the producer offers, 1 to {@link #EVENTS}.
     */
    QueueScript(final int capacity, final int events)
    {
        this(capacity, events, 0);
    }

    private QueueScript(final int capacity, final int events, final int lostAt)
    {
        AgronaAccess.require();
        this.queue = new SubscriberQueue(capacity, 1024);
        this.events = events;
        this.lostAt = lostAt;
    }

    /**
     * The whole script with its third event replaced by a report of {@link #LOST} messages the node gave up, which
     * the reader must learn of as Lagged counts, whether the report fits (its own Lagged entry) or not (added to the
     * open gap).
     */
    static QueueScript withLostReport(final int capacity)
    {
        return new QueueScript(capacity, EVENTS, 3);
    }

    // ---------------------------------------------------------------- producer

    /** Offers the script's first message to {@code queue}, as the dispatcher delivers one; false if dropped. */
    static boolean offerMessage(final SubscriberQueue queue)
    {
        return queue.offerMessage(AUTHORS[1], SENDERS[1], 1, true, PAYLOADS[1], 0, LENGTHS[1]);
    }

    /** Offers every scripted event once, in order, as the dispatcher does, remembering which were taken. */
    void offerAll()
    {
        for (int k = 1; k <= events; k++)
        {
            accepted[k] = offer(k);
        }
    }

    private boolean offer(final int k)
    {
        if (k == lostAt)
        {
            return queue.offerLost(LOST);
        }
        switch (KINDS[k])
        {
            case SubscriberQueue.MESSAGE:
                return queue.offerMessage(AUTHORS[k], SENDERS[k], k, k == 1, PAYLOADS[k], 0, LENGTHS[k]);
            case SubscriberQueue.NEIGHBOR_UP:
                return queue.offerNeighbor(SubscriberQueue.NEIGHBOR_UP, AUTHORS[k]);
            default:
                return queue.offerGap(AUTHORS[k], k, 10L * k, 10L * k + k);
        }
    }

    // ---------------------------------------------------------------- reader

    /** Takes one event as {@code Subscription.next} does; false if there was none. */
    private boolean nextOnce()
    {
        final long before = queue.readPosition();
        final GossipEvent event = queue.pollEvent();
        if (event == null)
        {
            return false;
        }
        if (event instanceof GossipEvent.Lagged lagged)
        {
            // An entry moves the read position; a gap the reader took where it stood does not.
            final int base = queue.readPosition() == before ? LAGGED_TAKEN : LAGGED_ENTRY;
            record(base + (int)Math.min(lagged.missed(), LAGGED_ENTRY - 1));
        }
        else
        {
            record(identify(event));
        }
        return true;
    }

    /** Takes up to {@code limit} events as {@code Subscription.poll} does; returns how many. */
    private int pollOnce(final int limit)
    {
        final long before = queue.readPosition();
        final int first = seenCount;
        final int count = queue.poll(TOPIC, recorder, limit);
        final int calls = seenCount - first;
        final long entries = queue.readPosition() - before;
        if (calls != count || (calls != entries && calls != entries + 1))
        {
            record(MISCOUNTED);
        }
        else if (calls == entries + 1 && seenCount <= seen.length)
        {
            // poll reports a gap it takes after the entries it read: the last callback was that Lagged.
            final int last = seen[seenCount - 1];
            seen[seenCount - 1] = last >= LAGGED_ENTRY && last < LAGGED_TAKEN ? last - LAGGED_ENTRY + LAGGED_TAKEN :
                MISCOUNTED;
        }
        return count;
    }

    /** The reader actor of a {@code next} test: {@code calls} calls of {@link #nextOnce}, then done. */
    void readByNext(final int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            nextOnce();
        }
        endOfConcurrentReads();
    }

    /** The reader actor of a {@code poll} test: one {@link #pollOnce} per limit, in order, then done. */
    void readByPoll(final int[] limits)
    {
        for (final int limit : limits)
        {
            pollOnce(limit);
        }
        endOfConcurrentReads();
    }

    /** Arbiter of a {@code next} test: takes what the reader left with {@link #nextOnce}; the verdict. */
    String verdictAfterNext()
    {
        drainByNext();
        return verdict();
    }

    /** Arbiter of a {@code poll} test: takes what the reader left with {@link #pollOnce}; the verdict. */
    String verdictAfterPoll()
    {
        drainByPoll();
        return verdict();
    }

    /** The concurrent reader is done: from here on the arbiter reads. */
    private void endOfConcurrentReads()
    {
        boundary = seenCount;
    }

    /** Arbiter: takes whatever is left with {@link #nextOnce}. */
    private void drainByNext()
    {
        int spins = 0;
        while (nextOnce() && ++spins < seen.length)
        {
            // Bounded: a queue that never empties shows up as a trace that is too long.
        }
    }

    /** Arbiter: takes whatever is left with {@link #pollOnce}. */
    private void drainByPoll()
    {
        int spins = 0;
        while (pollOnce(EVENTS) > 0 && ++spins < seen.length)
        {
            // Bounded, as in drainByNext.
        }
    }

    private void record(final int code)
    {
        if (seenCount < seen.length)
        {
            seen[seenCount] = code;
        }
        seenCount++;
    }

    // ---------------------------------------------------------------- verdict

    /**
     * Arbiter: "OK " or "BAD (why) " followed by the trace: the events read, by number, with {@code Ln} for a
     * Lagged(n) entry the producer wrote, {@code Tn} for a Lagged(n) the reader took at its position, and
     * {@code |} where the concurrent reader stopped and the arbiter's drain began.
     * <p>
     * OK means: every event read is whole and in script order; the events between two events read (or after the
     * last) are exactly the refused offers and the lost reports there, and the Lagged read between them add up to
     * their count (one per refused event, {@link #LOST} per lost report), right where they were; they are one
     * Lagged, or one more per lost report that fitted (its own entry) and per run of drops after it; and the
     * producer's drop counter agrees.
     */
    private String verdict()
    {
        final String problem = check();
        return (problem == null ? "OK " : "BAD (" + problem + ") ") + trace();
    }

    private String check()
    {
        if (seenCount > seen.length)
        {
            return "too many events";
        }
        long droppedByProducer = 0;
        for (int k = 1; k <= events; k++)
        {
            droppedByProducer += accepted[k] ? 0 : weight(k);
        }
        if (droppedByProducer != queue.dropped())
        {
            return "drop counter " + queue.dropped() + ", refused " + droppedByProducer;
        }
        int next = 1;
        long lagged = 0;
        int laggedRun = 0;
        for (int i = 0; i < seenCount; i++)
        {
            final int code = seen[i];
            if (code == DAMAGED || code == MISCOUNTED)
            {
                return code == DAMAGED ? "damaged event" : "poll count";
            }
            if (code >= LAGGED_ENTRY)
            {
                if (code % LAGGED_ENTRY == 0)
                {
                    return "Lagged(0)";
                }
                lagged += code % LAGGED_ENTRY;
                laggedRun++;
                continue;
            }
            if (code < next || code > events || code == lostAt || !accepted[code])
            {
                return "event " + code + " where " + next + " or later was due";
            }
            final String skipped = skipped(next, code, lagged, laggedRun);
            if (skipped != null)
            {
                return skipped;
            }
            next = code + 1;
            lagged = 0;
            laggedRun = 0;
        }
        return skipped(next, events + 1, lagged, laggedRun);
    }

    /**
     * Null if events {@code from} up to (not including) {@code to}, which the reader did not read, were all refused
     * or lost reports, and the {@code run} Lagged read in their place count exactly them.
     */
    private String skipped(final int from, final int to, final long lagged, final int run)
    {
        long missing = 0;
        int lostEntries = 0;
        for (int k = from; k < to; k++)
        {
            if (accepted[k] && k != lostAt)
            {
                return "event " + k + " accepted but not read";
            }
            missing += weight(k);
            lostEntries += accepted[k] ? 1 : 0;
        }
        if (lagged != missing)
        {
            return "Lagged count " + lagged + " for " + missing + " missing";
        }
        if (run > 1 + 2 * lostEntries)
        {
            return "two Lagged in a row";
        }
        return null;
    }

    private long weight(final int k)
    {
        return k == lostAt ? LOST : 1;
    }

    private String trace()
    {
        final StringBuilder b = new StringBuilder();
        final int n = Math.min(seenCount, seen.length);
        for (int i = 0; i <= n; i++)
        {
            if (i == boundary)
            {
                b.append(b.length() == 0 ? "|" : " |");
            }
            if (i == n)
            {
                break;
            }
            final int code = seen[i];
            b.append(b.length() == 0 ? "" : " ");
            if (code >= LAGGED_TAKEN)
            {
                b.append('T').append(code - LAGGED_TAKEN);
            }
            else if (code >= LAGGED_ENTRY)
            {
                b.append('L').append(code - LAGGED_ENTRY);
            }
            else
            {
                b.append(code == DAMAGED ? "?" : code == MISCOUNTED ? "#" : Integer.toString(code));
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- identifying what was read

    private static int identify(final GossipEvent event)
    {
        if (event instanceof GossipEvent.Received m)
        {
            final int k = m.hops();
            return isMessage(k) && m.neighborsOnly() == (k == 1) && m.content().length == LENGTHS[k]
                && contentMatches(k, new UnsafeBuffer(m.content()), 0, m.content().length)
                && AUTHORS[k].equals(m.author()) && SENDERS[k].equals(m.deliveredFrom()) ? k : DAMAGED;
        }
        if (event instanceof GossipEvent.NeighborUp up)
        {
            return neighborUp(up.peer());
        }
        if (event instanceof GossipEvent.Gap gap)
        {
            return gap(gap.author(), gap.epoch(), gap.fromSequence(), gap.toSequence());
        }
        return DAMAGED;
    }

    private static boolean isMessage(final int k)
    {
        return k >= 1 && k <= EVENTS && KINDS[k] == SubscriberQueue.MESSAGE;
    }

    private static boolean contentMatches(final int k, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != payloadByte(k, i))
            {
                return false;
            }
        }
        return true;
    }

    private static int neighborUp(final NodeId peer)
    {
        for (int k = 1; k <= EVENTS; k++)
        {
            if (KINDS[k] == SubscriberQueue.NEIGHBOR_UP && AUTHORS[k].equals(peer))
            {
                return k;
            }
        }
        return DAMAGED;
    }

    private static int gap(final NodeId author, final int epoch, final long from, final long to)
    {
        final int k = epoch;
        return k >= 1 && k <= EVENTS && KINDS[k] == SubscriberQueue.GAP && AUTHORS[k].equals(author)
            && from == 10L * k && to == 10L * k + k ? k : DAMAGED;
    }

    private static byte payloadByte(final int k, final int i)
    {
        return (byte)(k * 37 + i);
    }

    private static NodeId node(final int n)
    {
        final byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte)n);
        return NodeId.fromBytes(key);
    }

    /** The handler {@link #pollOnce} reads with: each callback checks its event against the script at once. */
    private final class Recorder implements GossipHandler
    {
        @Override
        public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
            final NodeId author, final NodeId deliveredFrom, final int hops)
        {
            // The buffer is the slot's own: it is only valid during this call, so it is checked here.
            final int k = hops;
            record(TOPIC.equals(topic) && isMessage(k) && length == LENGTHS[k]
                && contentMatches(k, buffer, offset, length) && AUTHORS[k].equals(author)
                && SENDERS[k].equals(deliveredFrom) ? k : DAMAGED);
        }

        @Override
        public void onNeighborUp(final NodeId peer)
        {
            record(neighborUp(peer));
        }

        @Override
        public void onNeighborDown(final NodeId peer)
        {
            record(DAMAGED);
        }

        @Override
        public void onLagged(final long missed)
        {
            record(LAGGED_ENTRY + (int)Math.min(missed, LAGGED_ENTRY - 1));
        }

        @Override
        public void onGap(final NodeId author, final int epoch, final long fromSequence, final long toSequence)
        {
            record(gap(author, epoch, fromSequence, toSequence));
        }
    }
}
