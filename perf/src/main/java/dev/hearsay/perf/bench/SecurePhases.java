package dev.hearsay.perf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The secure configurations' part of each bench round ({@code --sign}, {@code --tls}): for each, a cluster of its own
 * (same nodes, payload, publishers, options, on loopback in this JVM) measured at the fixed rate ({@code --rate},
 * for its latency) and at max rate right after the plain cluster's max-rate phase, each for as long as the plain
 * cluster's max-rate phase; the figures go into a {@link SecureResult} each. The clusters wait idle
 * (their dispatchers and receiver park) while the others are measured.
 */
final class SecurePhases implements AutoCloseable
{
    private static final long OVERLAY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final BenchOptions options;
    private final Progress progress;
    private final List<LocalCluster> clusters = new ArrayList<>();
    private final List<SecureResult> results = new ArrayList<>();
    private final List<long[]> expected = new ArrayList<>();

    private SecurePhases(final BenchOptions options, final Progress progress)
    {
        this.options = options;
        this.progress = progress;
    }

    /** Starts a cluster per secure configuration the options ask for; null without any. */
    static SecurePhases start(final BenchOptions options, final Progress progress)
    {
        final List<SecureVariant> variants = options.secureVariants();
        if (variants.isEmpty())
        {
            return null;
        }
        final SecurePhases phases = new SecurePhases(options, progress);
        try
        {
            for (final SecureVariant v : variants)
            {
                final long t0 = System.nanoTime();
                progress.show("starting " + options.nodes + " nodes with " + v.cliName);
                final LocalCluster cluster = new LocalCluster(options, 0, v);
                phases.clusters.add(cluster);
                final SecureResult result = new SecureResult();
                result.variant = v;
                result.overlayConnected = cluster.awaitOverlay(OVERLAY_TIMEOUT_NANOS);
                result.setupSeconds = (System.nanoTime() - t0) / 1e9;
                if (!result.overlayConnected)
                {
                    progress.warn(v.cliName + ": overlay not connected; measuring anyway");
                }
                phases.results.add(result);
                phases.expected.add(new long[3]);
            }
        }
        catch (final RuntimeException ex)
        {
            phases.close();
            throw ex;
        }
        return phases;
    }

    List<SecureResult> results()
    {
        return results;
    }

    /**
     * One round of every secure cluster: a fixed-rate part first (in the warm-up so that the tree forms before the
     * flood; in measured rounds for the latency), then max rate for {@code maxNanos}, measured after
     * {@code rampNanos}, each part followed by a drain. Warm-up rounds count for nothing.
     */
    void round(final String name, final long maxNanos, final long rampNanos, final boolean warmup)
    {
        for (int i = 0; i < clusters.size(); i++)
        {
            final LocalCluster cluster = clusters.get(i);
            final SecureResult result = results.get(i);
            final long[] soFar = expected.get(i);
            final String label = name + ": " + result.variant.cliName + ", max rate";
            final String rateLabel = name + ": " + result.variant.cliName + ", " + options.rate + " msg/s";
            if (warmup)
            {
                progress.show(rateLabel);
                final int tag = Tag.counted(Tag.RATE | Tag.WARM);
                cluster.startPublishing(Tag.RATE | Tag.WARM, options.rate, options.publishers, 0);
                LockSupport.parkNanos(maxNanos);
                soFar[0] += cluster.stopPublishing() * (cluster.size() - 1);
                BenchRun.drain(cluster, tag, soFar[0], label, progress);
            }
            else
            {
                progress.show(rateLabel);
                final int tag = Tag.counted(Tag.RATE);
                cluster.startPublishing(Tag.RATE, options.rate, options.publishers, 0);
                LockSupport.parkNanos(maxNanos);
                soFar[2] += cluster.stopPublishing() * (cluster.size() - 1);
                result.rateDelivered = BenchRun.drain(cluster, tag, soFar[2], rateLabel, progress);
                result.rateExpected = soFar[2];
                final Latencies latencies = new Latencies();
                cluster.takeLatency(latencies);
                result.rateCorrected.add(latencies.rateCorrected);
            }
            final int published = warmup ? Tag.MAX | Tag.WARM : Tag.MAX;
            final int tag = Tag.counted(published);
            progress.show(label);
            cluster.startPublishing(published, 0, options.publishers, options.window);
            LockSupport.parkNanos(rampNanos);
            final Snapshot s0 = cluster.snapshot();
            LockSupport.parkNanos(maxNanos);
            final Snapshot s1 = cluster.snapshot();
            final long accepted = cluster.stopPublishing();
            final int slot = warmup ? 0 : 1;
            soFar[slot] += accepted * (cluster.size() - 1);
            final long delivered = BenchRun.drain(cluster, tag, soFar[slot], label, progress);
            cluster.takeLatency(null);
            if (warmup)
            {
                continue;
            }
            result.maxAccepted += accepted;
            result.maxExpected = soFar[slot];
            result.maxDelivered = delivered;
            long deliveries = 0;
            long windowNanos = 0;
            double roundRate = 0;
            for (int n = 0; n < cluster.size(); n++)
            {
                final long d = s1.delivered(n, tag) - s0.delivered(n, tag);
                final long w = s1.nanos[n] - s0.nanos[n];
                deliveries += d;
                windowNanos = Math.max(windowNanos, w);
                roundRate += d * 1e9 / w;
            }
            result.maxDeliveriesInWindows += deliveries;
            result.maxWindowNanos += windowNanos;
            result.roundDeliveriesPerSecond.add(roundRate);
            for (final String counter : NodeCounters.NAMES)
            {
                result.counters.merge(counter, s1.counter(counter) - s0.counter(counter), Long::sum);
            }
        }
    }

    @Override
    public void close()
    {
        for (final LocalCluster cluster : clusters)
        {
            cluster.close();
        }
    }
}
