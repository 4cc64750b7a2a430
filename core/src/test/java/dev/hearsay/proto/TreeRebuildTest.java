package dev.hearsay.proto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class TreeRebuildTest
{
    private static final long MS = 1_000_000L;

    @Test
    void nothingIsDueWithoutAFailure()
    {
        final TreeRebuild rebuild = new TreeRebuild();
        assertFalse(rebuild.takeIfDue(10_000 * MS));
        assertFalse(rebuild.pending());
    }

    @Test
    void withoutRoundTripsTheShortestWaitApplies()
    {
        final TreeRebuild rebuild = new TreeRebuild();
        assertEquals(TreeRebuild.MIN_SETTLE_NANOS, rebuild.settleNanos());
        rebuild.roundTrip(MS); // a LAN: four of them are still under the floor
        assertEquals(TreeRebuild.MIN_SETTLE_NANOS, rebuild.settleNanos());
    }

    @Test
    void theWaitIsSeveralOfTheSlowestRecentRoundTrips()
    {
        final TreeRebuild rebuild = new TreeRebuild();
        rebuild.roundTrip(40 * MS);
        rebuild.roundTrip(200 * MS);
        rebuild.roundTrip(60 * MS);
        rebuild.roundTrip(-5); // a clock step back: ignored
        assertEquals(TreeRebuild.SETTLE_ROUND_TRIPS * 200 * MS, rebuild.settleNanos());
        // The slow one ages out after as many newer samples as are kept.
        for (int i = 0; i < TreeRebuild.ROUND_TRIP_SAMPLES; i++)
        {
            rebuild.roundTrip(30 * MS);
        }
        assertEquals(TreeRebuild.SETTLE_ROUND_TRIPS * 30 * MS, rebuild.settleNanos());
    }

    @Test
    void dueOnceTheOverlayHadTimeToSettleAndThenOnlyOnce()
    {
        final TreeRebuild rebuild = new TreeRebuild();
        rebuild.roundTrip(50 * MS);
        final long settle = rebuild.settleNanos();
        final long lost = 1_000 * MS;
        rebuild.neighborLost(lost);
        assertTrue(rebuild.pending());
        assertFalse(rebuild.takeIfDue(lost + settle - 1), "the replacements may still be coming");
        assertTrue(rebuild.takeIfDue(lost + settle));
        assertFalse(rebuild.takeIfDue(lost + settle + 1), "one message per burst");
        assertFalse(rebuild.pending());
    }

    @Test
    void aLaterFailureMovesTheWaitOn()
    {
        final TreeRebuild rebuild = new TreeRebuild();
        final long settle = rebuild.settleNanos();
        rebuild.neighborLost(0);
        rebuild.neighborLost(settle - 1);
        assertFalse(rebuild.takeIfDue(settle), "counted from the last failure");
        assertTrue(rebuild.takeIfDue(2 * settle - 1));
        rebuild.neighborLost(10 * settle);
        assertTrue(rebuild.takeIfDue(11 * settle), "a new burst re-arms it");
    }
}
