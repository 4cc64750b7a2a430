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

    /**
     * Fills the table to its bound twice (announce with a second announcer, time out, remove); returns the bytes this
     * thread allocated.
     */
    private static long fillMissing(final MissingRuns missing)
    {
        final AuthorLog[] logs = new AuthorLog[8];
        for (int i = 0; i < logs.length; i++)
        {
            logs[i] = new AuthorLog(AUTHORS[i], 1, 1, 0);
        }
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < CAPACITY; i++)
            {
                // Every other sequence of its stream: runs that cannot extend one another.
                final AuthorLog log = logs[i & 7];
                final long seq = 2L * (round * CAPACITY + i) + 2;
                if (missing.announce(log, seq, seq, AUTHORS[(i + 1) & 7], 1, i, i, 0) != 0
                    || missing.announce(log, seq, seq, AUTHORS[(i + 2) & 7], 2, i, i, 0) != 0
                    || !missing.retries.add(i, missing.find(log, seq), 1))
                {
                    throw new AssertionError("run " + i + " of round " + round + " refused");
                }
            }
            assertEquals(CAPACITY, missing.size());
            for (int run = 0; run < CAPACITY; run++)
            {
                missing.remove(run);
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
    void preallocatedMissingRunsTakeTheirBoundWithoutAllocating()
    {
        assertEquals(0, leastOfRounds(() -> fillMissing(new MissingRuns(CAPACITY, 5, true))),
            "bytes allocated, preallocated, least of " + ROUNDS + " rounds");
        assertTrue(fillMissing(new MissingRuns(CAPACITY, 5, false)) > 16L * CAPACITY, "grown on demand allocates");
    }

    /**
     * A table grown on demand allocates when it grows, and only then: freeing entries must not allocate (the free
     * list used to double on its own, so the first drain of a backlog past a power of two allocated in the middle
     * of steady traffic).
     */
    @Test
    @Timeout(30)
    void removingMissingRunsNeverAllocates()
    {
        final int runs = Growth.KNEE + 100;
        long least = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++)
        {
            final MissingRuns missing = new MissingRuns(CAPACITY, 5, false);
            final AuthorLog log = new AuthorLog(AUTHORS[0], 1, 1, 0);
            for (int i = 0; i < runs; i++)
            {
                assertEquals(0, missing.announce(log, 2L * i + 2, 2L * i + 2, AUTHORS[(i + 1) & 7], 1, i, i, 0));
            }
            assertEquals(runs, missing.size());
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int run = 0; run < runs; run++)
            {
                missing.remove(run);
            }
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
            assertEquals(0, missing.size());
        }
        assertEquals(0, least, "bytes allocated while freeing " + runs + " runs, least of " + ROUNDS + " rounds");
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
