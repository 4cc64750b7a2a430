package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GossipConfig.preallocate}: the per-topic tables that backlogs fill (missing messages with their id table
 * and graft timer queues, the payload cache) take their full bound without allocating, while the same work on
 * tables that grow on demand does allocate (which shows that the measurement sees growth).
 */
final class PreallocatedTablesTest
{
    private static final int CAPACITY = 4096;
    /**
     * Rounds of which the least is judged: growth allocates in every round, while a one-off of the JVM (objects
     * rematerialised when compiled code deoptimises, seen once in the second round) cannot make a round allocate
     * less.
     */
    private static final int ROUNDS = 5;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static final NodeId[] AUTHORS = new NodeId[8];

    static
    {
        for (int i = 0; i < AUTHORS.length; i++)
        {
            final byte[] key = new byte[32];
            key[0] = (byte)(i + 1);
            AUTHORS[i] = NodeId.fromBytes(key);
        }
    }

    /** Fills the table to its bound twice (announce, time out, remove); returns the bytes this thread allocated. */
    private static long fillMissing(final MissingMessages missing)
    {
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < CAPACITY; i++)
            {
                final NodeId author = AUTHORS[i & 7];
                final int entry = missing.announce(author, 1, round * CAPACITY + i, AUTHORS[(i + 1) & 7], 1, i);
                if (entry < 0)
                {
                    throw new AssertionError("entry " + i + " of round " + round + " refused: " + entry);
                }
                if (missing.announce(author, 1, round * CAPACITY + i, AUTHORS[(i + 2) & 7], 2, i) != -1
                    || !missing.firstTimeouts.add(i, entry, missing.generation(entry))
                    || !missing.retries.add(i, entry, missing.generation(entry)))
                {
                    throw new AssertionError("second advertiser or timer of entry " + i + " refused");
                }
            }
            assertEquals(-2, missing.announce(AUTHORS[0], 2, 0, AUTHORS[1], 1, 0), "full: refused");
            for (int e = 0; e < CAPACITY; e++)
            {
                missing.remove(e);
            }
            missing.firstTimeouts.clear();
            missing.retries.clear();
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** Caches payloads up to the entry bound and on (evicting); returns the bytes this thread allocated. */
    private static long fillCache(final PayloadCache cache)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 3 * CAPACITY; i++)
        {
            if (cache.put(AUTHORS[i & 7], 1, i, 0, payload, 0, 64, i) < 0)
            {
                throw new AssertionError("payload " + i + " not cached");
            }
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** The least of {@link #ROUNDS} measured rounds (each on fresh tables). */
    private static long leastOfRounds(final java.util.function.LongSupplier round)
    {
        THREADS.getCurrentThreadAllocatedBytes();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++)
        {
            least = Math.min(least, round.getAsLong());
        }
        return least;
    }

    @Test
    @Timeout(30)
    void preallocatedMissingMessagesTakeTheirBoundWithoutAllocating()
    {
        assertEquals(0, leastOfRounds(() -> fillMissing(new MissingMessages(CAPACITY, true))),
            "bytes allocated, preallocated, least of " + ROUNDS + " rounds");
        assertTrue(fillMissing(new MissingMessages(CAPACITY, false)) > 16L * CAPACITY, "grown on demand allocates");
    }

    /**
     * A table grown on demand allocates when it grows, and only then: freeing entries must not allocate (the free
     * list used to double on its own, so the first drain of a backlog past a power of two allocated in the middle
     * of steady traffic).
     */
    @Test
    @Timeout(30)
    void removingMissingMessagesNeverAllocates()
    {
        final int entries = Growth.KNEE + 100;
        long least = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++)
        {
            final MissingMessages missing = new MissingMessages(CAPACITY, false);
            for (int i = 0; i < entries; i++)
            {
                assertTrue(missing.announce(AUTHORS[i & 7], 1, i, AUTHORS[(i + 1) & 7], 1, i) >= 0);
            }
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int e = 0; e < entries; e++)
            {
                missing.remove(e);
            }
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
            assertEquals(0, missing.size());
        }
        assertEquals(0, least, "bytes allocated while freeing " + entries + " entries, least of " + ROUNDS + " rounds");
    }

    @Test
    @Timeout(30)
    void preallocatedPayloadCacheTakesItsBoundWithoutAllocating()
    {
        assertEquals(0, leastOfRounds(() -> fillCache(new PayloadCache(64L * CAPACITY, CAPACITY, true))),
            "bytes allocated, preallocated, least of " + ROUNDS + " rounds");
        assertTrue(fillCache(new PayloadCache(64L * CAPACITY, CAPACITY, false)) > 64L * CAPACITY,
            "grown on demand allocates");
    }
}
