package dev.hearsay.perf.bench;

import dev.hearsay.perf.Json;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link BenchResult} as a readable report or as one JSON object. */
final class BenchReport
{
    /** Percentiles every latency line shows. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private BenchReport()
    {
    }

    static String text(final BenchResult r, final List<Goals.Goal> goals)
    {
        final BenchOptions o = r.options;
        final StringBuilder sb = new StringBuilder();
        final int receivers = o.nodes - 1;
        sb.append(String.format(Locale.ROOT, "Hearsay bench: %d nodes on loopback %s, one topic, %d-byte payloads, "
            + "%d publisher%s%n", o.nodes, o.processes ? "(one JVM each)" : "in one JVM", o.size, o.publishers,
            o.publishers == 1 ? "" : "s"));
        sb.append("  ").append(o.commandLine()).append('\n');
        sb.append(String.format(Locale.ROOT, "  %s, %d vCPUs, load average %.2f before, %.2f after%n", r.jvm, r.cpus,
            r.loadBefore, r.loadAfter));
        sb.append(String.format(Locale.ROOT, "  transport %s; dispatchers idle: %s; %s%n", r.ioMode,
            o.idle.description(), o.dispatcherDelivery
                ? "messages handed to the bench on the dispatcher threads (--delivery dispatcher: no receiver thread)"
                : o.subscriberThreads
                ? "one reader thread per node (--subscriber-threads), parked with wakeOnEvents when its subscription "
                    + "is empty"
                : "receiver thread idle: " + o.receiverIdle().cliName()));
        sb.append(String.format(Locale.ROOT, "  Netty leak detection %s%n", NettyLeakDetection.describe(
            r.nettyLeakDetection)));
        sb.append(r.pacerTimerSlackNanos > 0
            ? String.format(Locale.ROOT, "  pacers (publishers, paced pinger) wait with a kernel timer slack of %,d ns "
                + "(Linux's default, %,d ns, would make their timed waits late by up to hundreds of us)%n",
                r.pacerTimerSlackNanos, KernelTimerSlack.LINUX_DEFAULT_NANOS)
            : "  pacers (publishers, paced pinger) wait with the kernel's default timer slack: this system did not let "
                + "a thread set its own (/proc/<tid>/timerslack_ns)\n");
        sb.append(String.format(Locale.ROOT, "  subscription buffers %,d events (%s when full), outbound queues %,d "
            + "bytes; per-topic tables %s%n", o.subscriptionCapacity, o.overflow == dev.hearsay.OverflowPolicy.DROP
            ? "dropping" : "lossless: holding the flow", o.outboundQueueBytes, o.preallocate
            ? "preallocated at their bounds (--preallocate: GossipConfig.preallocate)"
            : "grown on demand up to their bounds (the engine's default; --preallocate to allocate them at start)"));
        sb.append(String.format(Locale.ROOT, "  measured %.1f s in %d interleaved round%s after %.1f s of warm-up "
            + "(+%.1f s until the bounded caches were full); setup %.1f s, wall %.1f s%n", o.durationSeconds, r.rounds,
            r.rounds == 1 ? "" : "s", o.warmupSeconds, r.cacheFillSeconds, r.setupSeconds, r.wallSeconds));
        int links = 0;
        for (final String view : r.overlay)
        {
            links += view.isEmpty() ? 0 : view.split(" ").length;
        }
        sb.append("  overlay ").append(r.overlayConnected ? "connected" : "NOT CONNECTED")
            .append(links == o.nodes * (o.nodes - 1) ? ", full mesh" : "").append(": ");
        for (int i = 0; i < r.overlay.size(); i++)
        {
            sb.append(i == 0 ? "" : " | ").append(i).append(" -> ").append(r.overlay.get(i));
        }
        sb.append('\n');
        final long dropped = r.runCounters.getOrDefault("slowPeerDisconnects", 0L);
        // Neighbors swapped by HyParView and connections closed once no topic needs them are maintenance; a
        // neighbor whose connection failed (or that left) is damage.
        final long lost = r.runCounters.getOrDefault("neighborsLost", 0L);
        if (!r.overlayConnected || dropped > 0 || lost > 0)
        {
            sb.append(String.format(Locale.ROOT, "  WARNING: the overlay %s during the run (%,d sends refused by "
                + "a full peer queue, %,d neighbors lost): the figures below are of a damaged cluster%n",
                r.overlayConnected ? "lost links" : "fell apart", dropped, lost));
        }
        sb.append('\n');

        sb.append("Throughput: publishers as fast as the engine accepts (back-pressure retried, nothing dropped")
            .append(o.window > 0 ? String.format(Locale.ROOT, "; at most %,d broadcasts in flight", o.window) : "")
            .append(")\n");
        row(sb, "delivered", String.format(Locale.ROOT, "%,.0f msg/s summed over %d receiver%s "
            + "(%,.0f broadcasts/s)", r.deliveriesPerSecond(), receivers, receivers == 1 ? "" : "s",
            r.deliveriesPerSecond() / Math.max(1, receivers)));
        final StringBuilder perNode = new StringBuilder();
        for (int i = 0; i < o.nodes; i++)
        {
            perNode.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d: %,.0f", i,
                r.perNodeDeliveriesPerSecond(i)));
        }
        row(sb, "per node", perNode + " msg/s");
        row(sb, "reliability", String.format(Locale.ROOT, "%.6f  (%,d of %,d deliveries, %,d lost; publishers "
            + "back-pressured %,d times)", r.maxReliability(), r.maxDelivered, r.maxExpected,
            Math.max(0, r.maxExpected - r.maxDelivered), r.backPressuredAttempts));
        if (o.processes)
        {
            row(sb, "latency", "not measured (processes have no common clock; see the round trips below)");
        }
        else if (r.latencies.maxRate.getTotalCount() > 0)
        {
            row(sb, "latency", percentiles(r.latencies.maxRate)
                + "  (one-way, from the first broadcast attempt: queueing under load included)");
        }
        sb.append('\n');

        sb.append(String.format(Locale.ROOT, "Latency at %,d msg/s, microseconds%n", o.rate));
        sb.append(String.format(Locale.ROOT, "  %-30s %9s %9s %9s %9s %9s %10s%n", "", "p50", "p90", "p99", "p99.9",
            "max", "samples"));
        if (r.latencies.rttCorrected.getTotalCount() > 0)
        {
            latencyRow(sb, "round trip, corrected *", r.latencies.rttCorrected);
            latencyRow(sb, "round trip, uncorrected", r.latencies.rttUncorrected);
        }
        if (r.latencies.rateCorrected.getTotalCount() > 0)
        {
            latencyRow(sb, "one-way, every receiver *", r.latencies.rateCorrected);
            latencyRow(sb, "one-way, one hop (hops = 0) *", r.latencies.rateOneHop);
            latencyRow(sb, "one-way, uncorrected", r.latencies.rateUncorrected);
        }
        latencyRow(sb, "publisher's own pacing lag", r.latencies.pacingLag);
        latencyRow(sb, "Netty ping-pong RTT", r.nettyRtt);
        halfRow(sb, "Netty RTT/2", r.nettyRtt);
        if (r.nettyRttPaced.getTotalCount() > 0)
        {
            latencyRow(sb, "Netty RTT at this rate *", r.nettyRttPaced);
            halfRow(sb, "Netty RTT/2 at this rate *", r.nettyRttPaced);
        }
        if (r.handoff.getTotalCount() > 0)
        {
            latencyRow(sb, r.handoffs + " thread hand-offs, no work *", r.handoff);
        }
        sb.append(String.format(Locale.ROOT, "  * corrected for coordinated omission: measured from the intended "
            + "send time.%n"));
        if (r.nettyRttPaced.getTotalCount() > 0)
        {
            sb.append(String.format(Locale.ROOT, "  Netty at this rate: the client's event loop sends each ping at its "
                + "slot (a timer, then a spin, like the%n  publishers) whatever came back, timed from the slot; the "
                + "rows above it are a closed loop (next ping on the echo).%n"));
        }
        if (r.handoff.getTotalCount() > 0)
        {
            sb.append(String.format(Locale.ROOT, "  Thread hand-offs: a token passed along %d parked threads at this "
                + "rate by a pacer like the publishers,%n  timed from the slot: the hand-offs an engine hop crosses (%s), "
                + "the floor of a hop here.%n", r.handoffs,
                r.handoffPath));
        }
        if (r.stalls.probedNanos() > 0)
        {
            sb.append(String.format(Locale.ROOT, "  CPU stalls: a thread spinning alone for %.2f s lost its vCPU %,d "
                + "times for over %d us (%,d over %d us, longest%n  %s us, %.2f%% of the time): each one that catches "
                + "a paced thread delays every slot inside it; a closed loop pays once.%n",
                r.stalls.probedNanos() / 1e9, r.stalls.gaps(), StallProbe.GAP_NANOS / 1_000, r.stalls.longGaps(),
                StallProbe.LONG_GAP_NANOS / 1_000, us(r.stalls.maxGapNanos()), 100 * r.stalls.lostFraction()));
        }
        if (r.latencies.rttCorrected.getTotalCount() > 0)
        {
            sb.append(String.format(Locale.ROOT, "  Round trip: each message names another node, which broadcasts it "
                + "back; the publisher's process%n  times it on its own clock (%,d echoes).%n", r.echoesSent));
        }
        final Histogram oneHop = r.engineLatencyForGoal();
        if (oneHop.getTotalCount() > 0 && r.nettyRtt.getTotalCount() > 0)
        {
            final double divisor = oneHop == r.latencies.rttCorrected ? 2 : 1;
            final StringBuilder ratios = new StringBuilder();
            for (final double p : PERCENTILES)
            {
                ratios.append(String.format(Locale.ROOT, "%sp%s x%.2f", ratios.length() == 0 ? "" : ", ", pct(p),
                    oneHop.getValueAtPercentile(p) / divisor / (r.nettyRtt.getValueAtPercentile(p) / 2.0)));
            }
            row(sb, divisor == 2 ? "RTT vs Netty" : "hop vs RTT/2", ratios.toString());
            if (r.nettyRttPaced.getTotalCount() > 0)
            {
                final StringBuilder paced = new StringBuilder();
                for (final double p : PERCENTILES)
                {
                    paced.append(String.format(Locale.ROOT, "%sp%s x%.2f", paced.length() == 0 ? "" : ", ", pct(p),
                        oneHop.getValueAtPercentile(p) / divisor / (r.nettyRttPaced.getValueAtPercentile(p) / 2.0)));
                }
                row(sb, divisor == 2 ? "RTT vs paced" : "hop vs paced/2", paced.toString());
            }
        }
        if (oneHop.getTotalCount() > 0 && r.handoff.getTotalCount() > 0 && oneHop != r.latencies.rttCorrected)
        {
            final StringBuilder ratios = new StringBuilder();
            for (final double p : PERCENTILES)
            {
                ratios.append(String.format(Locale.ROOT, "%sp%s x%.2f", ratios.length() == 0 ? "" : ", ", pct(p),
                    (double)oneHop.getValueAtPercentile(p) / r.handoff.getValueAtPercentile(p)));
            }
            row(sb, "hop/hand-offs", ratios.toString());
        }
        row(sb, "reliability", String.format(Locale.ROOT, "%.6f  (%,d of %,d deliveries); achieved %,.0f msg/s",
            r.rateReliability(), r.rateDelivered, r.rateExpected, r.achievedRate()));
        row(sb, "JVM stops", r.rateSafepoints < 0 ? "not measured (the VM's safepoint counters are not readable "
            + "here, or nodes run in other processes)" : String.format(Locale.ROOT, "%,d safepoint%s stopped every "
            + "thread for %,d ms in all in these windows (%,d GC%s among them)", r.rateSafepoints,
            r.rateSafepoints == 1 ? "" : "s", r.rateSafepointMillis, r.rateGcCount, r.rateGcCount == 1 ? "" : "s"));
        if (r.rateCompileMillis >= 0)
        {
            row(sb, "JIT", String.format(Locale.ROOT, "the compilers ran %,d ms in these windows (their threads share "
                + "the vCPUs: a thread woken meanwhile may wait for one)", r.rateCompileMillis));
        }
        final long[] cycles = r.rateDutyCycles;
        row(sb, "dispatchers", String.format(Locale.ROOT, "%,d busy duty cycles in these windows (all nodes), of "
            + "them %,d of 32.8 us or longer, %,d of 131 us, %,d of 0.52 ms, %,d of 8.4 ms, %,d of 67 ms (wall time, "
            + "preemption included): the dispatchers' own share of a latency tail; the rest is waiting for threads",
            cycles[0], cycles[1], cycles[2], cycles[3], cycles[4], cycles[5]));
        sb.append('\n');

        sb.append("Allocation and GC, all threads but the bench's controller\n");
        row(sb, "at max rate", String.format(Locale.ROOT, "%.4f B per delivery (%,d B over %,d deliveries: %s)",
            r.bytesPerDelivery(), BenchResult.total(r.maxAllocated), r.maxDeliveriesInWindows,
            groups(r.maxAllocated)));
        final Long pauses = r.counters == null ? null : r.counters.get("readPauses");
        if (pauses != null && pauses > 0 && r.maxAllocated[ThreadMeter.IO_GROUP] > 0)
        {
            // The I/O threads allocate per pause of a full ring (Netty), not per message: say so with the figure.
            row(sb, "  I/O threads", String.format(Locale.ROOT, "%,d B over %,d read pauses for a full ring in the "
                + "measurement: about %,d B per pause", r.maxAllocated[ThreadMeter.IO_GROUP], pauses,
                r.maxAllocated[ThreadMeter.IO_GROUP] / pauses));
        }
        row(sb, "at fixed rate", String.format(Locale.ROOT, "%.4f B per delivery (%,d B over %,d deliveries: %s)",
            r.rateBytesPerDelivery(), BenchResult.total(r.rateAllocated), r.rateDeliveriesInWindows,
            groups(r.rateAllocated)));
        row(sb, "GC", String.format(Locale.ROOT, "%d collection%s (%d ms) in the measured windows", r.gcCount,
            r.gcCount == 1 ? "" : "s", r.gcMillis));
        row(sb, "CPU, max rate", cpu(r.maxCpu, r.maxWindowNanos, r.cpus)
            + (o.dispatcherOnEventLoop ? "; the dispatchers run on the event loops: their time is transport-io's" : ""));
        row(sb, "per delivery", perDelivery(r.maxCpu, r.maxDeliveriesInWindows) + " of CPU at max rate"
            + (o.idle == IdleMode.BUSY ? " (busy-spinning included)" : ""));
        if (r.maxDeliveriesInWindows > 0 && BenchResult.total(r.maxCpu) > 0 && o.idle != IdleMode.BUSY)
        {
            // What the measured CPU cost allows if every vCPU did nothing else: separates cost from scheduling.
            row(sb, "ceiling", String.format(Locale.ROOT, "%,.0f deliveries/s if all %d vCPUs ran these threads at "
                + "that cost", r.cpus * 1e9 * r.maxDeliveriesInWindows / BenchResult.total(r.maxCpu), r.cpus));
        }
        row(sb, "CPU, fixed rate", cpu(r.rateCpu, r.rateWindowNanos, r.cpus));
        row(sb, "switches/s", String.format(Locale.ROOT, "fixed rate: %s parked or blocked, %s yielded or preempted; "
            + "max rate: %s yielded or preempted", perSecond(r.rateParked, r.rateWindowNanos),
            perSecond(r.ratePreempted, r.rateWindowNanos), perSecond(r.maxPreempted, r.maxWindowNanos)));
        sb.append('\n');

        sb.append("Baselines, measured in the same run, interleaved with the engine").append(o.idle == IdleMode.BUSY ?
            String.format(Locale.ROOT, " (while the %d busy-spinning dispatchers spin on: they never stop)",
                o.nodes) : "").append('\n');
        row(sb, "Disruptor", String.format(Locale.ROOT, "%,.0f events/s  (multi-producer ring of %d slots, %d "
            + "producers, 1 polling consumer); engine deliveries / this = %.3f", r.disruptorPerSecond(),
            dev.hearsay.GossipConfig.defaults().ringSize(), r.disruptorProducers,
            r.deliveriesPerSecond() / r.disruptorPerSecond()));
        row(sb, "Netty one-way", String.format(Locale.ROOT, "%,.0f frames/s  (%d-byte length-prefixed frames, %s); "
            + "engine deliveries / this = %.3f", r.nettyOneWayPerSecond(), o.size, r.ioMode,
            r.deliveriesPerSecond() / r.nettyOneWayPerSecond()));
        sb.append(String.format(Locale.ROOT, "  %-5s %16s %16s %16s %12s %12s %14s %12s%n", "round", "engine msg/s",
            "Disruptor /s", "Netty frames/s", "eng/Netty", "RTT p50 us", "eng p50 us *", "eng B/deliv"));
        int index = 1;
        for (final BenchResult.Round round : r.roundFigures)
        {
            sb.append(String.format(Locale.ROOT, "  %-5d %,16.0f %,16.0f %,16.0f %12.3f %12.1f %14s %12.2f%n",
                index++, round.engineDeliveriesPerSecond, round.disruptorPerSecond, round.nettyOneWayPerSecond,
                round.engineDeliveriesPerSecond / round.nettyOneWayPerSecond, round.nettyRttP50Micros,
                Double.isNaN(round.engineRateP50Micros) ? "-" :
                    String.format(Locale.ROOT, "%.1f", round.engineRateP50Micros), round.engineBytesPerDelivery));
        }
        sb.append('\n');

        sb.append(PeerReport.text(r));
        sb.append(SecureReport.text(r));
        sb.append("Protocol and transport during the measurement (all nodes)\n");
        final Map<String, Long> c = r.counters;
        final long broadcasts = r.maxAccepted + r.rateAccepted + r.echoesSent;
        row(sb, "frames", String.format(Locale.ROOT, "%,d sent: %,d payload (%.2f per broadcast), %,d control "
            + "(%.2f per broadcast)", c.get("framesSent"), c.get("gossipSent"),
            (double)c.get("gossipSent") / Math.max(1, broadcasts), c.get("controlSent"),
            (double)c.get("controlSent") / Math.max(1, broadcasts)));
        row(sb, "repair", String.format(Locale.ROOT, "%,d duplicates, %,d grafts, %,d prunes; %,d graft timers put "
            + "off (stream still arriving, reads held, or announcer congested)", c.get("duplicates"),
            c.get("graftsSent"), c.get("prunesSent"), c.get("graftsDeferred")));
        row(sb, "pressure", String.format(Locale.ROOT, "%,d subscriber drops, %,d holds for a full lossless "
            + "subscription (%,d readers cut over to dropping), %,d frames refused by a full ring (reads paused %,d "
            + "times), reads held %,d times for a congested peer queue (relay flow control), %,d broadcasts "
            + "back-pressured", c.get("subscriberDropped"), c.get("subscriberHolds"), c.get("slowSubscriberCutovers"),
            c.get("ringFullRefusals"), c.get("readPauses"), c.get("readHolds"), c.get("broadcastsBackPressured")));
        final Map<String, Long> w = r.runCounters;
        row(sb, "failures", String.format(Locale.ROOT, "%,d broadcasts accepted but rejected by the protocol (no "
            + "neighbor), %,d sequences given up by a dedupe window (lost if they come later), %,d sends refused by a "
            + "full peer queue (each closes that connection), %,d neighbors lost (failed or left), %,d dispatch or "
            + "handler errors", c.get("broadcastsRejected"), c.get("windowSkipped"), c.get("slowPeerDisconnects"),
            c.get("neighborsLost"), c.get("dispatchErrors")));
        row(sb, "  since setup", String.format(Locale.ROOT, "(warm-up included) %,d, %,d, %,d, %,d, %,d",
            w.get("broadcastsRejected"), w.get("windowSkipped"), w.get("slowPeerDisconnects"),
            w.get("neighborsLost"), w.get("dispatchErrors")));
        row(sb, "overlay", String.format(Locale.ROOT, "%,d neighbors replaced by HyParView, %,d neighbor requests "
            + "refused (full views), %,d connections closed (since setup: %,d, %,d, %,d)", c.get("neighborsReplaced"),
            c.get("neighborRequestsRefused"), c.get("peersDisconnected"), w.get("neighborsReplaced"),
            w.get("neighborRequestsRefused"), w.get("peersDisconnected")));
        sb.append('\n');

        sb.append("Goals\n");
        for (final Goals.Goal g : goals)
        {
            sb.append(String.format(Locale.ROOT, "  %-15s %s%n  %-15s %s%n", "[" + g.verdict().label + "]", g.text(),
                "", g.measured()));
        }
        return sb.toString().stripTrailing();
    }

    /** The fixed-rate windows' duty cycles as one JSON object, named as {@link BenchResult#RATE_DUTY_CYCLE_NAMES}. */
    private static String dutyCyclesJson(final long[] counts)
    {
        final Json j = new Json();
        for (int i = 0; i < counts.length; i++)
        {
            j.field(BenchResult.RATE_DUTY_CYCLE_NAMES[i], counts[i]);
        }
        return j.toString();
    }

    static String json(final BenchResult r, final List<Goals.Goal> goals)
    {
        final BenchOptions o = r.options;
        final List<String> perNode = new ArrayList<>();
        for (int i = 0; i < o.nodes; i++)
        {
            final Json node = new Json().field("node", i).field("deliveriesPerSecond", r.perNodeDeliveriesPerSecond(i))
                .field("neighbors", i < r.overlay.size() ? r.overlay.get(i) : "");
            if (i < r.nodeRunCounters.size())
            {
                node.raw("runCounters", json(r.nodeRunCounters.get(i)));
            }
            perNode.add(node.toString());
        }
        final List<String> rounds = new ArrayList<>();
        for (final BenchResult.Round round : r.roundFigures)
        {
            rounds.add(new Json()
                .field("engineDeliveriesPerSecond", round.engineDeliveriesPerSecond)
                .field("disruptorPerSecond", round.disruptorPerSecond)
                .field("nettyOneWayPerSecond", round.nettyOneWayPerSecond)
                .field("nettyRttP50Micros", round.nettyRttP50Micros)
                .field("engineRateP50Micros", round.engineRateP50Micros)
                .field("engineBytesPerDelivery", round.engineBytesPerDelivery)
                .toString());
        }
        final Json latency = new Json();
        final Histogram[] all = r.latencies.all();
        for (int i = 0; i < all.length; i++)
        {
            if (all[i].getTotalCount() > 0)
            {
                latency.raw(Latencies.NAMES[i], histogramJson(all[i]));
            }
        }
        latency.raw("nettyRtt", histogramJson(r.nettyRtt));
        latency.raw("nettyRttPaced", histogramJson(r.nettyRttPaced));
        if (r.handoff.getTotalCount() > 0)
        {
            latency.raw("handoff", histogramJson(r.handoff));
        }
        if (r.stalls.probedNanos() > 0)
        {
            latency.raw("cpuStalls", new Json()
                .field("probedSeconds", r.stalls.probedNanos() / 1e9)
                .field("over50us", r.stalls.gaps())
                .field("over200us", r.stalls.longGaps())
                .field("longestMicros", r.stalls.maxGapNanos() / 1e3)
                .field("lostFraction", r.stalls.lostFraction())
                .toString());
        }
        final Json allocation = new Json()
            .field("bytesPerDelivery", r.bytesPerDelivery())
            .field("bytes", BenchResult.total(r.maxAllocated))
            .field("deliveries", r.maxDeliveriesInWindows)
            .field("rateBytesPerDelivery", r.rateBytesPerDelivery())
            .field("rateBytes", BenchResult.total(r.rateAllocated))
            .field("rateDeliveries", r.rateDeliveriesInWindows);
        final Json cpu = new Json();
        final Json switches = new Json();
        for (int g = 0; g < ThreadMeter.GROUPS.length; g++)
        {
            allocation.field("bytes_" + ThreadMeter.GROUPS[g], r.maxAllocated[g]);
            cpu.field("maxRate_" + ThreadMeter.GROUPS[g], r.maxWindowNanos == 0 ? 0 :
                (double)r.maxCpu[g] / r.maxWindowNanos);
            cpu.field("fixedRate_" + ThreadMeter.GROUPS[g], r.rateWindowNanos == 0 ? 0 :
                (double)r.rateCpu[g] / r.rateWindowNanos);
            switches.field("fixedRateParked_" + ThreadMeter.GROUPS[g], r.rateWindowNanos == 0 ? 0 :
                r.rateParked[g] * 1e9 / r.rateWindowNanos);
            switches.field("fixedRatePreempted_" + ThreadMeter.GROUPS[g], r.rateWindowNanos == 0 ? 0 :
                r.ratePreempted[g] * 1e9 / r.rateWindowNanos);
            switches.field("maxRatePreempted_" + ThreadMeter.GROUPS[g], r.maxWindowNanos == 0 ? 0 :
                r.maxPreempted[g] * 1e9 / r.maxWindowNanos);
        }

        final List<String> goalJson = new ArrayList<>();
        for (final Goals.Goal g : goals)
        {
            goalJson.add(new Json().field("goal", g.id()).field("text", g.text())
                .field("verdict", g.verdict().label).field("measured", g.measured()).toString());
        }
        return new Json()
            .field("command", o.commandLine())
            .field("nodes", o.nodes)
            .field("size", o.size)
            .field("publishers", o.publishers)
            .field("rate", o.rate)
            .field("processes", o.processes)
            .field("window", o.window)
            .field("transport", r.ioMode)
            .field("nettyLeakDetection", r.nettyLeakDetection)
            .field("pacerTimerSlackNanos", r.pacerTimerSlackNanos)
            .field("idle", o.idle.cliName())
            .field("receiverIdle", o.receiverIdle().cliName())
            .field("delivery", o.dispatcherDelivery ? "dispatcher" : o.subscriberThreads ? "subscriber-threads" : "poll")
            .field("subscriptionCapacity", o.subscriptionCapacity)
            .field("overflow", o.overflow.name().toLowerCase(Locale.ROOT))
            .field("preallocate", o.preallocate)
            .field("outboundQueueBytes", o.outboundQueueBytes)
            .field("durationSeconds", o.durationSeconds)
            .field("warmupSeconds", o.warmupSeconds)
            .field("rounds", r.rounds)
            .field("cacheFillSeconds", r.cacheFillSeconds)
            .field("jvm", r.jvm)
            .field("cpus", r.cpus)
            .field("loadBefore", r.loadBefore)
            .field("loadAfter", r.loadAfter)
            .field("setupSeconds", r.setupSeconds)
            .field("wallSeconds", r.wallSeconds)
            .field("overlayConnected", r.overlayConnected)
            .field("deliveriesPerSecond", r.deliveriesPerSecond())
            .field("broadcastsAccepted", r.maxAccepted)
            .field("expected", r.maxExpected)
            .field("delivered", r.maxDelivered)
            .field("lost", Math.max(0, r.maxExpected - r.maxDelivered))
            .field("reliability", r.maxReliability())
            .field("backPressuredAttempts", r.backPressuredAttempts)
            .raw("perNode", Json.array(perNode))
            .field("rateAccepted", r.rateAccepted)
            .field("rateExpected", r.rateExpected)
            .field("rateDelivered", r.rateDelivered)
            .field("rateReliability", r.rateReliability())
            .field("achievedRate", r.achievedRate())
            .field("echoes", r.echoesSent)
            .raw("latencyMicros", latency.toString())
            .raw("allocation", allocation.toString())
            .raw("cpuVcpus", cpu.toString())
            .raw("contextSwitchesPerSecond", switches.toString())
            .field("cpuMicrosPerDelivery", r.maxDeliveriesInWindows == 0 ? Double.NaN :
                BenchResult.total(r.maxCpu) / 1e3 / r.maxDeliveriesInWindows)
            .field("dispatcherMicrosPerDelivery", r.maxDeliveriesInWindows == 0 ? Double.NaN :
                r.maxCpu[0] / 1e3 / r.maxDeliveriesInWindows)
            .field("transportMicrosPerDelivery", r.maxDeliveriesInWindows == 0 ? Double.NaN :
                r.maxCpu[1] / 1e3 / r.maxDeliveriesInWindows)
            .field("gcCount", r.gcCount)
            .field("gcMillis", r.gcMillis)
            .field("rateSafepoints", r.rateSafepoints)
            .field("rateSafepointMillis", r.rateSafepointMillis)
            .field("rateCompileMillis", r.rateCompileMillis)
            .raw("rateDutyCycles", dutyCyclesJson(r.rateDutyCycles))
            .field("disruptorPerSecond", r.disruptorPerSecond())
            .field("disruptorProducers", r.disruptorProducers)
            .field("handoffs", r.handoffs)
            .field("nettyOneWayPerSecond", r.nettyOneWayPerSecond())
            .field("ratioToDisruptor", r.deliveriesPerSecond() / r.disruptorPerSecond())
            .field("ratioToNettyOneWay", r.deliveriesPerSecond() / r.nettyOneWayPerSecond())
            .raw("perRound", Json.array(rounds))
            .raw("counters", json(r.counters))
            .raw("runCounters", json(r.runCounters))
            .raw("peer", PeerReport.json(r))
            .raw("secure", SecureReport.json(r))
            .raw("goals", Json.array(goalJson))
            .toString();
    }

    private static String json(final Map<String, Long> counters)
    {
        final Json j = new Json();
        for (final Map.Entry<String, Long> e : counters.entrySet())
        {
            j.field(e.getKey(), e.getValue());
        }
        return j.toString();
    }

    static String histogramJson(final Histogram h)
    {
        final Json j = new Json().field("samples", h.getTotalCount());
        for (final double p : PERCENTILES)
        {
            j.field("p" + pct(p).replace('.', '_'), h.getValueAtPercentile(p) / 1e3);
        }
        j.field("max", h.getMaxValue() / 1e3);
        j.field("mean", h.getMean() / 1e3);
        return j.toString();
    }

    private static String percentiles(final Histogram h)
    {
        final StringBuilder sb = new StringBuilder();
        for (final double p : PERCENTILES)
        {
            sb.append(String.format(Locale.ROOT, "p%s %s  ", pct(p), us(h.getValueAtPercentile(p))));
        }
        return sb.append("max ").append(us(h.getMaxValue())).append(" us").toString();
    }

    private static void latencyRow(final StringBuilder sb, final String name, final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT, "  %-30s %9s %9s %9s %9s %9s %,10d%n", name,
            us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
            us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), h.getTotalCount()));
    }

    private static void halfRow(final StringBuilder sb, final String name, final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT, "  %-30s %9s %9s %9s %9s %9s%n", name,
            us(h.getValueAtPercentile(50) / 2), us(h.getValueAtPercentile(90) / 2), us(h.getValueAtPercentile(99) / 2),
            us(h.getValueAtPercentile(99.9) / 2), us(h.getMaxValue() / 2)));
    }

    /** CPU time per thread group as busy vCPUs over the window. */
    static String cpu(final long[] nanos, final long windowNanos, final int cpus)
    {
        if (windowNanos == 0)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        double total = 0;
        for (int g = 0; g < nanos.length; g++)
        {
            final double vcpus = (double)nanos[g] / windowNanos;
            total += vcpus;
            sb.append(g == 0 ? "" : ", ").append(ThreadMeter.GROUPS[g]).append(' ')
                .append(String.format(Locale.ROOT, "%.2f", vcpus));
        }
        return String.format(Locale.ROOT, "%.2f of %d vCPUs busy in Java threads (%s)", total, cpus, sb);
    }

    /** Counts per thread group as a rate over the window, e.g. {@code dispatcher 12,000, transport-io 3,000}. */
    static String perSecond(final long[] counts, final long windowNanos)
    {
        if (windowNanos == 0 || BenchResult.total(counts) == 0)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        for (int g = 0; g < counts.length; g++)
        {
            if (counts[g] > 0)
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(ThreadMeter.GROUPS[g]).append(' ')
                    .append(String.format(Locale.ROOT, "%,.0f", counts[g] * 1e9 / windowNanos));
            }
        }
        return "(" + sb + ")";
    }

    /** CPU time per thread group per delivery, in microseconds. */
    static String perDelivery(final long[] nanos, final long deliveries)
    {
        if (deliveries == 0)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        long total = 0;
        for (int g = 0; g < nanos.length; g++)
        {
            total += nanos[g];
            if (nanos[g] > 0)
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(ThreadMeter.GROUPS[g]).append(' ')
                    .append(String.format(Locale.ROOT, "%.2f", nanos[g] / 1e3 / deliveries));
            }
        }
        return String.format(Locale.ROOT, "%.2f us (%s)", total / 1e3 / deliveries, sb);
    }

    private static String groups(final long[] bytes)
    {
        final StringBuilder sb = new StringBuilder();
        for (int g = 0; g < bytes.length; g++)
        {
            sb.append(g == 0 ? "" : ", ").append(ThreadMeter.GROUPS[g]).append(' ')
                .append(String.format(Locale.ROOT, "%,d", bytes[g]));
        }
        return sb.toString();
    }

    static String pct(final double p)
    {
        return p == Math.rint(p) ? String.valueOf((long)p) : String.valueOf(p);
    }

    /** Nanoseconds as microseconds: one decimal below 1 ms. */
    static String us(final double nanos)
    {
        final double micros = nanos / 1e3;
        return micros < 1000 ? String.format(Locale.ROOT, "%.1f", micros) : String.format(Locale.ROOT, "%,.0f", micros);
    }

    private static void row(final StringBuilder sb, final String name, final String value)
    {
        sb.append(String.format(Locale.ROOT, "  %-14s %s%n", name, value));
    }
}
