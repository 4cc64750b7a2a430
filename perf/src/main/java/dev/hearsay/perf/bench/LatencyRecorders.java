package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The latency histograms one process records, in nanoseconds. Written by its receiver thread without allocation
 * (HdrHistogram {@link Recorder}s, wait-free); read by the controller between phases.
 */
final class LatencyRecorders
{
    /** Largest value kept: a minute; anything longer is clamped (and would be plainly visible as the max). */
    static final long HIGHEST = 60_000_000_000L;
    /** Value precision of every histogram. */
    static final int DIGITS = 3;

    /** One-way, max rate, from the publisher's first attempt (includes queueing behind back-pressure). */
    final Recorder maxRate = recorder();
    /** One-way, fixed rate, from the intended send time (corrected for coordinated omission). */
    final Recorder rateCorrected = recorder();
    /** One-way, fixed rate, from the moment broadcast was first called (uncorrected). */
    final Recorder rateUncorrected = recorder();
    /** One-way, fixed rate, corrected, deliveries straight from the author only (hops = 0). */
    final Recorder rateOneHop = recorder();
    /** How late the publisher's first attempt was against its schedule (the pacer's own lag, not the engine's). */
    final Recorder pacingLag = recorder();
    /** Round trip to a designated node and back (multi-process), from the intended send time. */
    final Recorder rttCorrected = recorder();
    /** Round trip, from the first broadcast call. */
    final Recorder rttUncorrected = recorder();

    static Recorder recorder()
    {
        return new Recorder(HIGHEST, DIGITS);
    }

    static Histogram histogram()
    {
        return new Histogram(HIGHEST, DIGITS);
    }

    static void record(final Recorder recorder, final long nanos)
    {
        recorder.recordValue(Math.min(Math.max(nanos, 0), HIGHEST));
    }

    /** Drops everything recorded so far (after a warm-up). */
    void reset()
    {
        maxRate.reset();
        rateCorrected.reset();
        rateUncorrected.reset();
        rateOneHop.reset();
        pacingLag.reset();
        rttCorrected.reset();
        rttUncorrected.reset();
    }
}
