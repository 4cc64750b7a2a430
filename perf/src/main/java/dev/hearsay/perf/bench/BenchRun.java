package dev.hearsay.perf.bench;

import dev.hearsay.GossipConfig;
import dev.hearsay.codec.WireFormat;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One bench run: starts the cluster and the baselines, warms every phase up, then measures in interleaved rounds
 * (engine at max rate, Disruptor alone, Netty one-way, engine at a fixed rate, Netty ping-pong, a chain of thread
 * hand-offs at the fixed rate), because the vCPU
 * regime of this class of machine changes from minute to minute and only figures measured side by side compare.
 */
final class BenchRun
{
    /**
     * Share of each round per phase: engine max rate, Disruptor, Netty one-way, engine fixed rate, ping-pong, thread
     * hand-offs. The paced phases (fixed rate, the paced ping-pong, the hand-offs) are compared by their tails, and
     * this machine stalls a paced thread for a millisecond or more a few times a second: a baseline measured for a
     * quarter of the engine's time sees few of those stalls or none, and flatters the ratio against it. So the
     * hand-offs get most of the engine's time (0.75 s a round against 1 s), and the ping-pong half as much, from the
     * throughput baselines, which settle fast. The last share is the {@link StallProbe}'s, which counts those stalls.
     */
    private static final double[] SHARES = {4 / 16.0, 1 / 16.0, 1 / 16.0, 4 / 16.0, 2 / 16.0, 3 / 16.0, 1 / 16.0};
    /**
     * The same in the warm-up, where the fixed rate gets half: its code paths (pacing, echoes, latency recording)
     * run only about {@code rate} times a second, and the JIT compiles a method fully after some 10,000 calls.
     */
    private static final double[] WARMUP_SHARES = {2 / 8.0, 1 / 16.0, 1 / 16.0, 4 / 8.0, 1 / 16.0, 1 / 16.0, 0};
    /** Seconds of measurement per round (the rounds are interleaved this often). */
    private static final double ROUND_SECONDS = 4;
    private static final long OVERLAY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** A drain ends when no delivery arrived for this long (then what is missing counts as lost). */
    private static final long DRAIN_QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long FILL_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * Across JVMs the warm-up's "max rate" is a fixed rate (children compile and connect at their own pace). In one
     * JVM it publishes without limit, like the measured rounds: with relay flow control the overlay survives it, and
     * the bounded tables whose size follows the load (missing-message timers, their index) reach it during the
     * warm-up rather than in the first measured round. (Before the flow control the engine broke its own overlay
     * under unbounded load, and the warm-up was held back by a window of 2,000 broadcasts in flight.)
     */
    private static final long WARMUP_RATE = 50_000;

    private final BenchOptions options;
    private final Progress progress;
    private final BenchResult result = new BenchResult();
    private long maxExpectedSoFar;
    private long rateExpectedSoFar;
    private long warmupExpectedSoFar;
    /** The peer baseline ({@code --peer}), measured in every round after the engine's phases; or null. */
    private PeerPhases peer;
    /** The secure clusters ({@code --sign}, {@code --tls}), measured in every round after the engine's max rate. */
    private SecurePhases secure;

    BenchRun(final BenchOptions options, final Progress progress)
    {
        this.options = options;
        this.progress = progress;
    }

    /** Warm-up rounds: about one per {@value #ROUND_SECONDS} s of warm-up, none without warm-up. */
    static int warmupRounds(final BenchOptions options)
    {
        return options.warmupSeconds <= 0 ? 0 : Math.max(1, (int)Math.round(options.warmupSeconds / ROUND_SECONDS));
    }

    static int rounds(final BenchOptions options)
    {
        return Math.max(1, (int)Math.round(options.durationSeconds / ROUND_SECONDS));
    }

    BenchResult run()
    {
        final long t0 = System.nanoTime();
        result.options = options;
        result.cpus = Runtime.getRuntime().availableProcessors();
        result.jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        result.loadBefore = loadAverage();
        result.pacerTimerSlackNanos = KernelTimerSlack.available() ? KernelTimerSlack.PACER_NANOS : -1;
        result.rounds = rounds(options);
        progress.show("starting " + options.nodes + " nodes" + (options.processes ? " (one JVM each)" : ""));
        try (EngineCluster cluster = options.processes ? new ProcessCluster(options) : new LocalCluster(options);
             NettyBaseline netty = new NettyBaseline(options.ioMode, options.size);
             HandoffBaseline handoff = new HandoffBaseline(
                 HandoffBaseline.engineHop(options.dispatcherOnEventLoop, options.dispatcherDelivery), options.rate);
             PeerPhases peer = PeerPhases.start(options, progress);
             SecurePhases secure = SecurePhases.start(options, progress))
        {
            this.peer = peer;
            result.peer = peer == null ? null : peer.result();
            this.secure = secure;
            if (secure != null)
            {
                result.secure.addAll(secure.results());
            }
            result.handoffs = handoff.handoffs();
            result.handoffPath = HandoffBaseline.engineHopPath(options.dispatcherOnEventLoop,
                options.dispatcherDelivery);
            result.ioMode = netty.mode().name().toLowerCase(Locale.ROOT);
            progress.show("waiting for the overlay to form");
            if (!cluster.awaitOverlay(OVERLAY_TIMEOUT_NANOS))
            {
                progress.warn("overlay not connected after " + TimeUnit.NANOSECONDS.toSeconds(OVERLAY_TIMEOUT_NANOS)
                    + " s; measuring anyway");
            }
            result.setupSeconds = (System.nanoTime() - t0) / 1e9;
            final Snapshot setup = cluster.snapshot();
            final int frameLength = WireFormat.HEADER_LENGTH + WireFormat.GOSSIP_FIXED_LENGTH + options.size;
            final DisruptorBaseline disruptor =
                new DisruptorBaseline(GossipConfig.defaults().ringSize(), frameLength, 2);
            result.disruptorProducers = disruptor.producers();

            // Warm-up in rounds like the measured ones, so that every phase's code is compiled before measuring: on
            // 2 vCPUs the JIT gets little CPU beside a saturated cluster, and with one short warm-up round it was
            // still compiling through the measured rounds (seen as throughput doubling from round 1 to round 4).
            final int warmupRounds = warmupRounds(options);
            for (int w = 0; w < warmupRounds; w++)
            {
                round(cluster, disruptor, netty, handoff, nanos(options.warmupSeconds / warmupRounds), true, w + 1);
            }
            cluster.takeLatency(null);
            final Snapshot first = cluster.snapshot();
            final long backPressuredBefore = cluster.backPressured();
            final long roundNanos = nanos(options.durationSeconds / result.rounds);
            for (int r = 0; r < result.rounds; r++)
            {
                final BenchResult.Round round = round(cluster, disruptor, netty, handoff, roundNanos, false, r + 1);
                final Latencies latencies = new Latencies();
                cluster.takeLatency(latencies);
                result.latencies.add(latencies);
                final org.HdrHistogram.Histogram rate = latencies.rttCorrected.getTotalCount() > 0 ?
                    latencies.rttCorrected : latencies.rateCorrected;
                round.engineRateP50Micros = rate.getTotalCount() == 0 ? Double.NaN :
                    rate.getValueAtPercentile(50) / 1e3;
            }
            final Snapshot last = cluster.snapshot();
            for (final String name : NodeCounters.NAMES)
            {
                result.counters.put(name, last.counter(name) - first.counter(name));
                result.runCounters.put(name, last.counter(name) - setup.counter(name));
            }
            for (int i = 0; i < last.nodes(); i++)
            {
                final Map<String, Long> node = new LinkedHashMap<>();
                for (final String name : NodeCounters.NAMES)
                {
                    node.put(name, last.nodeCounters.get(i).get(name) - setup.nodeCounters.get(i).get(name));
                }
                result.nodeRunCounters.add(node);
            }
            result.backPressuredAttempts = cluster.backPressured() - backPressuredBefore;
            result.overlay.addAll(cluster.overlay());
            result.overlayConnected = cluster.connected();
            progress.show("stopping");
        }
        result.loadAfter = loadAverage();
        result.wallSeconds = (System.nanoTime() - t0) / 1e9;
        progress.done();
        return result;
    }

    private BenchResult.Round round(final EngineCluster cluster, final DisruptorBaseline disruptor,
        final NettyBaseline netty, final HandoffBaseline handoff, final long nanos, final boolean warmup,
        final int index)
    {
        final String name = warmup ? "warm-up " + index + "/" + warmupRounds(options)
            : "round " + index + "/" + result.rounds;
        final BenchResult.Round round = new BenchResult.Round();
        final double[] shares = warmup ? WARMUP_SHARES : SHARES;
        final long ramp = Math.min(TimeUnit.MILLISECONDS.toNanos(300), (long)(nanos * 0.05));

        if (warmup)
        {
            // Let the tree form at a gentle rate first: the first broadcasts are pushed eagerly to every neighbor
            // until prunes arrive, and at full speed that flood alone can overflow queues.
            progress.show(name + ": engine, " + options.rate + " msg/s");
            engineAtFixedRate(cluster, (long)(nanos * shares[3]), true);
        }
        progress.show(name + ": engine, max rate");
        engineAtMaxRate(cluster, (long)(nanos * shares[0]), ramp, warmup, round);
        if (secure != null)
        {
            // Back to back with the plain cluster's max rate, for as long.
            secure.round(name, (long)(nanos * shares[0]), ramp, warmup);
        }

        progress.show(name + ": Disruptor baseline");
        final long disruptorNanos = (long)(nanos * shares[1]);
        final double events = disruptor.run(ramp / 4, disruptorNanos);
        round.disruptorPerSecond = events;

        progress.show(name + ": Netty one-way baseline");
        final long oneWayNanos = (long)(nanos * shares[2]);
        final double frames = netty.oneWay(ramp / 4, oneWayNanos);
        round.nettyOneWayPerSecond = frames;

        if (!warmup)
        {
            progress.show(name + ": engine, " + options.rate + " msg/s");
            engineAtFixedRate(cluster, (long)(nanos * SHARES[3]), false);
        }

        if (peer != null)
        {
            // As long as the engine's phases of the round, right after its fixed-rate phase.
            peer.round(name, (long)(nanos * shares[0]), (long)(nanos * shares[3]), ramp, warmup);
        }

        progress.show(name + ": Netty ping-pong baseline");
        final org.HdrHistogram.Histogram rtt = LatencyRecorders.histogram();
        netty.pingPong((long)(nanos * shares[4] / 4), rtt);
        progress.show(name + ": Netty ping-pong baseline, " + options.rate + " pings/s");
        final org.HdrHistogram.Histogram paced = LatencyRecorders.histogram();
        netty.pingPong((long)(nanos * shares[4] * 3 / 4), options.rate, paced);
        round.nettyRttP50Micros = rtt.getValueAtPercentile(50) / 1000.0;

        progress.show(name + ": thread hand-offs baseline");
        final org.HdrHistogram.Histogram handoffs = LatencyRecorders.histogram();
        handoff.run((long)(nanos * shares[5]), handoffs);

        if (!warmup)
        {
            progress.show(name + ": probing for CPU stalls");
            result.stalls.run((long)(nanos * shares[6]));
            result.disruptorNanos += disruptorNanos;
            result.disruptorEvents += events * disruptorNanos / 1e9;
            result.nettyOneWayNanos += oneWayNanos;
            result.nettyFrames += frames * oneWayNanos / 1e9;
            result.nettyRtt.add(rtt);
            result.nettyRttPaced.add(paced);
            result.handoff.add(handoffs);
            result.roundFigures.add(round);
        }
        return round;
    }

    private void engineAtMaxRate(final EngineCluster cluster, final long nanos, final long ramp,
        final boolean warmup, final BenchResult.Round round)
    {
        final int published = warmup ? Tag.MAX | Tag.WARM : Tag.MAX;
        final int tag = Tag.counted(published);
        if (!warmup)
        {
            cluster.startPublishing(published, 0, options.publishers, options.window);
        }
        else if (options.processes)
        {
            cluster.startPublishing(published, WARMUP_RATE, options.publishers, 0);
        }
        else
        {
            cluster.startPublishing(published, 0, options.publishers, options.window);
        }
        LockSupport.parkNanos(ramp);
        final Snapshot s0 = cluster.snapshot();
        sleepWithProgress(nanos, cluster, s0, tag, warmup ? "warm-up" : "engine, max rate");
        if (warmup && options.cacheFill)
        {
            fillCaches(cluster);
        }
        final Snapshot s1 = cluster.snapshot();
        final long accepted = cluster.stopPublishing();
        final int n = cluster.size();
        final long expected = accepted * (n - 1);
        if (warmup)
        {
            warmupExpectedSoFar += expected;
            drain(cluster, tag, warmupExpectedSoFar, "warm-up");
            return;
        }
        maxExpectedSoFar += expected;
        final long delivered = drain(cluster, tag, maxExpectedSoFar, "engine, max rate");
        result.maxAccepted += accepted;
        result.maxExpected = maxExpectedSoFar;
        result.maxDelivered = delivered;

        long deliveries = 0;
        long windowNanos = 0;
        if (result.perNodeDeliveries == null)
        {
            result.perNodeDeliveries = new long[n];
            result.perNodeNanos = new long[n];
        }
        double roundRate = 0;
        for (int i = 0; i < n; i++)
        {
            final long d = s1.delivered(i, tag) - s0.delivered(i, tag);
            final long w = s1.nanos[i] - s0.nanos[i];
            deliveries += d;
            windowNanos = Math.max(windowNanos, w);
            roundRate += d * 1e9 / w;
            result.perNodeDeliveries[i] += d;
            result.perNodeNanos[i] += w;
        }
        round.engineDeliveriesPerSecond = roundRate;
        result.maxDeliveriesInWindows += deliveries;
        result.maxWindowNanos += windowNanos;
        long roundAllocated = 0;
        for (int g = 0; g < s0.allocated.length; g++)
        {
            roundAllocated += s1.allocated[g] - s0.allocated[g];
            result.maxAllocated[g] += s1.allocated[g] - s0.allocated[g];
            result.maxCpu[g] += s1.cpu[g] - s0.cpu[g];
            result.maxPreempted[g] += s1.involuntarySwitches[g] - s0.involuntarySwitches[g];
        }
        // Per round too: bounded structures that first reach their size under the measured load (the warm-up is
        // held back) allocate in the first round only, which the total alone does not show.
        round.engineBytesPerDelivery = deliveries == 0 ? Double.NaN : (double)roundAllocated / deliveries;
        result.gcCount += s1.gcCount - s0.gcCount;
        result.gcMillis += s1.gcMillis - s0.gcMillis;
    }

    private void engineAtFixedRate(final EngineCluster cluster, final long nanos, final boolean warmup)
    {
        final int published = warmup ? Tag.RATE | Tag.WARM : Tag.RATE;
        final int tag = Tag.counted(published);
        final Snapshot s0 = cluster.snapshot();
        cluster.startPublishing(published, options.rate, options.publishers, 0);
        sleepWithProgress(nanos, cluster, s0, tag, warmup ? "warm-up" : "engine, " + options.rate + " msg/s");
        final long accepted = cluster.stopPublishing();
        final Snapshot s1 = cluster.snapshot();
        final long expected = accepted * (cluster.size() - 1);
        if (warmup)
        {
            warmupExpectedSoFar += expected;
            drain(cluster, tag, warmupExpectedSoFar, "warm-up");
            return;
        }
        rateExpectedSoFar += expected;
        result.rateAccepted += accepted;
        result.rateWindowNanos += s1.nanos[0] - s0.nanos[0];
        result.rateExpected = rateExpectedSoFar;
        result.rateDelivered = drain(cluster, tag, rateExpectedSoFar, "engine, fixed rate");
        result.rateDeliveriesInWindows += s1.delivered(tag) - s0.delivered(tag);
        for (int g = 0; g < s0.allocated.length; g++)
        {
            result.rateAllocated[g] += s1.allocated[g] - s0.allocated[g];
            result.rateCpu[g] += s1.cpu[g] - s0.cpu[g];
            result.ratePreempted[g] += s1.involuntarySwitches[g] - s0.involuntarySwitches[g];
            result.rateParked[g] += s1.voluntarySwitches[g] - s0.voluntarySwitches[g];
        }
        for (int i = 0; i < BenchResult.RATE_DUTY_CYCLE_NAMES.length; i++)
        {
            final String name = BenchResult.RATE_DUTY_CYCLE_NAMES[i];
            result.rateDutyCycles[i] += s1.counters.getOrDefault(name, 0L) - s0.counters.getOrDefault(name, 0L);
        }
        result.gcCount += s1.gcCount - s0.gcCount;
        result.gcMillis += s1.gcMillis - s0.gcMillis;
        result.rateGcCount += s1.gcCount - s0.gcCount;
        if (s0.safepointCount < 0 || result.rateSafepoints < 0)
        {
            result.rateSafepoints = -1;
            result.rateSafepointMillis = -1;
        }
        else
        {
            result.rateSafepoints += s1.safepointCount - s0.safepointCount;
            result.rateSafepointMillis += s1.safepointMillis - s0.safepointMillis;
        }
        if (s0.compileMillis < 0 || result.rateCompileMillis < 0)
        {
            result.rateCompileMillis = -1;
        }
        else
        {
            result.rateCompileMillis += s1.compileMillis - s0.compileMillis;
        }
        result.echoesSent += s1.delivered(Tag.ECHO) - s0.delivered(Tag.ECHO);
    }

    /**
     * Keeps the warm-up publishing until every node has seen as many messages as its bounded caches hold (payload
     * cache and its per-author index, subscription entries): until then they grow, which is allocation that a
     * steady state does not have. Bounded by {@link #FILL_MAX_NANOS}.
     */
    private void fillCaches(final EngineCluster cluster)
    {
        final long target = Math.max(GossipConfig.defaults().payloadCacheEntries(), options.subscriptionCapacity);
        final long start = System.nanoTime();
        final int receivers = cluster.size() - 1;
        long last = -1;
        long lastChange = start;
        while (true)
        {
            final long seen = cluster.delivered(Tag.WARMUP) / receivers;
            final long now = System.nanoTime();
            if (seen >= target)
            {
                break;
            }
            if (seen != last)
            {
                last = seen;
                lastChange = now;
            }
            if (now - start > FILL_MAX_NANOS || now - lastChange > DRAIN_QUIET_NANOS)
            {
                progress.warn(String.format(Locale.ROOT, "warm-up: caches not full after %.1f s (%,d of %,d "
                    + "messages%s); allocation figures include their growth", (now - start) / 1e9, seen, target,
                    now - lastChange > DRAIN_QUIET_NANOS ? ", and no delivery for 2 s" : ""));
                break;
            }
            progress.show(String.format(Locale.ROOT, "warm-up: filling the bounded caches, %,d of %,d messages", seen,
                target));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        result.cacheFillSeconds += (System.nanoTime() - start) / 1e9; // every warm-up round; the first fills
    }

    /** Parks for {@code nanos}, updating the progress line about once a second with the delivery rate. */
    private void sleepWithProgress(final long nanos, final EngineCluster cluster, final Snapshot start, final int tag,
        final String label)
    {
        final long end = System.nanoTime() + nanos;
        long previous = start.delivered(tag);
        long previousAt = System.nanoTime();
        while (true)
        {
            final long left = end - System.nanoTime();
            if (left <= 0)
            {
                return;
            }
            LockSupport.parkNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            if (end - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(100))
            {
                final long now = System.nanoTime();
                final long delivered = cluster.delivered(tag);
                progress.show(String.format(Locale.ROOT, "%s: %,.0f deliveries/s", label,
                    (delivered - previous) * 1e9 / (now - previousAt)));
                previous = delivered;
                previousAt = now;
            }
        }
    }

    /**
     * Waits until {@code expected} messages of {@code tag} were delivered in all, or nothing arrived for a while
     * (what is missing then is lost); returns the deliveries.
     */
    private long drain(final EngineCluster cluster, final int tag, final long expected, final String label)
    {
        return drain(cluster, tag, expected, label, progress);
    }

    /** {@link #drain(EngineCluster, int, long, String)} for any cluster, warning on {@code progress}. */
    static long drain(final EngineCluster cluster, final int tag, final long expected, final String label,
        final Progress progress)
    {
        final long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true)
        {
            final long delivered = cluster.delivered(tag);
            final long now = System.nanoTime();
            if (delivered >= expected)
            {
                return delivered;
            }
            if (delivered != last)
            {
                last = delivered;
                lastChange = now;
            }
            else if (now - lastChange > DRAIN_QUIET_NANOS || now - start > DRAIN_MAX_NANOS)
            {
                progress.warn(String.format(Locale.ROOT, "%s: %,d of %,d deliveries after the publishers stopped; "
                    + "the rest counts as lost", label, delivered, expected));
                return delivered;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
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
