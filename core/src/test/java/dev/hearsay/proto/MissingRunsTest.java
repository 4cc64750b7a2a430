package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class MissingRunsTest
{
    private static final long LEAD = 80_000_000L;

    private static NodeId id(final int n)
    {
        final byte[] key = new byte[32];
        key[0] = (byte)n;
        key[1] = (byte)(n >>> 8);
        key[31] = 0x5A;
        return NodeId.fromBytes(key);
    }

    private static AuthorLog log(final int author)
    {
        return new AuthorLog(id(author), 1, 1, 0);
    }

    /** Announces {@code first..last} of {@code log} by {@code peer} at time {@code now}; returns the ids ignored. */
    private static long announce(final MissingRuns runs, final AuthorLog log, final long first, final long last,
        final NodeId peer, final long now)
    {
        final long ignored = runs.announce(log, first, last, peer, 1, now, now + LEAD, LEAD);
        runs.checkInvariants();
        return ignored;
    }

    /** Marks {@code seq} received, as PlumTree does: the log first, then the run it belongs to. */
    private static boolean receive(final MissingRuns runs, final AuthorLog log, final long seq)
    {
        log.markSeen(seq);
        final int run = runs.find(log, seq);
        final boolean emptied = run != MissingRuns.NONE && runs.arrived(run, seq, false, 0);
        if (emptied)
        {
            runs.remove(run);
        }
        runs.checkInvariants();
        return emptied;
    }

    @Test
    void aStreamAnnouncedRunAfterRunByOneAnnouncerIsOneRun()
    {
        final MissingRuns runs = new MissingRuns(16, 5, false);
        final AuthorLog log = log(1);
        final NodeId b = id(100);
        // 200,000 missing, announced as IHave runs of at most 65,535 ids.
        for (long first = 1; first <= 200_000; first += IHave.MAX_RUN_LENGTH)
        {
            assertEquals(0, announce(runs, log, first, Math.min(200_000, first + IHave.MAX_RUN_LENGTH - 1), b, 1));
        }
        assertEquals(1, runs.size());
        final int run = runs.find(log, 123_456);
        assertEquals(1, runs.first(run));
        assertEquals(200_000, runs.last(run));
        // Another announcer of part of it joins the run; no second run.
        assertEquals(0, announce(runs, log, 100_000, 150_000, id(101), 2));
        assertEquals(1, runs.size());
        assertEquals(2, runs.advertiserCount(run));
        // Once its first timeout has passed, the next stretch is a run of its own.
        assertEquals(0, announce(runs, log, 200_001, 200_100, b, 1 + LEAD));
        assertEquals(2, runs.size());
    }

    @Test
    void arrivalsMoveTheEndsAndARunWithNothingUnseenIsReportedEmpty()
    {
        final MissingRuns runs = new MissingRuns(16, 5, false);
        final AuthorLog log = log(1);
        assertEquals(0, announce(runs, log, 1, 10, id(100), 1));
        final int run = runs.find(log, 5);
        assertFalse(receive(runs, log, 5), "the middle of a run: the log records it");
        assertEquals(1, runs.first(run));
        assertEquals(4, log.unseenThrough(1, 10), "the first stretch of unseen sequences stops before 5");
        for (long seq = 1; seq <= 4; seq++)
        {
            assertFalse(receive(runs, log, seq));
        }
        assertEquals(6, runs.first(run), "the first end moved past 5, seen earlier");
        assertFalse(receive(runs, log, 10));
        assertEquals(9, runs.last(run));
        for (long seq = 6; seq <= 8; seq++)
        {
            assertFalse(receive(runs, log, seq));
        }
        assertTrue(receive(runs, log, 9), "nothing left");
        assertEquals(0, runs.size());
        assertEquals(MissingRuns.NONE, runs.find(log, 9));
    }

    @Test
    void anAnnouncementAroundSeenSequencesMakesARunOfEachUnseenStretch()
    {
        final MissingRuns runs = new MissingRuns(16, 5, false);
        final AuthorLog log = log(1);
        for (long seq = 1; seq <= 20; seq += 2)
        {
            log.markSeen(seq);
        }
        assertEquals(0, announce(runs, log, 1, 20, id(100), 1));
        assertEquals(10, runs.size(), "2, 4, ..., 20: ten gaps grafted side by side");
    }

    @Test
    void aFullTableWidensTheStreamsNearestRunThenMergesAnotherStreamsRunsAndIgnoresOnlyWhenNeitherCan()
    {
        final MissingRuns runs = new MissingRuns(16, 5, false);
        final AuthorLog one = log(1);
        final NodeId b = id(100);
        // Sixteen one-message gaps of one stream fill the table.
        for (long seq = 2; seq <= 32; seq += 2)
        {
            assertEquals(0, announce(runs, one, seq, seq, b, 1 + LEAD * seq));
        }
        assertEquals(16, runs.size());
        // A seventeenth gap widens the stream's last run to cover it: nothing is lost.
        assertEquals(0, announce(runs, one, 40, 40, b, 1_000 * LEAD));
        assertEquals(16, runs.size());
        final int widened = runs.find(one, 40);
        assertEquals(32, runs.first(widened));
        assertEquals(widened, runs.find(one, 36), "the sequences in between are the run's too");
        // Another stream's gap: two neighbouring runs of the first stream merge to make room.
        final AuthorLog two = log(2);
        assertEquals(0, announce(runs, two, 5, 7, b, 1_000 * LEAD));
        assertEquals(16, runs.size());
        assertTrue(runs.find(two, 6) != MissingRuns.NONE);
        // Sixteen streams with one run each: a seventeenth stream's gap is ignored, and counted.
        final MissingRuns full = new MissingRuns(16, 5, false);
        for (int author = 1; author <= 16; author++)
        {
            assertEquals(0, announce(full, log(author), 3, 3, b, 1));
        }
        assertEquals(5, announce(full, log(17), 1, 5, b, 1));
        assertEquals(16, full.size());
    }

    @Test
    void aStreamWithNothingMissingIsNotLookedAtBeyondItsBounds()
    {
        final MissingRuns runs = new MissingRuns(16, 5, false);
        final AuthorLog log = log(1);
        assertEquals(MissingRuns.NONE, runs.find(log, 1));
        assertEquals(0, announce(runs, log, 100, 110, id(100), 1));
        assertEquals(0, announce(runs, log, 200, 210, id(101), 1));
        assertEquals(MissingRuns.NONE, runs.find(log, 99));
        assertEquals(MissingRuns.NONE, runs.find(log, 150));
        assertEquals(MissingRuns.NONE, runs.find(log, 211));
        assertTrue(runs.find(log, 205) != runs.find(log, 105));
    }
}
