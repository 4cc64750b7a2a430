package dev.hearsay.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class LatencyHistogramTest
{
    @Test
    void percentilesOfUniformValuesAreWithinBucketPrecision()
    {
        final LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 1_000_000; v++)
        {
            h.record(v);
        }
        assertEquals(1_000_000, h.count());
        assertEquals(1_000_000, h.max());
        assertWithin(500_000, h.percentile(50), 0.001);
        assertWithin(990_000, h.percentile(99), 0.001);
        assertEquals(1_000_000, h.percentile(100));
        assertEquals(500_000.5, h.mean(), 1e-6);
    }

    @Test
    void smallValuesAreExact()
    {
        final LatencyHistogram h = new LatencyHistogram();
        h.record(3);
        h.record(7);
        h.record(-5);
        assertEquals(0, h.percentile(1));
        assertEquals(3, h.percentile(50));
        assertEquals(7, h.percentile(99));
        assertEquals(7, h.max());
    }

    @Test
    void bucketBoundsAreMonotonicAndCoverTheirValues()
    {
        long previous = -1;
        for (long v = 0; v < 1L << 40; v = v < 4096 ? v + 1 : v + (v >>> 7))
        {
            final int index = LatencyHistogram.index(v);
            final long lower = LatencyHistogram.lowerBound(index);
            assertTrue(lower <= v && v - lower <= Math.max(0, v >>> 10), "value " + v + " bucket lower " + lower);
            assertTrue(index >= previous);
            previous = index;
        }
    }

    @Test
    void emptyHistogramAnswersZero()
    {
        final LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentile(50));
        assertEquals(0, h.max());
        final LatencyHistogram other = new LatencyHistogram();
        other.record(42);
        h.add(other);
        assertEquals(42, h.percentile(50));
    }

    private static void assertWithin(final long expected, final long actual, final double relative)
    {
        assertTrue(Math.abs(actual - expected) <= expected * relative, "expected ~" + expected + ", got " + actual);
    }
}
