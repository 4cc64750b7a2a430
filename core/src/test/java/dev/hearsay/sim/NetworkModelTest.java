package dev.hearsay.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class NetworkModelTest
{
    @Test
    void latencyIsFixedPerOrderedPairUniformInRangeAndSeeded()
    {
        final SimConfig config = SimConfig.builder().seed(3).build();
        final Simulator a = new Simulator(config);
        final Simulator b = new Simulator(config);
        final Simulator other = new Simulator(SimConfig.builder().seed(4).build());
        final int n = 200;
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        int differ = 0;
        int asymmetric = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                final long l = a.latency(i, j);
                assertEquals(l, a.latency(i, j));
                assertEquals(l, b.latency(i, j));
                differ += l != other.latency(i, j) ? 1 : 0;
                asymmetric += l != a.latency(j, i) ? 1 : 0;
                min = Math.min(min, l);
                max = Math.max(max, l);
                sum += l;
            }
        }
        assertTrue(min >= 10_000_000L && max <= 100_000_000L, min + ".." + max);
        assertTrue(min < 11_000_000L && max > 99_000_000L, "range not covered: " + min + ".." + max);
        final double mean = (double)sum / (n * n);
        assertEquals(55_000_000.0, mean, 1_000_000.0);
        assertTrue(differ > n * n * 0.9);
        assertTrue(asymmetric > n * n * 0.9);
    }

    @Test
    void configRejectsBadValues()
    {
        assertThrows(IllegalArgumentException.class, () -> SimConfig.builder().nodes(0).build());
        assertThrows(IllegalArgumentException.class, () -> SimConfig.builder().lossRate(1.0).build());
        assertThrows(IllegalArgumentException.class,
            () -> SimConfig.builder().latency(Duration.ofMillis(5), Duration.ofMillis(1)).build());
        assertThrows(IllegalArgumentException.class, () -> SimConfig.builder().payloadSize(4).build());
        assertNotEquals(SimConfig.builder().build().toString(), "");
    }
}
