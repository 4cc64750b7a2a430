package dev.hearsay.perf.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures of one secure configuration measured beside the plain one ({@code --sign}, {@code --tls}). */
final class SecureResult
{
    SecureVariant variant;
    double setupSeconds;
    boolean overlayConnected;
    long maxAccepted;
    long maxExpected;
    long maxDelivered;
    long maxDeliveriesInWindows;
    long maxWindowNanos;
    /** One-way latency at the fixed rate ({@code --rate}), every receiver, from the intended send time. */
    final org.HdrHistogram.Histogram rateCorrected = LatencyRecorders.histogram();
    long rateExpected;
    long rateDelivered;
    /** Deliveries per second of each measured round (summed over the receivers). */
    final List<Double> roundDeliveriesPerSecond = new ArrayList<>();
    /** Counters over the measured rounds, summed over the nodes ({@link NodeCounters#NAMES}). */
    final Map<String, Long> counters = new LinkedHashMap<>();

    double deliveriesPerSecond()
    {
        return maxWindowNanos == 0 ? 0 : maxDeliveriesInWindows * 1e9 / maxWindowNanos;
    }

    double rateReliability()
    {
        return rateExpected == 0 ? Double.NaN : (double)rateDelivered / rateExpected;
    }

    double maxReliability()
    {
        return maxExpected == 0 ? Double.NaN : (double)maxDelivered / maxExpected;
    }
}
