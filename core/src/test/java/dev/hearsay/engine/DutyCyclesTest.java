package dev.hearsay.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class DutyCyclesTest
{
    @Test
    void durationsGoIntoPowerOfTwoBuckets()
    {
        final DutyCycles cycles = new DutyCycles();
        cycles.record(0, 1, 0, 0);
        cycles.record(1_500, 3, 0, 1);
        cycles.record(2_047, 3, 0, 1);
        cycles.record(3_000_000, 256, DutyCycles.RAN_TIMERS, 4);
        cycles.record(Long.MAX_VALUE, 1, 0, 0);
        final long[] h = cycles.histogram();
        assertEquals(1, h[0]);
        assertEquals(2, h[10], "1,024-2,047 ns");
        assertEquals(1, h[21], "2,097,152-4,194,303 ns");
        assertEquals(1, h[DutyCycles.BUCKETS - 1], "the last bucket holds everything longer");
        assertEquals(5, java.util.Arrays.stream(h).sum());
        assertEquals(2, cycles.atLeast(1_000_000), "from the bucket holding 1 ms up");
        assertEquals(4, cycles.atLeast(1_024));
    }
}
