package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * The bench's default output: one screen with what a reader compares first. Throughput and reliability, the
 * engine against the baselines measured in the same run (the raw Disruptor, raw Netty, and the peer library and the
 * secure configurations when asked for), latency at the fixed rate beside Netty's paced round trip, allocation, and
 * every goal with its verdict. {@link BenchReport#text} is the full report ({@code --verbose}).
 */
final class BenchSummary
{
    private BenchSummary()
    {
    }

    static String text(final BenchResult r, final List<Goals.Goal> goals)
    {
        final BenchOptions o = r.options;
        final int receivers = o.nodes - 1;
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Hearsay bench: %d nodes on loopback %s, %d-byte payloads, %d "
            + "publisher%s%n", o.nodes, o.processes ? "(one JVM each)" : "in one JVM", o.size, o.publishers,
            o.publishers == 1 ? "" : "s"));
        sb.append("  ").append(o.commandLine()).append('\n');
        sb.append(String.format(Locale.ROOT, "  %s, %d vCPUs, load average %.2f before, %.2f after%n", r.jvm, r.cpus,
            r.loadBefore, r.loadAfter));
        if (!r.overlayConnected || r.runCounters.getOrDefault("neighborsLost", 0L) > 0
            || r.runCounters.getOrDefault("slowPeerDisconnects", 0L) > 0)
        {
            sb.append("  WARNING: the overlay lost links during the run: the figures are of a damaged cluster\n");
        }
        sb.append('\n');

        final double engine = r.deliveriesPerSecond();
        sb.append(String.format(Locale.ROOT, "%-13s %,.0f msg/s delivered to %d receiver%s at max rate; reliability "
            + "%.6f (%,d lost)%n", "throughput", engine, receivers, receivers == 1 ? "" : "s", r.maxReliability(),
            Math.max(0, r.maxExpected - r.maxDelivered)));
        final StringBuilder ratios = new StringBuilder();
        ratios.append(String.format(Locale.ROOT, "Disruptor %s events/s x%.2f, Netty one-way %s frames/s x%.3f",
            millions(r.disruptorPerSecond()), engine / r.disruptorPerSecond(), millions(r.nettyOneWayPerSecond()),
            engine / r.nettyOneWayPerSecond()));
        if (r.peer != null)
        {
            ratios.append(String.format(Locale.ROOT, ", JGroups %s msg/s x%.2f", millions(r.peer.deliveriesPerSecond()),
                engine / r.peer.deliveriesPerSecond()));
        }
        sb.append(String.format(Locale.ROOT, "%-13s %s%n", "  engine vs", ratios));
        for (final SecureResult s : r.secure)
        {
            sb.append(String.format(Locale.ROOT, "%-13s %,.0f msg/s = x%.3f plain; reliability %.6f%n",
                "  " + s.variant.cliName, s.deliveriesPerSecond(), s.deliveriesPerSecond() / engine,
                s.maxReliability()));
        }
        sb.append(String.format(Locale.ROOT, "%-13s %.3f B per delivery at max rate%n", "allocation",
            r.bytesPerDelivery()));
        sb.append('\n');

        if (!o.processes && r.latencies.rateCorrected.getTotalCount() > 0)
        {
            sb.append(String.format(Locale.ROOT, "%-28s %8s %8s %8s %8s%n",
                String.format(Locale.ROOT, "latency at %,d msg/s, us", o.rate), "p50", "p90", "p99", "p99.9"));
            row(sb, "engine, every receiver", r.latencies.rateCorrected, 1);
            row(sb, "engine, one hop", r.latencies.rateOneHop, 1);
            if (r.peer != null)
            {
                row(sb, "JGroups, every receiver", r.peer.rateCorrected, 1);
            }
            for (final SecureResult s : r.secure)
            {
                row(sb, s.variant.cliName + ", every receiver", s.rateCorrected, 1);
            }
            if (r.nettyRttPaced.getTotalCount() > 0)
            {
                row(sb, "Netty RTT/2 at this rate", r.nettyRttPaced, 2);
            }
            sb.append("  (one-way from each message's intended send time: coordinated omission corrected)\n\n");
        }
        else if (r.latencies.rttCorrected.getTotalCount() > 0)
        {
            sb.append(String.format(Locale.ROOT, "%-28s %8s %8s %8s %8s%n",
                String.format(Locale.ROOT, "round trip at %,d msg/s, us", o.rate), "p50", "p90", "p99", "p99.9"));
            row(sb, "engine, echoed", r.latencies.rttCorrected, 1);
            row(sb, "Netty ping-pong", r.nettyRtt, 1);
            sb.append('\n');
        }

        sb.append("goals\n");
        for (final Goals.Goal g : goals)
        {
            sb.append(String.format(Locale.ROOT, "  %-15s %s%n", "[" + g.verdict().label + "]", g.text()));
        }
        sb.append("\n--verbose: the full report (setup, per node, CPU, GC, protocol counters, rounds, what each goal "
            + "measured)\n--json: every figure; --report DIR: histograms and charts");
        return sb.toString();
    }

    private static void row(final StringBuilder sb, final String name, final Histogram h, final double divisor)
    {
        if (h.getTotalCount() == 0)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT, "  %-26s %8s %8s %8s %8s%n", name,
            BenchReport.us(h.getValueAtPercentile(50) / divisor), BenchReport.us(h.getValueAtPercentile(90) / divisor),
            BenchReport.us(h.getValueAtPercentile(99) / divisor), BenchReport.us(h.getValueAtPercentile(99.9) / divisor)));
    }

    private static String millions(final double perSecond)
    {
        return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
    }
}
