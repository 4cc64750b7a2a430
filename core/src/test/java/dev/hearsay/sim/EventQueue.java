package dev.hearsay.sim;

import java.util.Arrays;

/**
 * Priority queue of simulator events ordered by virtual time, ties broken by insertion order, so that a run is
 * a pure function of its inputs. A binary heap over primitive arrays: the heap holds (time, sequence, slot) and
 * the event fields live in slot arrays, so sifting moves two longs and an int instead of whole events, and the
 * steady state allocates nothing.
 * <p>
 * Use: {@link #add} returns nothing; {@link #poll()} returns the slot of the earliest event, whose fields are read
 * with the accessors and which stays valid until the next {@link #add} or {@link #poll()}.
 */
final class EventQueue
{
    private long[] heapTime;
    private long[] heapSeq;
    private int[] heapSlot;
    private int size;
    private long nextSeq;

    private int[] kind;
    private int[] node;
    private int[] peer;
    private int[] arg;
    private Object[] ref;
    private int[] freeSlots;
    private int freeCount;
    private int slotCount;
    private int lastPolledSlot = -1;
    private long lastPolledTime;

    EventQueue(final int initialCapacity)
    {
        final int capacity = Math.max(16, initialCapacity);
        heapTime = new long[capacity];
        heapSeq = new long[capacity];
        heapSlot = new int[capacity];
        kind = new int[capacity];
        node = new int[capacity];
        peer = new int[capacity];
        arg = new int[capacity];
        ref = new Object[capacity];
        freeSlots = new int[capacity];
    }

    /** Number of pending events. */
    int size()
    {
        return size;
    }

    /** True if no event is pending. */
    boolean isEmpty()
    {
        return size == 0;
    }

    /** Time of the earliest pending event; {@link Long#MAX_VALUE} when empty. */
    long peekTime()
    {
        return size == 0 ? Long.MAX_VALUE : heapTime[0];
    }

    /** Queues an event. */
    void add(final long time, final int eventKind, final int eventNode, final int eventPeer, final int eventArg,
        final Object eventRef)
    {
        releaseLastPolled();
        final int slot = allocateSlot();
        kind[slot] = eventKind;
        node[slot] = eventNode;
        peer[slot] = eventPeer;
        arg[slot] = eventArg;
        ref[slot] = eventRef;

        if (size == heapTime.length)
        {
            final int capacity = heapTime.length << 1;
            heapTime = Arrays.copyOf(heapTime, capacity);
            heapSeq = Arrays.copyOf(heapSeq, capacity);
            heapSlot = Arrays.copyOf(heapSlot, capacity);
        }
        siftUp(size++, time, nextSeq++, slot);
    }

    /** Removes the earliest event and returns its slot; -1 when empty. */
    int poll()
    {
        releaseLastPolled();
        if (size == 0)
        {
            return -1;
        }
        final int slot = heapSlot[0];
        final long time = heapTime[0];
        size--;
        if (size > 0)
        {
            siftDown(0, heapTime[size], heapSeq[size], heapSlot[size]);
        }
        lastPolledTime = time;
        lastPolledSlot = slot;
        return slot;
    }

    /** Time of the event last returned by {@link #poll()}. */
    long time()
    {
        return lastPolledTime;
    }

    int kind(final int slot)
    {
        return kind[slot];
    }

    int node(final int slot)
    {
        return node[slot];
    }

    int peer(final int slot)
    {
        return peer[slot];
    }

    int arg(final int slot)
    {
        return arg[slot];
    }

    Object ref(final int slot)
    {
        return ref[slot];
    }

    /** Drops every pending event. */
    void clear()
    {
        Arrays.fill(ref, null);
        size = 0;
        freeCount = 0;
        slotCount = 0;
        lastPolledSlot = -1;
    }

    private void releaseLastPolled()
    {
        // The polled slot is recycled lazily so its fields stay readable while the caller handles the event.
        if (lastPolledSlot >= 0)
        {
            ref[lastPolledSlot] = null;
            freeSlots[freeCount++] = lastPolledSlot;
            lastPolledSlot = -1;
        }
    }

    private int allocateSlot()
    {
        if (freeCount > 0)
        {
            return freeSlots[--freeCount];
        }
        if (slotCount == kind.length)
        {
            final int capacity = kind.length << 1;
            kind = Arrays.copyOf(kind, capacity);
            node = Arrays.copyOf(node, capacity);
            peer = Arrays.copyOf(peer, capacity);
            arg = Arrays.copyOf(arg, capacity);
            ref = Arrays.copyOf(ref, capacity);
            freeSlots = Arrays.copyOf(freeSlots, capacity);
        }
        return slotCount++;
    }

    private void siftUp(final int start, final long time, final long seq, final int slot)
    {
        int i = start;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            final long pt = heapTime[parent];
            if (pt < time || (pt == time && heapSeq[parent] < seq))
            {
                break;
            }
            heapTime[i] = pt;
            heapSeq[i] = heapSeq[parent];
            heapSlot[i] = heapSlot[parent];
            i = parent;
        }
        heapTime[i] = time;
        heapSeq[i] = seq;
        heapSlot[i] = slot;
    }

    private void siftDown(final int start, final long time, final long seq, final int slot)
    {
        int i = start;
        final int half = size >>> 1;
        while (i < half)
        {
            int child = (i << 1) + 1;
            final int right = child + 1;
            if (right < size && (heapTime[right] < heapTime[child]
                || (heapTime[right] == heapTime[child] && heapSeq[right] < heapSeq[child])))
            {
                child = right;
            }
            final long ct = heapTime[child];
            if (time < ct || (time == ct && seq < heapSeq[child]))
            {
                break;
            }
            heapTime[i] = ct;
            heapSeq[i] = heapSeq[child];
            heapSlot[i] = heapSlot[child];
            i = child;
        }
        heapTime[i] = time;
        heapSeq[i] = seq;
        heapSlot[i] = slot;
    }
}
