package dev.hearsay.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class StallProbeTest
{
    /** A clock that advances 1 us a read, except at the reads given, where it jumps by the gap given. */
    private static java.util.function.LongSupplier clock(final long[] atRead, final long[] gapNanos)
    {
        final long[] state = new long[2]; // reads, time
        return () ->
        {
            long step = 1_000;
            for (int i = 0; i < atRead.length; i++)
            {
                if (atRead[i] == state[0])
                {
                    step = gapNanos[i];
                }
            }
            state[0]++;
            state[1] += step;
            return state[1];
        };
    }

    @Test
    void countsTheGapsOverTheThresholdsAndTheTimeTheyTook()
    {
        final StallProbe probe = new StallProbe(clock(new long[] {10, 20, 30, 40},
            new long[] {StallProbe.GAP_NANOS, 60_000, 300_000, 1_500_000}));
        probe.run(TimeUnit.MILLISECONDS.toNanos(5));

        assertEquals(3, probe.gaps(), "60 us, 300 us and 1.5 ms; exactly 50 us is not a gap");
        assertEquals(2, probe.longGaps(), "300 us and 1.5 ms");
        assertEquals(1_500_000, probe.maxGapNanos());
        assertTrue(probe.probedNanos() >= TimeUnit.MILLISECONDS.toNanos(5), "ran its time: " + probe.probedNanos());
        assertEquals(1_860_000.0 / probe.probedNanos(), probe.lostFraction(), 1e-9);

        final long before = probe.probedNanos();
        probe.run(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(probe.probedNanos() >= before + TimeUnit.MILLISECONDS.toNanos(1), "adds up over rounds");
        assertEquals(3, probe.gaps(), "no gap in the second run");
    }

    /** On the real clock the probe spins its time and reports figures that can be true. */
    @Test
    void onTheRealClockItSpinsItsTime()
    {
        final StallProbe probe = new StallProbe();
        probe.run(TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(probe.probedNanos() >= TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(probe.lostFraction() >= 0 && probe.lostFraction() <= 1);
        assertTrue(probe.maxGapNanos() <= probe.probedNanos());
        assertTrue(probe.longGaps() <= probe.gaps());
    }
}
