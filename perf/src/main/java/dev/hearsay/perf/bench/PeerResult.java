package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/** Figures of the peer baseline ({@code --peer}) over a bench run, filled in by {@link PeerPhases}. */
final class PeerResult
{
    /** The peer, as given to {@code --peer}. */
    String name;
    /** Its library version. */
    String version;
    /** Its protocol stack in one line. */
    String stack;
    int members;
    int publishers;
    double setupSeconds;

    // Max rate, over the measured windows.
    long maxWindowNanos;
    long maxDeliveriesInWindows;
    long maxSent;
    long maxExpected;
    long maxDelivered;

    // Fixed rate.
    long rateSent;
    long rateSendNanos;
    long rateExpected;
    long rateDelivered;

    /** Deliveries out of their publisher's order, duplicated or after a gap, over the whole run (warm-up included). */
    long outOfOrder;
    /** Retransmission requests (NAKACK2) and bundler drops for a full queue over the run (-1: not readable). */
    long retransmissionRequests;
    long bundlerDrops;

    final Histogram maxRate = LatencyRecorders.histogram();
    final Histogram rateCorrected = LatencyRecorders.histogram();
    final Histogram rateUncorrected = LatencyRecorders.histogram();
    final Histogram pacingLag = LatencyRecorders.histogram();

    /** Per measured round: deliveries per second at max rate, and the fixed rate's corrected p50 in microseconds. */
    final List<Double> roundDeliveriesPerSecond = new ArrayList<>();
    final List<Double> roundRateP50Micros = new ArrayList<>();

    double deliveriesPerSecond()
    {
        return maxWindowNanos == 0 ? 0 : maxDeliveriesInWindows * 1e9 / maxWindowNanos;
    }

    double maxReliability()
    {
        return maxExpected == 0 ? Double.NaN : (double)maxDelivered / maxExpected;
    }

    double rateReliability()
    {
        return rateExpected == 0 ? Double.NaN : (double)rateDelivered / rateExpected;
    }

    double achievedRate()
    {
        return rateSendNanos == 0 ? 0 : rateSent * 1e9 / rateSendNanos;
    }
}
