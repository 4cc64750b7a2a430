package dev.hearsay.perf.bench;

import dev.hearsay.perf.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The secure configurations' part of the bench report ({@code --sign}, {@code --tls}): beside the plain run, with ratios. */
final class SecureReport
{
    private SecureReport()
    {
    }

    /** The text section; empty without a secure configuration. */
    static String text(final BenchResult r)
    {
        if (r.secure.isEmpty())
        {
            return "";
        }
        final double plain = r.deliveriesPerSecond();
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Secure configurations, each a cluster of its own measured at the fixed "
            + "rate and at max rate right after the plain cluster's max rate in every round, each for as long (same "
            + "nodes, payload, publishers)%n"));
        sb.append(String.format(Locale.ROOT, "  %-6s %16s %10s %12s  %s%n", "config", "deliveries/s", "x plain",
            "reliability", "per round (x plain)"));
        sb.append(String.format(Locale.ROOT, "  %-6s %,16.0f %10.3f %12.6f%n", "plain", plain, 1.0,
            r.maxReliability()));
        for (final SecureResult s : r.secure)
        {
            final StringBuilder rounds = new StringBuilder();
            for (int i = 0; i < s.roundDeliveriesPerSecond.size(); i++)
            {
                final double p = i < r.roundFigures.size() ? r.roundFigures.get(i).engineDeliveriesPerSecond
                    : Double.NaN;
                final double d = s.roundDeliveriesPerSecond.get(i);
                rounds.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%,.0f (%.2f)", d, d / p));
            }
            sb.append(String.format(Locale.ROOT, "  %-6s %,16.0f %10.3f %12.6f  %s%n", s.variant.cliName,
                s.deliveriesPerSecond(), s.deliveriesPerSecond() / plain, s.maxReliability(), rounds));
        }
        for (final SecureResult s : r.secure)
        {
            sb.append(String.format(Locale.ROOT, "  %s: %s; %,d of %,d deliveries after the publishers stopped; set "
                + "up in %.1f s%s%n", s.variant.cliName, s.variant.description, s.maxDelivered, s.maxExpected,
                s.setupSeconds, s.overlayConnected ? "" : ", OVERLAY NOT CONNECTED"));
            if (s.rateCorrected.getTotalCount() > 0)
            {
                sb.append(String.format(Locale.ROOT, "    at %,d msg/s: p50 %s, p99 %s, p99.9 %s us (plain p50 %s, p99 "
                    + "%s, p99.9 %s); %,d of %,d delivered%n", r.options.rate,
                    BenchReport.us(s.rateCorrected.getValueAtPercentile(50)),
                    BenchReport.us(s.rateCorrected.getValueAtPercentile(99)),
                    BenchReport.us(s.rateCorrected.getValueAtPercentile(99.9)),
                    BenchReport.us(r.latencies.rateCorrected.getValueAtPercentile(50)),
                    BenchReport.us(r.latencies.rateCorrected.getValueAtPercentile(99)),
                    BenchReport.us(r.latencies.rateCorrected.getValueAtPercentile(99.9)),
                    s.rateDelivered, s.rateExpected));
            }
            if (s.variant == SecureVariant.SIGN)
            {
                sb.append(String.format(Locale.ROOT, "    signatures verified on I/O threads %,d, on dispatchers %,d; "
                    + "checks skipped as duplicates %,d; invalid or missing %,d (all nodes, measured rounds)%n",
                    s.counters.getOrDefault("signaturesVerified", 0L),
                    s.counters.getOrDefault("signaturesVerifiedByDispatcher", 0L),
                    s.counters.getOrDefault("signatureChecksSkipped", 0L),
                    s.counters.getOrDefault("signaturesInvalid", 0L)));
                final long shared = s.counters.getOrDefault("signatureChecksBySharedRoot", 0L);
                final long checks = s.counters.getOrDefault("signaturesVerified", 0L)
                    + s.counters.getOrDefault("signaturesVerifiedByDispatcher", 0L);
                final long inRuns = s.counters.getOrDefault("messagesSignedInRuns", 0L);
                final long runs = s.counters.getOrDefault("runSignatures", 0L);
                sb.append(String.format(Locale.ROOT, "    authors signed %,d messages alone and %,d in %,d runs (%.1f per "
                    + "signature); receivers ran %,d Ed25519 verifications, %,d checks settled by a verified root%n",
                    s.counters.getOrDefault("messagesSignedAlone", 0L), inRuns, runs,
                    runs == 0 ? 0.0 : (double)inRuns / runs, checks - shared, shared));
            }
        }
        return sb.append('\n').toString();
    }

    /** The JSON array of the secure configurations (empty without any). */
    static String json(final BenchResult r)
    {
        final double plain = r.deliveriesPerSecond();
        final List<String> items = new ArrayList<>();
        for (final SecureResult s : r.secure)
        {
            final List<String> rounds = new ArrayList<>();
            for (int i = 0; i < s.roundDeliveriesPerSecond.size(); i++)
            {
                final double p = i < r.roundFigures.size() ? r.roundFigures.get(i).engineDeliveriesPerSecond
                    : Double.NaN;
                final double d = s.roundDeliveriesPerSecond.get(i);
                rounds.add(new Json().field("deliveriesPerSecond", d).field("toPlain", d / p).toString());
            }
            final Json counters = new Json();
            s.counters.forEach(counters::field);
            items.add(new Json()
                .field("config", s.variant.cliName)
                .field("description", s.variant.description)
                .field("deliveriesPerSecond", s.deliveriesPerSecond())
                .field("plainDeliveriesPerSecond", plain)
                .field("toPlain", s.deliveriesPerSecond() / plain)
                .field("accepted", s.maxAccepted)
                .field("expected", s.maxExpected)
                .field("delivered", s.maxDelivered)
                .field("lost", Math.max(0, s.maxExpected - s.maxDelivered))
                .field("reliability", s.maxReliability())
                .raw("rateLatencyMicros", BenchReport.histogramJson(s.rateCorrected))
                .field("rateReliability", s.rateReliability())
                .field("setupSeconds", s.setupSeconds)
                .field("overlayConnected", s.overlayConnected)
                .raw("counters", counters.toString())
                .raw("perRound", Json.array(rounds))
                .toString());
        }
        return Json.array(items);
    }
}
