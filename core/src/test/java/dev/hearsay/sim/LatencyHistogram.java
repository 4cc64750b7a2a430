package dev.hearsay.sim;

import java.util.Arrays;

/**
 * Log-linear histogram of non-negative durations in microseconds: exact below 2,048 us, then 1,024 buckets per
 * power of two (relative error under 0.1%). Fixed size, no allocation when recording; the maximum is exact. Kept in
 * core so the simulator does not depend on HdrHistogram, which only the perf module has.
 */
public final class LatencyHistogram
{
    private static final int LINEAR = 2048;
    private static final int SUB_BITS = 10;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int MAX_EXPONENT = 50;
    private static final int LINEAR_EXPONENT = 11;

    private final long[] counts = new long[LINEAR + (MAX_EXPONENT - LINEAR_EXPONENT + 1) * SUB_BUCKETS];
    private long total;
    private long max;
    private long min = Long.MAX_VALUE;
    private double sum;

    /** Records one value in microseconds; negative values count as 0. */
    public void record(final long micros)
    {
        final long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        sum += v;
        if (v > max)
        {
            max = v;
        }
        if (v < min)
        {
            min = v;
        }
    }

    /** Adds every value of {@code other}. */
    public void add(final LatencyHistogram other)
    {
        for (int i = 0; i < counts.length; i++)
        {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        max = Math.max(max, other.max);
        min = Math.min(min, other.min);
    }

    /** Forgets every value. */
    public void reset()
    {
        Arrays.fill(counts, 0);
        total = 0;
        max = 0;
        min = Long.MAX_VALUE;
        sum = 0;
    }

    /** Number of values recorded. */
    public long count()
    {
        return total;
    }

    /** Largest value, exact; 0 when empty. */
    public long max()
    {
        return max;
    }

    /** Mean value; 0 when empty. */
    public double mean()
    {
        return total == 0 ? 0 : sum / total;
    }

    /**
     * The value at {@code percentile} (0 to 100): the lower bound of the bucket holding the value of that rank,
     * or the exact maximum for the top rank; 0 when empty.
     */
    public long percentile(final double percentile)
    {
        if (total == 0)
        {
            return 0;
        }
        final long rank = Math.max(1, (long)Math.ceil(percentile / 100.0 * total));
        if (rank >= total)
        {
            return max;
        }
        long seen = 0;
        for (int i = 0; i < counts.length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.min(max, Math.max(min, lowerBound(i)));
            }
        }
        return max;
    }

    static int index(final long v)
    {
        if (v < LINEAR)
        {
            return (int)v;
        }
        final int exponent = Math.min(MAX_EXPONENT, 63 - Long.numberOfLeadingZeros(v));
        final int sub = (int)((v >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1));
        return LINEAR + (exponent - LINEAR_EXPONENT) * SUB_BUCKETS + sub;
    }

    static long lowerBound(final int index)
    {
        if (index < LINEAR)
        {
            return index;
        }
        final int exponent = (index - LINEAR) / SUB_BUCKETS + LINEAR_EXPONENT;
        final int sub = (index - LINEAR) % SUB_BUCKETS;
        return (1L << exponent) | ((long)sub << (exponent - SUB_BITS));
    }
}
