package dev.hearsay.perf.bench;

import dev.hearsay.engine.EngineCounter;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The bench's slow-node scenarios: one node of the cluster (the last; it publishes nothing) is slow, and the others
 * should not be. Each compares the others' deliveries per second with one slow node against the same cluster
 * unloaded, the publishers at max rate in both.
 *
 * <ul>
 * <li>{@code --slow-peer}: the slow node's transport reads at most {@value #SLOW_SHARE_PERCENT}% of the frame bytes a
 * second its engine received unloaded ({@code TransportOptions.readLimitBytesPerSecond}). The read limit is set
 * when a node starts, so the unloaded figures come from a cluster of their own, measured first (after the warm-up),
 * and the limit from them; then a second cluster with the limit, after a short settling warm-up.</li>
 * <li>{@code --slow-subscriber}: every node's subscription is read by a thread of its own; the slow node's polls at
 * most {@value #SLOW_SHARE_PERCENT}% of the events a second it read in the first unloaded window. Rounds alternate an
 * unloaded window and a slow one, in the same cluster; a slow window lasts at least {@value #SLOW_WINDOW_PER_TIMEOUT}
 * slow-subscriber timeouts, so that it holds the hold before the reader is cut over and the steady state after it.
 * Then the stall: the slow reader stops altogether for the
 * slow-subscriber timeout plus {@link #STALL_EXTRA_NANOS}, and reads again; what it received, and its {@code Lagged}
 * events, are checked against the publishers' sequence numbers.</li>
 * </ul>
 */
final class SlowScenarioRun
{
    /** The slow node's share of its unloaded rate. */
    static final double SLOW_SHARE = 0.1;
    static final int SLOW_SHARE_PERCENT = 10;
    /** The subscriptions' slow-subscriber timeout in the scenario, unless given. */
    static final int SLOW_SUBSCRIBER_TIMEOUT_MILLIS = 1_000;
    /** Seconds of measurement per round of the slow-subscriber scenario, half of them unloaded. */
    private static final double ROUND_SECONDS = 8;
    /** A slow window lasts at least this many slow-subscriber timeouts. */
    static final int SLOW_WINDOW_PER_TIMEOUT = 8;
    private static final long RAMP_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long OVERLAY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** A drain ends when no delivery arrived for this long (then what is missing counts as lost). */
    private static final long DRAIN_QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** The throttled cluster's settling warm-up, at most. */
    private static final double SETTLE_SECONDS = 1;
    /** The first part of a warm-up, at the fixed rate, at most. */
    private static final double GENTLE_SECONDS = 1;
    /** Before the stall: the reader reads at full speed while the publishers run this long. */
    private static final long STALL_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The stopped reader stays stopped this much longer than the slow-subscriber timeout. */
    static final long STALL_EXTRA_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** After the stall: the publishers go on this long while the reader reads again. */
    private static final long AFTER_STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BenchOptions options;
    private final Progress progress;
    private final SlowScenarioResult result = new SlowScenarioResult();
    private final int slowNode;
    /** Warm-up deliveries expected so far in the current cluster. */
    private long warmupExpected;

    SlowScenarioRun(final BenchOptions options, final Progress progress)
    {
        this.options = options;
        this.progress = progress;
        this.slowNode = options.nodes - 1;
    }

    SlowScenarioResult run()
    {
        final long t0 = System.nanoTime();
        result.options = options;
        result.scenario = options.slowPeer ? "slow-peer" : "slow-subscriber";
        result.cpus = Runtime.getRuntime().availableProcessors();
        result.jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        result.loadBefore = loadAverage();
        result.slowNode = slowNode;
        result.unloaded = new SlowScenarioResult.Phase("unloaded", options.nodes);
        result.slow = new SlowScenarioResult.Phase("slow", options.nodes);
        if (options.slowPeer)
        {
            slowPeer();
        }
        else
        {
            slowSubscriber();
        }
        result.loadAfter = loadAverage();
        result.wallSeconds = (System.nanoTime() - t0) / 1e9;
        progress.done();
        return result;
    }

    private void slowPeer()
    {
        final long window = nanos(options.durationSeconds / 2);
        progress.show("unloaded: starting " + options.nodes + " nodes");
        try (LocalCluster cluster = new LocalCluster(options))
        {
            start(cluster, options.warmupSeconds, "unloaded");
            measure(cluster, result.unloaded, window, "unloaded");
        }
        result.slowUnloadedBytesPerSecond = result.unloaded.windowNanos == 0 ? 0 :
            result.unloaded.bytesInWindows[slowNode] * 1e9 / result.unloaded.windowNanos;
        result.readLimit = (int)Math.max(4096, Math.min(1 << 30,
            Math.round(SLOW_SHARE * result.slowUnloadedBytesPerSecond)));
        progress.show(String.format(Locale.ROOT, "slow peer: starting %d nodes, node %d reading at most %,d B/s",
            options.nodes, slowNode, result.readLimit));
        try (LocalCluster cluster = new LocalCluster(options, result.readLimit))
        {
            start(cluster, Math.min(SETTLE_SECONDS, options.warmupSeconds), "slow peer");
            measure(cluster, result.slow, window, "slow peer");
            result.overlayAtEnd.addAll(cluster.overlay());
            result.slowNeighborsAtEnd = cluster.neighborsOf(slowNode).size();
            for (int i = 0; i < options.nodes; i++)
            {
                if (i != slowNode && cluster.neighborsOf(i).contains(slowNode))
                {
                    result.othersLinkedToSlowAtEnd++;
                }
            }
        }
        result.roundRatios.add(result.othersRatioMean());
    }

    private void slowSubscriber()
    {
        result.slowSubscriberTimeoutMillis = options.slowSubscriberTimeoutMillis;
        final int rounds = Math.max(1, (int)Math.round(options.durationSeconds / ROUND_SECONDS));
        final long window = nanos(options.durationSeconds / rounds / 2);
        // The slow window holds the hold before the cut-over and what follows it, in the proportion a reader that
        // stays slow would see: the cut-over comes at most an eighth of the way in.
        final long slowWindow = Math.max(window,
            SLOW_WINDOW_PER_TIMEOUT * TimeUnit.MILLISECONDS.toNanos(options.slowSubscriberTimeoutMillis));
        progress.show("starting " + options.nodes + " nodes, one reader thread each");
        try (LocalCluster cluster = new LocalCluster(options))
        {
            start(cluster, options.warmupSeconds, "slow subscriber");
            final Receiver reader = cluster.readerOf(slowNode);
            for (int r = 0; r < rounds; r++)
            {
                final String round = rounds == 1 ? "" : String.format(Locale.ROOT, " (round %d/%d)", r + 1, rounds);
                final SlowScenarioResult.Phase unloaded = new SlowScenarioResult.Phase("unloaded", options.nodes);
                measure(cluster, unloaded, window, "unloaded" + round);
                add(result.unloaded, unloaded);
                if (r == 0)
                {
                    result.paceEventsPerSecond = Math.max(1, SLOW_SHARE * unloaded.rate(slowNode));
                }
                final SlowScenarioResult.Phase slow = new SlowScenarioResult.Phase("slow", options.nodes);
                final SequenceLog log = new SequenceLog(options.publishers);
                reader.log(log);
                reader.pace(result.paceEventsPerSecond);
                measure(cluster, slow, slowWindow, "slow subscriber" + round);
                reader.pace(0);
                reader.log(null);
                add(result.slow, slow);
                final long[] accepted = acceptedPerPublisher(cluster);
                result.slowMissing += log.missing(accepted);
                result.slowMissingBeforeLagged += log.missingBeforeLagged(accepted);
                result.slowMissed += log.missed();
                result.slowDuplicates += log.duplicates();
                result.slowLagged += log.laggedEvents();
                result.slowCutovers += slow.counter(slowNode, "slowSubscriberCutovers");
                result.roundRatios.add(meanRatio(unloaded, slow));
            }
            stall(cluster, reader);
        }
    }

    /** The stall: the slow reader stops past the timeout while the publishers run, then reads again. */
    private void stall(final LocalCluster cluster, final Receiver reader)
    {
        final SlowScenarioResult.Phase phase = new SlowScenarioResult.Phase("stall", options.nodes);
        final SequenceLog log = new SequenceLog(options.publishers);
        reader.log(log);
        final long stall = TimeUnit.MILLISECONDS.toNanos(options.slowSubscriberTimeoutMillis) + STALL_EXTRA_NANOS;
        final Window w = new Window(cluster, phase);
        cluster.startPublishing(Tag.MAX, 0, options.publishers, 0);
        progress.show("stall: reading at full speed");
        LockSupport.parkNanos(RAMP_NANOS + STALL_LEAD_NANOS);
        progress.show(String.format(Locale.ROOT, "stall: node %d's reader stopped for %.1f s", slowNode, stall / 1e9));
        w.open();
        reader.pause(true);
        w.sample(stall);
        w.close();
        reader.pause(false);
        final double[] rates = new double[options.nodes];
        for (int i = 0; i < options.nodes; i++)
        {
            rates[i] = phase.rate(i);
        }
        progress.show("stall: reading again");
        LockSupport.parkNanos(AFTER_STALL_NANOS);
        w.finish("stall");
        reader.log(null);
        final long[] accepted = acceptedPerPublisher(cluster);
        result.stall = phase;
        result.stallNanos = phase.windowNanos;
        result.stallRates = rates;
        result.stallAccepted = phase.accepted;
        result.stallReceived = log.received();
        result.stallReceivedBeforeLagged = log.receivedBeforeLagged();
        result.stallLaggedEvents = log.laggedEvents();
        result.stallMissed = log.missed();
        result.stallFirstMissed = log.firstMissed();
        result.stallGap = log.gapAtFirstLagged(accepted);
        result.stallMissing = log.missing(accepted);
        result.stallMissingBeforeLagged = log.missingBeforeLagged(accepted);
        result.stallDuplicates = log.duplicates();
        result.stallForeign = log.foreign();
        result.stallCutovers = phase.counter(slowNode, "slowSubscriberCutovers");
    }

    /**
     * Waits for the overlay, then warms up for {@code seconds} (none if 0), first at the fixed rate, then at max
     * rate, and drains.
     */
    private void start(final LocalCluster cluster, final double seconds, final String label)
    {
        warmupExpected = 0;
        progress.show("waiting for the overlay to form");
        if (!cluster.awaitOverlay(OVERLAY_TIMEOUT_NANOS))
        {
            progress.warn("overlay not connected after " + TimeUnit.NANOSECONDS.toSeconds(OVERLAY_TIMEOUT_NANOS)
                + " s; measuring anyway");
        }
        if (seconds <= 0)
        {
            return;
        }
        // The tree forms at a gentle rate first: until the prunes arrive every broadcast is pushed to every neighbor,
        // and at max rate that flood alone overflows queues (as in the default run's warm-up).
        final double gentle = Math.min(GENTLE_SECONDS, seconds / 2);
        progress.show(String.format(Locale.ROOT, "%s: warm-up, %.1f s at %,d msg/s", label, gentle, options.rate));
        cluster.startPublishing(Tag.RATE | Tag.WARM, options.rate, options.publishers, 0);
        LockSupport.parkNanos(nanos(gentle));
        warmupExpected += cluster.stopPublishing() * (long)(options.nodes - 1);
        progress.show(String.format(Locale.ROOT, "%s: warm-up, %.1f s at max rate", label, seconds - gentle));
        cluster.startPublishing(Tag.MAX | Tag.WARM, 0, options.publishers, 0);
        LockSupport.parkNanos(nanos(seconds - gentle));
        warmupExpected += cluster.stopPublishing() * (long)(options.nodes - 1);
        final long delivered = awaitDeliveries(() -> cluster.delivered(Tag.WARMUP), warmupExpected,
            had -> progress.show(label + ": warm-up: draining"));
        if (delivered < warmupExpected)
        {
            progress.warn(String.format(Locale.ROOT, "%s: warm-up: %,d of %,d deliveries after the publishers "
                + "stopped", label, delivered, warmupExpected));
        }
    }

    /**
     * Polls {@code had} every 5 ms until it reaches {@code want}, nothing changed for {@link #DRAIN_QUIET_NANOS} or
     * {@link #DRAIN_MAX_NANOS} passed; returns its last value.
     */
    private static long awaitDeliveries(final LongSupplier had, final long want, final LongConsumer show)
    {
        final long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true)
        {
            final long value = had.getAsLong();
            final long now = System.nanoTime();
            if (value >= want)
            {
                return value;
            }
            if (value != last)
            {
                last = value;
                lastChange = now;
            }
            else if (now - lastChange > DRAIN_QUIET_NANOS || now - start > DRAIN_MAX_NANOS)
            {
                return value;
            }
            show.accept(value);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** One measured window of {@code nanos} at max rate (after a ramp), drained, added to {@code phase}. */
    private void measure(final LocalCluster cluster, final SlowScenarioResult.Phase phase, final long nanos,
        final String label)
    {
        final Window w = new Window(cluster, phase);
        cluster.startPublishing(Tag.MAX, 0, options.publishers, 0);
        progress.show(label + ": ramp");
        LockSupport.parkNanos(RAMP_NANOS);
        w.open();
        w.sample(nanos);
        w.close();
        w.finish(label);
    }

    /** The publishers' accepted broadcasts of the last window, per publisher. */
    private long[] acceptedPerPublisher(final LocalCluster cluster)
    {
        final long[] accepted = new long[options.publishers];
        for (int p = 0; p < accepted.length; p++)
        {
            accepted[p] = cluster.acceptedBy(p);
        }
        return accepted;
    }

    /** The others' mean ratio of {@code slow} to {@code unloaded}. */
    private double meanRatio(final SlowScenarioResult.Phase unloaded, final SlowScenarioResult.Phase slow)
    {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < options.nodes; i++)
        {
            if (i != slowNode && unloaded.rate(i) > 0)
            {
                sum += slow.rate(i) / unloaded.rate(i);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Adds the figures of {@code from} to {@code into}. */
    private static void add(final SlowScenarioResult.Phase into, final SlowScenarioResult.Phase from)
    {
        into.windowNanos += from.windowNanos;
        into.heldNanos += from.heldNanos;
        into.afterCutoverNanos += from.afterCutoverNanos;
        into.accepted += from.accepted;
        into.backPressured += from.backPressured;
        for (int i = 0; i < into.inWindows.length; i++)
        {
            into.inWindows[i] += from.inWindows[i];
            into.inHold[i] += from.inHold[i];
            into.inAfterCutover[i] += from.inAfterCutover[i];
            into.delivered[i] += from.delivered[i];
            into.expected[i] += from.expected[i];
            into.missed[i] += from.missed[i];
            into.bytesInWindows[i] += from.bytesInWindows[i];
            for (final java.util.Map.Entry<String, Long> e : from.counters.get(i).entrySet())
            {
                into.counters.get(i).merge(e.getKey(), e.getValue(), Long::sum);
            }
        }
        final double offset = into.timeline.isEmpty() ? 0 : into.timeline.get(into.timeline.size() - 1)[0];
        for (final double[] t : from.timeline)
        {
            into.timeline.add(new double[] {offset + t[0], t[1], t[2]});
        }
    }

    /**
     * One measured window: created before the publishers start (counters, deliveries), opened after the ramp,
     * sampled, closed when the window ends, finished after the publishers stopped and the deliveries drained.
     */
    private final class Window
    {
        private final LocalCluster cluster;
        private final SlowScenarioResult.Phase phase;
        private final Snapshot before;
        private final long[] delivered0;
        private final long[] missed0;
        private final long backPressured0;
        private long[] open;
        private long[] openBytes;
        private long openedAt;
        /** The slow node's cut-overs before the window: one more means its reader was cut over. */
        private final long cutoversBefore;
        private long cutoverSeenAt;
        private long[] atCutover;

        Window(final LocalCluster cluster, final SlowScenarioResult.Phase phase)
        {
            this.cluster = cluster;
            this.phase = phase;
            before = cluster.snapshot();
            delivered0 = delivered();
            missed0 = missed();
            backPressured0 = cluster.backPressured();
            cutoversBefore = cutovers();
        }

        void open()
        {
            openedAt = System.nanoTime();
            open = delivered();
            openBytes = bytes();
            if (cutovers() > cutoversBefore)
            {
                cutoverSeenAt = openedAt;
                atCutover = open;
            }
        }

        private long cutovers()
        {
            return cluster.nodes().get(slowNode).counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS);
        }

        /** Samples the others' and the slow node's rates every {@link #SAMPLE_NANOS} for {@code nanos}. */
        void sample(final long nanos)
        {
            final long end = openedAt + nanos;
            long[] last = open;
            long lastAt = openedAt;
            while (true)
            {
                final long now = System.nanoTime();
                if (now >= end)
                {
                    return;
                }
                LockSupport.parkNanos(Math.min(SAMPLE_NANOS, end - now));
                final long at = System.nanoTime();
                final long[] d = delivered();
                double others = 0;
                int count = 0;
                for (int i = 0; i < d.length; i++)
                {
                    if (i != slowNode && (i >= options.publishers || options.publishers > 1))
                    {
                        others += (d[i] - last[i]) * 1e9 / (at - lastAt);
                        count++;
                    }
                }
                if (atCutover == null && cutovers() > cutoversBefore)
                {
                    cutoverSeenAt = at;
                    atCutover = d;
                }
                final double slow = (d[slowNode] - last[slowNode]) * 1e9 / (at - lastAt);
                phase.timeline.add(new double[] {(at - openedAt) / 1e9, count == 0 ? 0 : others / count, slow});
                progress.show(String.format(Locale.ROOT, "%s: others %,.0f msg/s each, node %d %,.0f msg/s",
                    phase.name, count == 0 ? 0 : others / count, slowNode, slow));
                last = d;
                lastAt = at;
            }
        }

        void close()
        {
            final long closedAt = System.nanoTime();
            final long[] d = delivered();
            final long[] b = bytes();
            phase.windowNanos += closedAt - openedAt;
            for (int i = 0; i < d.length; i++)
            {
                phase.inWindows[i] += d[i] - open[i];
                phase.bytesInWindows[i] += b[i] - openBytes[i];
                phase.inHold[i] += (atCutover == null ? d[i] : atCutover[i]) - open[i];
                phase.inAfterCutover[i] += atCutover == null ? 0 : d[i] - atCutover[i];
            }
            phase.heldNanos += (atCutover == null ? closedAt : cutoverSeenAt) - openedAt;
            phase.afterCutoverNanos += atCutover == null ? 0 : closedAt - cutoverSeenAt;
        }

        /** Stops the publishers, drains, and adds what each node got against what it should have. */
        void finish(final String label)
        {
            final long accepted = cluster.stopPublishing();
            final long[] expected = new long[options.nodes];
            for (int i = 0; i < expected.length; i++)
            {
                expected[i] = accepted - (i < options.publishers ? cluster.acceptedBy(i) : 0);
            }
            drain(expected, label);
            final long[] d = delivered();
            final long[] m = missed();
            final Snapshot after = cluster.snapshot();
            phase.accepted += accepted;
            phase.backPressured += cluster.backPressured() - backPressured0;
            for (int i = 0; i < expected.length; i++)
            {
                phase.expected[i] += expected[i];
                phase.delivered[i] += d[i] - delivered0[i];
                phase.missed[i] += m[i] - missed0[i];
                for (final String name : NodeCounters.NAMES)
                {
                    phase.counters.get(i).merge(name,
                        after.nodeCounters.get(i).get(name) - before.nodeCounters.get(i).get(name), Long::sum);
                }
            }
        }

        /**
         * Waits until every node has its {@code expected} deliveries (those a Lagged reported missed count as had),
         * or nothing arrived for a while.
         */
        private void drain(final long[] expected, final String label)
        {
            long want = 0;
            for (final long e : expected)
            {
                want += e;
            }
            final long total = want;
            final long had = awaitDeliveries(() ->
            {
                final long[] d = delivered();
                final long[] m = missed();
                long sum = 0;
                for (int i = 0; i < d.length; i++)
                {
                    sum += Math.min(expected[i], d[i] - delivered0[i] + m[i] - missed0[i]);
                }
                return sum;
            }, total, value -> progress.show(String.format(Locale.ROOT, "%s: draining, %,d of %,d", label, value,
                total)));
            if (had < total)
            {
                progress.warn(String.format(Locale.ROOT, "%s: %,d of %,d deliveries after the publishers "
                    + "stopped; the rest counts as lost", label, had, total));
            }
        }

        private long[] delivered()
        {
            final long[] d = new long[options.nodes];
            for (int i = 0; i < d.length; i++)
            {
                d[i] = cluster.deliveredAt(i, Tag.MAX);
            }
            return d;
        }

        private long[] missed()
        {
            final long[] m = new long[options.nodes];
            for (int i = 0; i < m.length; i++)
            {
                m[i] = cluster.missedAt(i);
            }
            return m;
        }

        private long[] bytes()
        {
            final long[] b = new long[options.nodes];
            for (int i = 0; i < b.length; i++)
            {
                b[i] = cluster.nodes().get(i).counter(EngineCounter.BYTES_RECEIVED);
            }
            return b;
        }
    }

    private static long nanos(final double seconds)
    {
        return (long)(seconds * 1e9);
    }

    private static double loadAverage()
    {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
