package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class AuthorLogTest
{
    private static final NodeId AUTHOR = NodeId.fromBytes(new byte[32]);

    @Test
    void inOrderSequencesAreSeenOnceEach()
    {
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        for (long s = 1; s <= 1_000_000; s++)
        {
            assertFalse(log.seen(s));
            assertEquals(0, log.markSeen(s));
            assertTrue(log.seen(s));
        }
        assertTrue(log.seen(1), "old sequences stay seen, whatever their age");
        assertFalse(log.seen(1_000_001));
    }

    @Test
    void outOfOrderWithinTheWindowMatchesASet()
    {
        final Random random = new Random(5);
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        final Set<Long> truth = new HashSet<>();
        final List<Long> order = new ArrayList<>();
        for (long s = 1; s <= 50_000; s++)
        {
            order.add(s);
            if (random.nextInt(4) == 0)
            {
                order.add(s); // duplicates
            }
        }
        // Shuffle locally (reordering by up to ~1,000), as grafts and several paths would.
        for (int i = 0; i < order.size(); i += 1_000)
        {
            Collections.shuffle(order.subList(i, Math.min(order.size(), i + 1_000)), random);
        }
        for (final long s : order)
        {
            assertEquals(truth.contains(s), log.seen(s), "sequence " + s);
            if (!truth.contains(s))
            {
                assertEquals(0, log.markSeen(s));
                truth.add(s);
            }
        }
    }

    @Test
    void aJumpBeyondTheFirstWindowWidensItAndGivesNothingUp()
    {
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        log.markSeen(1);
        log.markSeen(3);
        final long far = 10 + 3L * AuthorLog.WINDOW;
        assertEquals(0, log.markSeen(far), "given up within the largest window");
        assertEquals(4 * AuthorLog.WINDOW, log.window());
        assertFalse(log.seen(2), "a late copy from a slower path must still be accepted");
        assertTrue(log.seen(3), "seen before the window grew");
        assertFalse(log.seen(far - 1));
        assertTrue(log.seen(far));
        assertEquals(0, log.markSeen(2));
        assertTrue(log.seen(2));
    }

    @Test
    void aJumpBeyondTheLargestWindowGivesUpOnTheSkippedOnes()
    {
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        log.markSeen(1);
        log.markSeen(3);
        final long far = 10 + AuthorLog.MAX_WINDOW;
        final long skipped = log.markSeen(far);
        assertTrue(skipped > 0);
        assertEquals(AuthorLog.MAX_WINDOW, log.window());
        assertTrue(log.seen(2), "given up: a late copy would be a duplicate");
        assertFalse(log.seen(far - 1), "still inside the window: can arrive");
        assertTrue(log.seen(far));
    }

    @Test
    void theSkippedCountIsExactlyTheUnseenSequencesPassed()
    {
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        for (long seq = 1; seq <= 1_000; seq++)
        {
            if (seq % 10 != 0)
            {
                log.markSeen(seq); // 100 of the first 1,000 never come
            }
        }
        long skipped = 0;
        for (long seq = 1_001; seq <= 1_000 + AuthorLog.MAX_WINDOW + 5_000; seq++)
        {
            skipped += log.markSeen(seq);
        }
        assertEquals(100, skipped, "the 100 unseen sequences, each once");
    }

    @Test
    void sequencesFromBeforeTheStreamWasHeardOfAreNoLoss()
    {
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 100_000, 0);
        log.markSeen(99_990); // one older message, brought by a catch-up
        long skipped = 0;
        for (long seq = 100_000; seq <= 100_000 + AuthorLog.MAX_WINDOW + 5_000; seq++)
        {
            if (seq != 100_500 && seq != 100_501)
            {
                skipped += log.markSeen(seq);
            }
        }
        assertEquals(2, skipped, "only the two missed after the first one heard of");
    }

    @Test
    void aLateJoinerStillAcceptsSomewhatOlderMessages()
    {
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 100_000, 0);
        log.markSeen(100_000);
        assertFalse(log.seen(99_000), "catch-up and grafts bring older messages after newer ones");
        log.markSeen(99_000);
        assertTrue(log.seen(99_000));
    }

    @Test
    void cacheHandlesFollowSequencesAndSurviveGrowth()
    {
        final PayloadCache cache = new PayloadCache(1 << 20, 1 << 16);
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (long s = 1; s <= 5_000; s++)
        {
            payload.putLong(0, s);
            final long handle = cache.put(AUTHOR, 1, s, 0, payload, 0, 8, s);
            log.markSeen(s);
            log.cacheHandle(s, handle, cache);
        }
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        for (long s = 1; s <= 5_000; s++)
        {
            final long handle = log.cacheHandle(s);
            assertTrue(cache.matches(handle, AUTHOR, 1, s), "sequence " + s);
            cache.wrap(handle, view);
            assertEquals(s, view.getLong(0));
        }
        cache.evictOlderThan(2_500);
        assertFalse(cache.matches(log.cacheHandle(100), AUTHOR, 1, 100), "evicted entries must not match");
        assertTrue(cache.matches(log.cacheHandle(4_000), AUTHOR, 1, 4_000));
    }

    @Test
    void anAuthorFillingTheCacheGetsAnIndexOfTwiceItsSizeWhileItFillsAndThenKeepsIt()
    {
        final int entries = 4096;
        final PayloadCache cache = new PayloadCache(1 << 20, entries);
        final AuthorLog log = new AuthorLog(AUTHOR, 1, 1, 0);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        long s = 1;
        for (; s <= entries; s++)
        {
            log.cacheHandle(s, cache.put(AUTHOR, 1, s, 0, payload, 0, 8, s), cache);
        }
        final long[] settled = indexOf(log);
        assertEquals(2 * entries, settled.length, "grown past the cache's size in one step");
        // A message grafted late stays cached while the sequence moves on by a whole cache: no growth for it.
        log.cacheHandle(s - entries / 2, cache.put(AUTHOR, 1, s - entries / 2, 0, payload, 0, 8, s), cache);
        for (final long end = s + 3L * entries; s < end; s++)
        {
            log.cacheHandle(s, cache.put(AUTHOR, 1, s, 0, payload, 0, 8, s), cache);
        }
        assertTrue(settled == indexOf(log), "the index settled at twice the cache's size");
        assertTrue(cache.matches(log.cacheHandle(s - 1), AUTHOR, 1, s - 1));
    }

    private static long[] indexOf(final AuthorLog log)
    {
        try
        {
            final java.lang.reflect.Field f = AuthorLog.class.getDeclaredField("cacheIndex");
            f.setAccessible(true);
            return (long[])f.get(log);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new AssertionError(e);
        }
    }
}
