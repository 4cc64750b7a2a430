package dev.hearsay.perf.bench;

import dev.hearsay.perf.Json;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The peer baseline's part of the bench report ({@code --peer}): its figures beside the engine's, with ratios. */
final class PeerReport
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    private PeerReport()
    {
    }

    /** The text section; empty without a peer. */
    static String text(final BenchResult r)
    {
        final PeerResult p = r.peer;
        if (p == null)
        {
            return "";
        }
        final BenchOptions o = r.options;
        final int receivers = p.members - 1;
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Peer baseline: JGroups %s, measured in the same run, interleaved with "
            + "the engine (same rounds, phase lengths, nodes, payload, publishers and schedule)%n", p.version));
        row(sb, "cluster", String.format(Locale.ROOT, "%d members in this JVM, %d publishing %d-byte multicasts; %s; "
            + "delivered to a Receiver on JGroups' threads; joined in %.1f s", p.members, p.publishers, o.size,
            p.stack, p.setupSeconds));
        final double engine = r.deliveriesPerSecond();
        final double peer = p.deliveriesPerSecond();
        row(sb, "max rate", String.format(Locale.ROOT, "%,.0f msg/s summed over %d receiver%s (%,.0f multicasts/s); "
            + "engine %,.0f msg/s = %.2f x JGroups", peer, receivers, receivers == 1 ? "" : "s",
            peer / Math.max(1, receivers), engine, engine / peer));
        final StringBuilder rounds = new StringBuilder();
        for (int i = 0; i < p.roundDeliveriesPerSecond.size(); i++)
        {
            final double e = i < r.roundFigures.size() ? r.roundFigures.get(i).engineDeliveriesPerSecond : Double.NaN;
            final double j = p.roundDeliveriesPerSecond.get(i);
            rounds.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%,.0f (engine %.2f x)", j, e / j));
        }
        row(sb, "per round", rounds + " msg/s");
        row(sb, "reliability", String.format(Locale.ROOT, "%.6f at max rate (%,d of %,d deliveries), %.6f at %,d "
            + "msg/s (%,d of %,d; achieved %,.0f msg/s); %,d delivered out of order, twice or after a gap",
            p.maxReliability(), p.maxDelivered, p.maxExpected, p.rateReliability(), o.rate, p.rateDelivered,
            p.rateExpected, p.achievedRate(), p.outOfOrder));
        row(sb, "repair", String.format(Locale.ROOT, "%,d retransmission requests (NAKACK2), %s messages dropped by "
            + "a full bundler queue, over the run", p.retransmissionRequests, p.bundlerDrops < 0 ? "?"
            : String.format(Locale.ROOT, "%,d", p.bundlerDrops)));
        sb.append(String.format(Locale.ROOT, "  %-30s %9s %9s %9s %9s %9s %10s%n", "at " + String.format(Locale.ROOT,
            "%,d", o.rate) + " msg/s, us", "p50", "p90", "p99", "p99.9", "max", "samples"));
        final Histogram mine = r.latencies.rateCorrected;
        latencyRow(sb, "engine, every receiver *", mine);
        latencyRow(sb, "JGroups, every receiver *", p.rateCorrected);
        ratioRow(sb, "engine / JGroups", mine, p.rateCorrected);
        latencyRow(sb, "JGroups, from the send", p.rateUncorrected);
        latencyRow(sb, "JGroups publisher's lag", p.pacingLag);
        if (r.latencies.maxRate.getTotalCount() > 0 || p.maxRate.getTotalCount() > 0)
        {
            sb.append(String.format(Locale.ROOT, "  %-30s%n", "at max rate, us"));
            latencyRow(sb, "engine, from the first attempt", r.latencies.maxRate);
            latencyRow(sb, "JGroups, from the send call", p.maxRate);
        }
        sb.append(String.format(Locale.ROOT, "  * from the slot (corrected for coordinated omission); the engine's "
            + "deliveries reach %s, JGroups' its%n    Receiver callback on its own threads.%n",
            o.dispatcherDelivery ? "the bench's handler on the dispatcher threads"
                : o.subscriberThreads ? "one reader thread per node" : "the bench's receiver thread"));
        return sb.append('\n').toString();
    }

    /** The JSON object of the peer, or {@code null} without one. */
    static String json(final BenchResult r)
    {
        final PeerResult p = r.peer;
        if (p == null)
        {
            return "null";
        }
        final List<String> rounds = new ArrayList<>();
        for (int i = 0; i < p.roundDeliveriesPerSecond.size(); i++)
        {
            final double e = i < r.roundFigures.size() ? r.roundFigures.get(i).engineDeliveriesPerSecond : Double.NaN;
            final double j = p.roundDeliveriesPerSecond.get(i);
            rounds.add(new Json().field("deliveriesPerSecond", j).field("engineToPeer", e / j)
                .field("rateP50Micros", p.roundRateP50Micros.get(i)).toString());
        }
        final Json latency = new Json()
            .raw("rateCorrected", BenchReport.histogramJson(p.rateCorrected))
            .raw("rateUncorrected", BenchReport.histogramJson(p.rateUncorrected))
            .raw("pacingLag", BenchReport.histogramJson(p.pacingLag))
            .raw("maxRate", BenchReport.histogramJson(p.maxRate));
        final Json ratios = new Json();
        for (final double pct : PERCENTILES)
        {
            ratios.field(pct == 100 ? "max" : "p" + BenchReport.pct(pct).replace('.', '_'),
                ratio(r.latencies.rateCorrected, p.rateCorrected, pct));
        }
        return new Json()
            .field("name", p.name)
            .field("version", p.version)
            .field("stack", p.stack)
            .field("members", p.members)
            .field("publishers", p.publishers)
            .field("setupSeconds", p.setupSeconds)
            .field("deliveriesPerSecond", p.deliveriesPerSecond())
            .field("engineToPeerDeliveries", r.deliveriesPerSecond() / p.deliveriesPerSecond())
            .field("sent", p.maxSent)
            .field("expected", p.maxExpected)
            .field("delivered", p.maxDelivered)
            .field("lost", Math.max(0, p.maxExpected - p.maxDelivered))
            .field("reliability", p.maxReliability())
            .field("rateSent", p.rateSent)
            .field("rateExpected", p.rateExpected)
            .field("rateDelivered", p.rateDelivered)
            .field("rateReliability", p.rateReliability())
            .field("achievedRate", p.achievedRate())
            .field("outOfOrder", p.outOfOrder)
            .field("retransmissionRequests", p.retransmissionRequests)
            .field("bundlerDrops", p.bundlerDrops)
            .raw("latencyMicros", latency.toString())
            .raw("engineToPeerRateCorrected", ratios.toString())
            .raw("perRound", Json.array(rounds))
            .toString();
    }

    /** Engine over peer at percentile {@code pct} (100: the max); NaN if either has no samples. */
    static double ratio(final Histogram engine, final Histogram peer, final double pct)
    {
        if (engine.getTotalCount() == 0 || peer.getTotalCount() == 0)
        {
            return Double.NaN;
        }
        return (double)engine.getValueAtPercentile(pct) / peer.getValueAtPercentile(pct);
    }

    private static void latencyRow(final StringBuilder sb, final String name, final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT, "  %-30s %9s %9s %9s %9s %9s %,10d%n", name,
            BenchReport.us(h.getValueAtPercentile(50)), BenchReport.us(h.getValueAtPercentile(90)),
            BenchReport.us(h.getValueAtPercentile(99)), BenchReport.us(h.getValueAtPercentile(99.9)),
            BenchReport.us(h.getMaxValue()), h.getTotalCount()));
    }

    private static void ratioRow(final StringBuilder sb, final String name, final Histogram engine,
        final Histogram peer)
    {
        if (engine.getTotalCount() == 0 || peer.getTotalCount() == 0)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT, "  %-30s", name));
        for (final double pct : PERCENTILES)
        {
            sb.append(String.format(Locale.ROOT, " %9s", String.format(Locale.ROOT, "x%.2f",
                ratio(engine, peer, pct))));
        }
        sb.append('\n');
    }

    private static void row(final StringBuilder sb, final String name, final String value)
    {
        sb.append(String.format(Locale.ROOT, "  %-14s %s%n", name, value));
    }
}
