package dev.hearsay.engine;

import com.lmax.disruptor.Sequence;
import dev.hearsay.GossipEvent;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bounded single-producer/single-consumer buffer of subscription events: the dispatcher offers, one user thread
 * polls. Entries are preallocated structures (not serialized records), so the capacity counts events exactly and a
 * payload buffer per entry grows on demand to the largest message seen and is then reused.
 * <p>
 * Overflow policy: an offer to a full buffer drops the event and counts it in {@link #gap}, a word shared by both
 * sides that holds the count and the position of the gap (the producer's position, which does not move while it
 * drops). The reader learns of the gap right where it is, after the last event buffered before it: once it has
 * read up to that position it takes the count itself; if the producer gets room first, it takes the count and puts
 * one {@code Lagged(missed)} entry ahead of the next event (it waits until both fit, so a subscriber never sees two
 * Lagged in a row for one gap). Each side takes with a compare-and-set of the whole word, so every drop is
 * reported once, at its place. A gap counts at most 2,147,483,647 drops (it saturates there); the drop counter
 * keeps the exact total.
 */
final class SubscriberQueue
{
    static final int MESSAGE = 1;
    static final int NEIGHBOR_UP = 2;
    static final int NEIGHBOR_DOWN = 3;
    static final int LAGGED = 4;
    static final int GAP = 5;

    private static final int INITIAL_PAYLOAD = 64;

    private final int capacity;
    private final int mask;
    private final int maxPayload;
    private final int[] kinds;
    private final NodeId[] authors;
    private final NodeId[] froms;
    private final int[] hops;
    private final boolean[] neighborsOnly;
    /** Lagged: the missed count; Gap: the first missing sequence. */
    private final long[] missedCounts;
    /** Gap: the last missing sequence (the epoch is kept in {@link #hops}). */
    private final long[] gapEnds;
    private final UnsafeBuffer[] payloads;
    private final int[] lengths;

    /** Next entry the consumer reads; written by the consumer only. */
    private final Sequence head = new Sequence(0);
    /** Next entry the producer writes; written by the producer only (ordered store). */
    private final Sequence tail = new Sequence(0);

    /**
     * The open gap: the producer's position when it started dropping (high 32 bits) and the events dropped there
     * (low 32 bits, unsigned); 0 when none. Only the producer makes it non-zero; either side may take it (set 0).
     */
    private final java.util.concurrent.atomic.AtomicLong gap = new java.util.concurrent.atomic.AtomicLong();

    // Producer-owned.
    private long producerTail;
    private long headCache;
    private long dropped;

    // Consumer-owned.
    private long consumerHead;

    SubscriberQueue(final int requestedCapacity, final int maxPayload)
    {
        this.capacity = BitUtil.findNextPositivePowerOfTwo(requestedCapacity);
        this.mask = capacity - 1;
        this.maxPayload = maxPayload;
        kinds = new int[capacity];
        authors = new NodeId[capacity];
        froms = new NodeId[capacity];
        hops = new int[capacity];
        neighborsOnly = new boolean[capacity];
        missedCounts = new long[capacity];
        gapEnds = new long[capacity];
        payloads = new UnsafeBuffer[capacity];
        lengths = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            // Sized lazily on first use: a quiet subscription costs no payload memory.
            payloads[i] = new UnsafeBuffer(new byte[0]);
        }
    }

    int capacity()
    {
        return capacity;
    }

    // ---------------------------------------------------------------- producer side (the dispatcher)

    /** Offers a delivered message; false if it was dropped (counted, reported later as Lagged). */
    boolean offerMessage(final NodeId author, final NodeId from, final int hopCount, final boolean onlyNeighbors,
        final DirectBuffer payload, final int offset, final int length)
    {
        if (!claim(1))
        {
            return false;
        }
        final int i = (int)producerTail & mask;
        kinds[i] = MESSAGE;
        authors[i] = author;
        froms[i] = from;
        hops[i] = hopCount;
        neighborsOnly[i] = onlyNeighbors;
        final UnsafeBuffer buffer = payloads[i];
        if (buffer.capacity() < length)
        {
            buffer.wrap(new byte[Math.min(maxPayload, Math.max(INITIAL_PAYLOAD,
                BitUtil.findNextPositivePowerOfTwo(length)))]);
        }
        buffer.putBytes(0, payload, offset, length);
        lengths[i] = length;
        publish();
        return true;
    }

    /** Offers a NeighborUp or NeighborDown; false if it was dropped. */
    boolean offerNeighbor(final int kind, final NodeId peer)
    {
        if (!claim(1))
        {
            return false;
        }
        final int i = (int)producerTail & mask;
        kinds[i] = kind;
        authors[i] = peer;
        froms[i] = null;
        lengths[i] = 0;
        publish();
        return true;
    }

    /** Offers a FIFO gap report; false if it was dropped. */
    boolean offerGap(final NodeId author, final int epoch, final long fromSequence, final long toSequence)
    {
        if (!claim(1))
        {
            return false;
        }
        final int i = (int)producerTail & mask;
        kinds[i] = GAP;
        authors[i] = author;
        froms[i] = null;
        hops[i] = epoch;
        missedCounts[i] = fromSequence;
        gapEnds[i] = toSequence;
        lengths[i] = 0;
        publish();
        return true;
    }

    /**
     * Offers a report of {@code missed} messages the node never received and gave up (see
     * {@code ProtocolOutput.lost}): read as one {@code Lagged(missed)}. When the buffer is full they join the open gap's count instead, read as part of its
     * Lagged; false then.
     */
    boolean offerLost(final long missed)
    {
        if (!claim(missed))
        {
            return false;
        }
        final int i = (int)producerTail & mask;
        kinds[i] = LAGGED;
        authors[i] = null;
        froms[i] = null;
        missedCounts[i] = missed;
        lengths[i] = 0;
        publish();
        return true;
    }

    /** Events dropped so far (producer's view). */
    long dropped()
    {
        return dropped;
    }

    /**
     * Producer: true when fewer than {@code slots} entries are free. Reads the reader's position only when the
     * position it last saw says so: nothing shared is touched while the buffer has room.
     */
    boolean lacksRoom(final int slots)
    {
        if (capacity - (producerTail - headCache) >= slots)
        {
            return false;
        }
        headCache = head.get();
        return capacity - (producerTail - headCache) < slots;
    }

    /** Producer: true when the reader has read everything offered so far (a volatile read). */
    boolean drained()
    {
        headCache = head.get();
        return headCache == producerTail && !isOpen(gap.get());
    }

    /** The reader's position: events it has taken so far (any thread, a volatile read). */
    long readPosition()
    {
        return head.get();
    }

    /**
     * Producer: makes room for one event, and for the Lagged entry of an open gap ahead of it; false when the event
     * must be dropped, counted in the gap as {@code weight} events (a lost report counts the messages it reports).
     */
    private boolean claim(final long weight)
    {
        while (true)
        {
            final long word = gap.get();
            final boolean open = isOpen(word);
            final long needed = open ? 2 : 1;
            if (producerTail + needed - headCache > capacity)
            {
                headCache = head.get();
                if (producerTail + needed - headCache > capacity)
                {
                    if (drop(weight))
                    {
                        return false;
                    }
                    // The reader took the gap at this very position: it has read everything, so there is room.
                    headCache = head.get();
                    continue;
                }
            }
            if (word != 0 && !open)
            {
                // A gap the reader took: forget it before moving past its position, so that a marker never outlives
                // it (positions are kept modulo 2^32 and would otherwise meet again).
                gap.set(0);
            }
            if (open)
            {
                if (!gap.compareAndSet(word, 0))
                {
                    continue; // the reader took it meanwhile
                }
                final int i = (int)producerTail & mask;
                kinds[i] = LAGGED;
                missedCounts[i] = word & COUNT;
                authors[i] = null;
                froms[i] = null;
                lengths[i] = 0;
                producerTail++;
            }
            return true;
        }
    }

    /** Gap word: the low 31 bits count the drops. */
    private static final long COUNT = 0x7FFF_FFFFL;
    /** Gap word: set when the reader has taken the gap (the position stays, the count is cleared). */
    private static final long TAKEN = 0x8000_0000L;
    private static final long POSITION = 0xFFFF_FFFFL;

    private static boolean isOpen(final long word)
    {
        return word != 0 && (word & TAKEN) == 0;
    }

    /**
     * Producer: {@code events} more events dropped at its current position, in one compare-and-set, so that a reader
     * taking the gap sees all of them or none; false, and nothing dropped, if the reader has taken the gap at this
     * position (it read every event, so the buffer has room after all).
     */
    private boolean drop(final long events)
    {
        final long position = producerTail & POSITION;
        while (true)
        {
            final long word = gap.get();
            final boolean here = (word >>> 32) == position;
            if (here && (word & TAKEN) != 0)
            {
                return false;
            }
            final long count = here && isOpen(word) ? word & COUNT : 0;
            if (gap.compareAndSet(word, position << 32 | Math.min(count + events, COUNT)))
            {
                dropped += events;
                return true;
            }
        }
    }

    private void publish()
    {
        producerTail++;
        tail.set(producerTail);
    }

    // ---------------------------------------------------------------- consumer side (one user thread)

    /** True if no event is ready (nor a gap to report); volatile reads of the producer's position and gap. */
    boolean isEmpty()
    {
        return consumerHead >= tail.get() && !isOpen(gap.get());
    }

    /**
     * Consumer, having published {@code position} as its head: takes the count of the gap that opens right after
     * the events read so far, or returns 0 when there is none there (no gap, or one behind events not read yet).
     * The gap is marked taken rather than cleared, so a producer about to drop at the same position sees that the
     * reader has caught up and publishes instead: one gap, one Lagged.
     */
    private long takeGapAt(final long position)
    {
        final long here = position & POSITION;
        long word;
        while (isOpen(word = gap.get()) && (word >>> 32) == here)
        {
            if (gap.compareAndSet(word, here << 32 | TAKEN))
            {
                return word & COUNT;
            }
        }
        return 0;
    }

    /** Hands up to {@code limit} events to {@code handler}; entries are released even if the handler throws. */
    int poll(final TopicId topic, final GossipHandler handler, final int limit)
    {
        final long available = tail.get();
        long h = consumerHead;
        int count = 0;
        try
        {
            while (count < limit && h < available)
            {
                final int i = (int)h & mask;
                h++;
                count++;
                switch (kinds[i])
                {
                    case MESSAGE:
                        handler.onMessage(topic, payloads[i], 0, lengths[i], authors[i], froms[i], hops[i]);
                        break;
                    case NEIGHBOR_UP:
                        handler.onNeighborUp(authors[i]);
                        break;
                    case NEIGHBOR_DOWN:
                        handler.onNeighborDown(authors[i]);
                        break;
                    case GAP:
                        handler.onGap(authors[i], hops[i], missedCounts[i], gapEnds[i]);
                        break;
                    default:
                        handler.onLagged(missedCounts[i]);
                        break;
                }
            }
            if (count < limit && h == available)
            {
                consumerHead = h;
                head.set(h);
                final long missed = takeGapAt(h);
                if (missed > 0)
                {
                    count++;
                    handler.onLagged(missed);
                }
            }
        }
        finally
        {
            consumerHead = h;
            head.set(h);
        }
        return count;
    }

    /** Takes one event as an object (allocates: the convenience path), or null if none is ready. */
    GossipEvent pollEvent()
    {
        if (consumerHead >= tail.get())
        {
            final long missed = takeGapAt(consumerHead);
            return missed > 0 ? new GossipEvent.Lagged(missed) : null;
        }
        final int i = (int)consumerHead & mask;
        final GossipEvent event;
        switch (kinds[i])
        {
            case MESSAGE:
                final byte[] content = new byte[lengths[i]];
                payloads[i].getBytes(0, content);
                event = new GossipEvent.Received(content, authors[i], froms[i], hops[i], neighborsOnly[i]);
                break;
            case NEIGHBOR_UP:
                event = new GossipEvent.NeighborUp(authors[i]);
                break;
            case NEIGHBOR_DOWN:
                event = new GossipEvent.NeighborDown(authors[i]);
                break;
            case GAP:
                event = new GossipEvent.Gap(authors[i], hops[i], missedCounts[i], gapEnds[i]);
                break;
            default:
                event = new GossipEvent.Lagged(missedCounts[i]);
                break;
        }
        consumerHead++;
        head.set(consumerHead);
        return event;
    }
}
