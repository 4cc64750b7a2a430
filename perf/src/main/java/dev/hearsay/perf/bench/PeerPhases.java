package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The peer baseline's part of each bench round ({@code --peer jgroups}): {@link JGroupsBaseline} at max rate and at
 * the bench's fixed rate, for as long as the engine's own phases of the round, with the same node count, payload
 * size, publishers and schedule; the figures go into a {@link PeerResult}.
 */
final class PeerPhases implements AutoCloseable
{
    private static final long JOIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final JGroupsBaseline baseline;
    private final Progress progress;
    private final PeerResult result = new PeerResult();

    private PeerPhases(final JGroupsBaseline baseline, final Progress progress)
    {
        this.baseline = baseline;
        this.progress = progress;
        result.name = JGroupsBaseline.NAME;
        result.version = JGroupsBaseline.version();
        result.stack = JGroupsBaseline.STACK;
        result.members = baseline.members();
        result.publishers = baseline.publishers();
        result.setupSeconds = baseline.setupSeconds();
    }

    /** Starts the peer the options ask for; null without {@code --peer}. */
    static PeerPhases start(final BenchOptions options, final Progress progress)
    {
        if (options.peer == null)
        {
            return null;
        }
        progress.show("starting " + options.nodes + " JGroups members");
        return new PeerPhases(new JGroupsBaseline(options.nodes, options.publishers, options.size, options.rate,
            JOIN_TIMEOUT_NANOS), progress);
    }

    PeerResult result()
    {
        return result;
    }

    /**
     * One round: max rate for {@code maxNanos} (measured after {@code rampNanos}), then the fixed rate for
     * {@code rateNanos}. Warm-up rounds are counted for nothing and their latencies dropped.
     */
    void round(final String name, final long maxNanos, final long rateNanos, final long rampNanos,
        final boolean warmup)
    {
        progress.show(name + ": JGroups, max rate");
        final JGroupsBaseline.Phase max = baseline.maxRate(rampNanos, maxNanos, warmup);
        warnIfMissing(max, "JGroups, max rate");
        progress.show(name + ": JGroups, fixed rate");
        final JGroupsBaseline.Phase paced = baseline.fixedRate(rateNanos, warmup);
        warnIfMissing(paced, "JGroups, fixed rate");
        result.outOfOrder = baseline.outOfOrder();
        result.retransmissionRequests = baseline.retransmissionRequests();
        result.bundlerDrops = baseline.bundlerDrops();
        if (warmup)
        {
            baseline.resetLatency();
            return;
        }
        result.maxWindowNanos += max.windowNanos();
        result.maxDeliveriesInWindows += max.windowDeliveries();
        result.maxSent += max.sent();
        result.maxExpected += max.expected();
        result.maxDelivered += max.delivered();
        result.rateSent += paced.sent();
        result.rateSendNanos += paced.sendNanos();
        result.rateExpected += paced.expected();
        result.rateDelivered += paced.delivered();
        final Histogram corrected = LatencyRecorders.histogram();
        baseline.takeLatency(result.maxRate, corrected, result.rateUncorrected, result.pacingLag);
        result.rateCorrected.add(corrected);
        result.roundDeliveriesPerSecond.add(max.deliveriesPerSecond());
        result.roundRateP50Micros.add(corrected.getTotalCount() == 0 ? Double.NaN :
            corrected.getValueAtPercentile(50) / 1e3);
    }

    private void warnIfMissing(final JGroupsBaseline.Phase phase, final String label)
    {
        if (phase.delivered() < phase.expected())
        {
            progress.warn(String.format(Locale.ROOT, "%s: %,d of %,d deliveries after the publishers stopped; the "
                + "rest counts as lost", label, phase.delivered(), phase.expected()));
        }
    }

    @Override
    public void close()
    {
        baseline.close();
    }
}
