package dev.hearsay.engine;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * Byte arrays of one fixed length that ring slots borrow for frames larger than their own buffer, and give back once
 * the dispatcher has handled them. Shared by all slots of one ring: producers (I/O threads, publishers) take, the
 * dispatcher returns.
 * <p>
 * Why: the frames that do not fit a slot's own buffer (IHave batches of up to 11.8 KB at high rates, membership
 * frames with contact lists) are a small, bursty share of the traffic. Growing the slot for them would make every
 * slot of the ring converge to the largest such frame (ring size x 12 KB per node) and, beyond the retain limit,
 * allocate on every one; borrowing keeps the memory proportional to how many are in the ring at once, and in steady
 * state allocates nothing.
 * <p>
 * Bounded: at most {@code capacity} arrays are kept (the pool fills lazily, so only the peak number in flight at
 * once is ever held); an array given back to a full pool is left to the garbage collector. Lock-free (Agrona's
 * array queue: a CAS per take or return, no allocation).
 */
final class SpareBuffers
{
    private final int length;
    private final ManyToManyConcurrentArrayQueue<byte[]> spares;

    /**
     * @param length   the length of every array (the largest frame a borrowed buffer holds).
     * @param capacity how many spare arrays are kept at most.
     */
    SpareBuffers(final int length, final int capacity)
    {
        this.length = length;
        this.spares = new ManyToManyConcurrentArrayQueue<>(Math.max(2, capacity));
    }

    /** The length of every array of this pool. */
    int length()
    {
        return length;
    }

    /** Any thread: a spare array, or a new one when none is spare (the pool is still filling, or a burst). */
    byte[] take()
    {
        final byte[] spare = spares.poll();
        return spare != null ? spare : new byte[length];
    }

    /** Any thread: gives {@code array} (one of {@link #take}'s) back; dropped when the pool is full. */
    void give(final byte[] array)
    {
        spares.offer(array);
    }

    /** Arrays held spare right now. */
    int spare()
    {
        return spares.size();
    }
}
