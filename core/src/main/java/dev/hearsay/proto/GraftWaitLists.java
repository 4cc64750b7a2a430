package dev.hearsay.proto;

import java.util.Arrays;

/**
 * Runs of missing messages waiting for an announcer that cannot take another Graft yet (its link is congested, or
 * {@link PlumTree#MAX_GRAFTS_IN_FLIGHT} of its Grafts are unanswered): one FIFO per neighbor slot, linked through
 * arrays indexed by the missing entry. An entry is on at most one list and leaves it in constant time when it is
 * forgotten, so the lists together never hold more entries than the missing table does.
 *
 * <p>Why not a timer per entry: re-armed every graft timeout (40 ms at least), a backlog of waiting entries was
 * looked at again and put back 25 times a second each; in a repair storm, with up to 65,536 entries per topic, that
 * was tens of millions of deferrals per run on dispatchers that were already behind. Here an entry is put aside
 * once, and taken when its announcer can take a Graft again.
 *
 * <p>The per-entry arrays grow like the missing table ({@link Growth}), or are allocated at their bound with
 * {@code preallocate}; they are allocated only once an entry has to wait.
 */
final class GraftWaitLists
{
    private static final int NONE = -1;
    private static final int[] EMPTY = new int[0];

    private final int bound;
    private final int[] heads;
    private final int[] tails;
    private int[] next = EMPTY;
    private int[] previous = EMPTY;
    /** The slot whose list holds the entry, or {@link #NONE}. */
    private int[] slotOf = EMPTY;
    private int size;

    /**
     * @param slots       neighbor slots (one list each).
     * @param entries     the missing table's bound: entries are numbered below it.
     * @param preallocate allocate the per-entry arrays at their bound now.
     */
    GraftWaitLists(final int slots, final int entries, final boolean preallocate)
    {
        this.bound = entries;
        this.heads = new int[slots];
        this.tails = new int[slots];
        Arrays.fill(heads, NONE);
        Arrays.fill(tails, NONE);
        if (preallocate)
        {
            growTo(entries);
        }
    }

    /** Entries waiting on every list. */
    int size()
    {
        return size;
    }

    boolean isEmpty(final int slot)
    {
        return heads[slot] == NONE;
    }

    boolean contains(final int entry)
    {
        return entry < slotOf.length && slotOf[entry] != NONE;
    }

    /** Appends {@code entry}, which must be on no list, to {@code slot}'s list. */
    void add(final int slot, final int entry)
    {
        if (entry < 0 || entry >= bound)
        {
            throw new IllegalArgumentException("entry " + entry + " outside the table of " + bound);
        }
        if (entry >= slotOf.length)
        {
            int length = Math.max(16, slotOf.length);
            while (length <= entry)
            {
                length = Growth.next(length, bound);
            }
            growTo(length);
        }
        if (slotOf[entry] != NONE)
        {
            throw new IllegalStateException("entry " + entry + " already waits on slot " + slotOf[entry]);
        }
        slotOf[entry] = slot;
        next[entry] = NONE;
        previous[entry] = tails[slot];
        if (tails[slot] == NONE)
        {
            heads[slot] = entry;
        }
        else
        {
            next[tails[slot]] = entry;
        }
        tails[slot] = entry;
        size++;
    }

    /** Takes the first entry of {@code slot}'s list, or returns -1 if it is empty. */
    int poll(final int slot)
    {
        final int entry = heads[slot];
        if (entry != NONE)
        {
            remove(entry);
        }
        return entry;
    }

    /** Takes {@code entry} off its list, if it is on one. */
    void remove(final int entry)
    {
        if (!contains(entry))
        {
            return;
        }
        final int slot = slotOf[entry];
        final int before = previous[entry];
        final int after = next[entry];
        if (before == NONE)
        {
            heads[slot] = after;
        }
        else
        {
            next[before] = after;
        }
        if (after == NONE)
        {
            tails[slot] = before;
        }
        else
        {
            previous[after] = before;
        }
        slotOf[entry] = NONE;
        size--;
    }

    /** Empties every list (the per-entry arrays stay allocated). */
    void clear()
    {
        Arrays.fill(heads, NONE);
        Arrays.fill(tails, NONE);
        Arrays.fill(slotOf, NONE);
        size = 0;
    }

    private void growTo(final int length)
    {
        final int old = slotOf.length;
        next = Arrays.copyOf(next, length);
        previous = Arrays.copyOf(previous, length);
        slotOf = Arrays.copyOf(slotOf, length);
        Arrays.fill(slotOf, old, length, NONE);
    }
}
