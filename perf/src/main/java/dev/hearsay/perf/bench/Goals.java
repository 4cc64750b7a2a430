package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The goals of issues 5 and 21, judged on one run's figures. A goal whose setup differs from the run is not evaluated. */
final class Goals
{
    /** Deliveries per second a 5-node cluster with 64-byte payloads must reach. */
    static final double THROUGHPUT_GOAL = 1_000_000;
    /** Under this many bytes per delivery no message can have allocated an object (16 bytes at least). */
    static final double ALLOCATION_TOLERANCE = 0.1;
    /** Deliveries per second a 5-node signing and verifying cluster with 64-byte payloads should reach. */
    static final double SIGNED_GOAL = 100_000;
    /** The fixed rate of the latency goal. */
    static final long LATENCY_GOAL_RATE = 10_000;

    /** One judged goal. */
    record Goal(String id, String text, Verdict verdict, String measured)
    {
    }

    /** Outcome of a goal. */
    enum Verdict
    {
        MET("met"),
        NOT_MET("NOT MET"),
        NOT_EVALUATED("not evaluated");

        final String label;

        Verdict(final String label)
        {
            this.label = label;
        }
    }

    private Goals()
    {
    }

    static List<Goal> judge(final BenchResult r)
    {
        final BenchOptions o = r.options;
        final List<Goal> goals = new ArrayList<>();

        final double rate = r.deliveriesPerSecond();
        final String throughputText = "delivered >= 1,000,000 msg/s, 5 nodes, 64 B payloads";
        if (o.nodes == 5 && o.size == 64)
        {
            goals.add(new Goal("throughput", throughputText, verdict(rate >= THROUGHPUT_GOAL),
                String.format(Locale.ROOT, "%,.0f msg/s = %.3f x Netty one-way%s", rate,
                    rate / r.nettyOneWayPerSecond(), o.window > 0 ? " (publishers windowed by the bench)" : "")));
        }
        else
        {
            goals.add(new Goal("throughput", throughputText, Verdict.NOT_EVALUATED,
                "needs --nodes 5 --size 64"));
        }

        final long lost = r.maxExpected - r.maxDelivered;
        goals.add(new Goal("reliability", "nothing lost at max publish rate (reliability 1.00)",
            r.maxExpected == 0 || o.window > 0 ? Verdict.NOT_EVALUATED : verdict(lost <= 0),
            String.format(Locale.ROOT, "%.6f, %,d lost of %,d; publishers back-pressured %,d times%s",
                r.maxReliability(), Math.max(0, lost), r.maxExpected, r.backPressuredAttempts,
                o.window > 0 ? " (not overload: publishers windowed by the bench)" : "")));

        final String latencyText = "one hop at 10,000 msg/s (2 nodes): p99 <= 2 x and p99.9 <= 4 x Netty RTT/2 paced "
            + "at the same rate";
        final Histogram engine = r.engineLatencyForGoal();
        if (o.nodes == 2 && o.rate == LATENCY_GOAL_RATE && engine.getTotalCount() > 0
            && r.nettyRttPaced.getTotalCount() > 0)
        {
            // A round trip halves into one hop, like Netty's.
            final double divisor = engine == r.latencies.rttCorrected ? 2 : 1;
            final double p99 = engine.getValueAtPercentile(99) / divisor;
            final double p999 = engine.getValueAtPercentile(99.9) / divisor;
            // The yardstick: Netty's round trip paced like the hop (a ping at each slot, timed from the slot), so
            // that both pay the same scheduling at this rate; a closed loop pays none of it and is shown apart.
            final double half99 = r.nettyRttPaced.getValueAtPercentile(99) / 2.0;
            final double half999 = r.nettyRttPaced.getValueAtPercentile(99.9) / 2.0;
            final boolean met = p99 <= 2 * half99 && p999 <= 4 * half999;
            final String closed = r.nettyRtt.getTotalCount() == 0 ? "" : String.format(Locale.ROOT,
                "; against Netty's closed-loop RTT/2 (%.1f / %.1f us): p99 %.2f x, p99.9 %.2f x",
                r.nettyRtt.getValueAtPercentile(99) / 2e3, r.nettyRtt.getValueAtPercentile(99.9) / 2e3,
                p99 / (r.nettyRtt.getValueAtPercentile(99) / 2.0),
                p999 / (r.nettyRtt.getValueAtPercentile(99.9) / 2.0));
            // The floor measured against the same limits: where it misses them too, no engine with this many
            // thread hand-offs per hop could meet them on this machine in this run.
            final String floor = closed + (r.handoff.getTotalCount() == 0 ? "" : String.format(Locale.ROOT,
                "; %d bare thread hand-offs in the same run (no engine, no sockets): p99 %.1f us = %.2f x, "
                    + "p99.9 %.1f us = %.2f x of paced RTT/2 (%s the limits alone)", r.handoffs,
                r.handoff.getValueAtPercentile(99) / 1e3, r.handoff.getValueAtPercentile(99) / half99,
                r.handoff.getValueAtPercentile(99.9) / 1e3, r.handoff.getValueAtPercentile(99.9) / half999,
                r.handoff.getValueAtPercentile(99) <= 2 * half99
                    && r.handoff.getValueAtPercentile(99.9) <= 4 * half999 ? "within" : "outside"));
            // What the pacer loses before it calls the engine is in every corrected sample too.
            final Histogram lag = r.latencies.pacingLag;
            final String pacer = lag.getTotalCount() == 0 || divisor != 1 ? "" : String.format(Locale.ROOT,
                "; the publisher's own lateness at its slots, before it calls the engine: p99 %.1f us = %.2f x, "
                    + "p99.9 %.1f us = %.2f x of paced RTT/2", lag.getValueAtPercentile(99) / 1e3,
                lag.getValueAtPercentile(99) / half99, lag.getValueAtPercentile(99.9) / 1e3,
                lag.getValueAtPercentile(99.9) / half999);
            goals.add(new Goal("latency", latencyText, verdict(met), String.format(Locale.ROOT,
                "p99 %.1f us = %.2f x (limit 2), p99.9 %.1f us = %.2f x (limit 4) of paced RTT/2 %.1f / %.1f us%s%s",
                p99 / 1e3, p99 / half99, p999 / 1e3, p999 / half999, half99 / 1e3, half999 / 1e3, floor, pacer)));
        }
        else if (o.nodes == 2 && o.rate == LATENCY_GOAL_RATE && engine.getTotalCount() > 0)
        {
            goals.add(new Goal("latency", latencyText, Verdict.NOT_EVALUATED, "no paced Netty baseline in this run"));
        }
        else
        {
            goals.add(new Goal("latency", latencyText, Verdict.NOT_EVALUATED, "needs --nodes 2 --rate 10000"));
        }

        for (final SecureResult s : r.secure)
        {
            final double secure = s.deliveriesPerSecond();
            final double ratio = secure / rate;
            final String measured = String.format(Locale.ROOT, "%,.0f msg/s = %.3f x plain (%,.0f), reliability %.6f",
                secure, ratio, rate, s.maxReliability());
            if (s.variant == SecureVariant.SIGN)
            {
                final String text = "signed and verified: delivered >= 100,000 msg/s, reliability 1.00, 5 nodes, 64 B";
                goals.add(new Goal("signed", text, o.nodes == 5 && o.size == 64 ?
                    verdict(secure >= SIGNED_GOAL && s.maxDelivered >= s.maxExpected) : Verdict.NOT_EVALUATED,
                    measured));
            }
            else
            {
                goals.add(new Goal("tls", "TLS: delivered >= 0.8 x plain in the same run", verdict(ratio >= 0.8),
                    measured));
            }
        }

        final double bytes = r.bytesPerDelivery();
        goals.add(new Goal("allocation", "0 bytes allocated per delivered message (steady state, max rate)",
            Double.isNaN(bytes) ? Verdict.NOT_EVALUATED : verdict(bytes < ALLOCATION_TOLERANCE),
            String.format(Locale.ROOT, "%.4f B per delivery (%,d B over %,d deliveries; tolerance %.1f B)", bytes,
                BenchResult.total(r.maxAllocated), r.maxDeliveriesInWindows, ALLOCATION_TOLERANCE)));
        return goals;
    }

    private static Verdict verdict(final boolean met)
    {
        return met ? Verdict.MET : Verdict.NOT_MET;
    }
}
