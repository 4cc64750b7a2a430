package dev.hearsay.perf.bench;

import dev.hearsay.perf.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every figure of a {@code --slow-peer} or {@code --slow-subscriber} run, filled in by {@link SlowScenarioRun}; judged
 * against the scenario's goals and rendered as text or as one JSON object.
 */
final class SlowScenarioResult
{
    /** Share of its unloaded throughput every other node must keep while one node is slow. */
    static final double OTHERS_GOAL = 0.8;

    /** The figures of one kind of window (unloaded, slow), summed over the windows of the run. */
    static final class Phase
    {
        final String name;
        long windowNanos;
        /** Deliveries of measured messages per node inside the windows. */
        final long[] inWindows;
        /** Deliveries per node from each window's start until its drain ended, and what each node should have had. */
        final long[] delivered;
        final long[] expected;
        /** Events reported missed by Lagged events per node, from each window's start until its drain ended. */
        final long[] missed;
        long accepted;
        long backPressured;
        /** Frame bytes the engine of each node received inside the windows. */
        final long[] bytesInWindows;
        /** Every quarter second of the windows: seconds since the window began, others' mean rate, the slow node's. */
        final List<double[]> timeline = new ArrayList<>();
        /** {@link NodeCounters} per node from each window's start until its drain ended. */
        final List<Map<String, Long>> counters = new ArrayList<>();
        /**
         * Slow-subscriber windows: the part of each window before the slow reader's cut-over was seen (the hold its
         * lossless subscription promises it, at most its timeout) and the part after it, with each node's deliveries.
         * The cut-over is looked for at every quarter-second sample, so the part after it starts up to a quarter
         * second late and never includes any of the hold.
         */
        long heldNanos;
        long afterCutoverNanos;
        final long[] inHold;
        final long[] inAfterCutover;

        Phase(final String name, final int nodes)
        {
            this.name = name;
            inWindows = new long[nodes];
            delivered = new long[nodes];
            expected = new long[nodes];
            missed = new long[nodes];
            bytesInWindows = new long[nodes];
            inHold = new long[nodes];
            inAfterCutover = new long[nodes];
            for (int i = 0; i < nodes; i++)
            {
                counters.add(new LinkedHashMap<>());
            }
        }

        double seconds()
        {
            return windowNanos / 1e9;
        }

        /** Deliveries a second at node {@code i} inside the windows. */
        double rate(final int i)
        {
            return windowNanos == 0 ? 0 : inWindows[i] * 1e9 / windowNanos;
        }

        /** Deliveries a second at node {@code i} in the windows' parts after the slow reader's cut-over. */
        double rateAfterCutover(final int i)
        {
            return afterCutoverNanos == 0 ? 0 : inAfterCutover[i] * 1e9 / afterCutoverNanos;
        }

        /** Deliveries a second at node {@code i} in the windows' parts before the slow reader's cut-over. */
        double rateInHold(final int i)
        {
            return heldNanos == 0 ? 0 : inHold[i] * 1e9 / heldNanos;
        }

        long lost(final int i)
        {
            return Math.max(0, expected[i] - delivered[i]);
        }

        long counter(final int node, final String name)
        {
            return counters.get(node).getOrDefault(name, 0L);
        }

        /** {@code name} summed over every node but {@code except}. */
        long counterOthers(final String name, final int except)
        {
            long n = 0;
            for (int i = 0; i < counters.size(); i++)
            {
                n += i == except ? 0 : counter(i, name);
            }
            return n;
        }
    }

    BenchOptions options;
    String scenario;
    String jvm;
    int cpus;
    double loadBefore;
    double loadAfter;
    double wallSeconds;
    int slowNode;
    Phase unloaded;
    Phase slow;
    /** The others' ratio to unloaded in each pair of windows (slow-subscriber: per round). */
    final List<Double> roundRatios = new ArrayList<>();

    // --slow-peer
    int readLimit;
    double slowUnloadedBytesPerSecond;
    List<String> overlayAtEnd = new ArrayList<>();
    int slowNeighborsAtEnd;
    int othersLinkedToSlowAtEnd;

    // --slow-subscriber
    double paceEventsPerSecond;
    int slowSubscriberTimeoutMillis;
    /** What the slow reader lost, duplicated and was told (Lagged) in the slow windows. */
    long slowMissing;
    /** Lost in the slow windows before the slow reader's first Lagged of the window: before its cut-over. */
    long slowMissingBeforeLagged;
    /** The missed counts of the slow windows' Lagged events together. */
    long slowMissed;
    long slowDuplicates;
    long slowLagged;
    long slowCutovers;
    /** The stall: the reader stopped for {@link #stallNanos}, then read again. */
    Phase stall;
    long stallNanos;
    long stallAccepted;
    long stallReceived;
    long stallLaggedEvents;
    long stallMissed;
    long stallFirstMissed;
    long stallGap;
    long stallMissingBeforeLagged;
    long stallMissing;
    long stallDuplicates;
    long stallForeign;
    long stallReceivedBeforeLagged;
    long stallCutovers;
    /** Deliveries per second at each node while the reader was stopped. */
    double[] stallRates;

    /** The nodes other than the slow one that had deliveries when unloaded (a lone publisher has none). */
    List<Integer> others()
    {
        final List<Integer> others = new ArrayList<>();
        for (int i = 0; i < options.nodes; i++)
        {
            if (i != slowNode && unloaded.rate(i) > 0)
            {
                others.add(i);
            }
        }
        return others;
    }

    /** Node {@code i}'s deliveries a second in the slow windows against the unloaded ones. */
    double ratio(final int i)
    {
        return unloaded.rate(i) == 0 ? Double.NaN : slow.rate(i) / unloaded.rate(i);
    }

    /** Node {@code i}'s deliveries a second in the slow windows after the slow reader's cut-over, against unloaded. */
    double ratioAfterCutover(final int i)
    {
        return unloaded.rate(i) == 0 || slow.afterCutoverNanos == 0 ? Double.NaN
            : slow.rateAfterCutover(i) / unloaded.rate(i);
    }

    double othersRatioAfterCutoverMin()
    {
        return minOverOthers(this::ratioAfterCutover);
    }

    double othersRatioAfterCutoverMean()
    {
        return meanOverOthers(this::ratioAfterCutover);
    }

    /** The others' mean deliveries a second in the slow windows before the cut-over, against unloaded. */
    double othersRatioInHold()
    {
        return slow.heldNanos == 0 ? Double.NaN : meanOverOthers(i -> slow.rateInHold(i) / unloaded.rate(i));
    }

    double othersRatioMin()
    {
        return minOverOthers(this::ratio);
    }

    double othersRatioMean()
    {
        return meanOverOthers(this::ratio);
    }

    /** The least of {@code value} over {@link #others()}; NaN if there are none. */
    private double minOverOthers(final java.util.function.IntToDoubleFunction value)
    {
        double min = Double.NaN;
        for (final int i : others())
        {
            min = Double.isNaN(min) ? value.applyAsDouble(i) : Math.min(min, value.applyAsDouble(i));
        }
        return min;
    }

    /** The mean of {@code value} over {@link #others()}; NaN if there are none. */
    private double meanOverOthers(final java.util.function.IntToDoubleFunction value)
    {
        double sum = 0;
        final List<Integer> others = others();
        for (final int i : others)
        {
            sum += value.applyAsDouble(i);
        }
        return others.isEmpty() ? Double.NaN : sum / others.size();
    }

    /** The others' mean deliveries a second in {@code phase}. */
    double othersRate(final Phase phase)
    {
        double sum = 0;
        final List<Integer> others = others();
        for (final int i : others)
        {
            sum += phase.rate(i);
        }
        return others.isEmpty() ? 0 : sum / others.size();
    }

    /** The others' mean deliveries a second while the reader was stopped, against unloaded. */
    double othersStallRatio()
    {
        if (stallRates == null)
        {
            return Double.NaN;
        }
        double sum = 0;
        final List<Integer> others = others();
        for (final int i : others)
        {
            sum += stallRates[i] / unloaded.rate(i);
        }
        return others.isEmpty() ? Double.NaN : sum / others.size();
    }

    /** Lost by the others: they must get everything whatever the slow node does. */
    long othersLost(final Phase phase)
    {
        long n = 0;
        for (int i = 0; i < options.nodes; i++)
        {
            n += i == slowNode ? 0 : phase.lost(i);
        }
        return n;
    }

    /**
     * {@code name} summed over the nodes that were not slow: every node in the unloaded windows, all but the slow
     * node in the slow windows and the stall.
     */
    long counterHealthy(final String name)
    {
        long n = unloaded == null ? 0 : unloaded.counterOthers(name, -1);
        for (final Phase p : new Phase[] {slow, stall})
        {
            n += p == null || p == unloaded ? 0 : p.counterOthers(name, slowNode);
        }
        return n;
    }

    /**
     * True when the others lost messages in some window (they must get everything whatever the slow node does), or
     * a node that was not slow had a dedupe window give sequences up (the cluster fell into repair storms). The slow
     * node's own losses in its slow windows are its share of the slowness, judged by the goals (and reported to its
     * reader as Lagged); so are the grafted ids no cache held any more, which its answerers count. The figures are
     * of a damaged cluster.
     */
    boolean damaged()
    {
        return othersLost(unloaded) > 0 || othersLost(slow) > 0 || (stall != null && othersLost(stall) > 0)
            || counterHealthy("windowSkipped") > 0;
    }

    private String damage()
    {
        return String.format(Locale.ROOT, "the others lost %,d messages unloaded, %,d with the slow node%s; nodes "
            + "while not slow: %,d sequences given up by dedupe windows, %,d duplicates, %,d grafts; %,d grafted ids "
            + "no cache held any more (answering the slow node's grafts included)", othersLost(unloaded), othersLost(slow),
            stall == null ? "" : String.format(Locale.ROOT, ", %,d in the stall", othersLost(stall)),
            counterHealthy("windowSkipped"), counterHealthy("duplicates"), counterHealthy("graftsSent"),
            counterHealthy("graftsMissed"));
    }

    List<Goals.Goal> goals()
    {
        final List<Goals.Goal> goals = new ArrayList<>();
        if (options.slowPeer)
        {
            final double min = othersRatioMin();
            goals.add(new Goals.Goal(scenario, "one node's socket reads throttled to 10% of its unloaded byte rate: "
                + "every other node keeps >= 80% of its unloaded deliveries/s",
                Double.isNaN(min) ? Goals.Verdict.NOT_EVALUATED : verdict(min >= OTHERS_GOAL),
                String.format(Locale.ROOT, "others at %.3f x unloaded at the least, %.3f x on average (%,.0f against "
                    + "%,.0f msg/s per node); slow node %,.0f msg/s = %.3f x its unloaded %,.0f", min,
                    othersRatioMean(), othersRate(slow), othersRate(unloaded), slow.rate(slowNode), ratio(slowNode),
                    unloaded.rate(slowNode))));
        }
        else
        {
            // The lossless policy promises the slow reader its timeout: until its cut-over it holds the flow, and
            // the others with it. What the others must keep is judged from the cut-over on; the hold is reported.
            final double min = othersRatioAfterCutoverMin();
            goals.add(new Goals.Goal(scenario, "one node's reader at 10% of its unloaded rate: from its cut-over on, "
                + "every other node keeps >= 80% of its unloaded deliveries/s",
                Double.isNaN(min) ? Goals.Verdict.NOT_EVALUATED : verdict(min >= OTHERS_GOAL),
                String.format(Locale.ROOT, "after the cut-over (%.1f s): others at %.3f x unloaded at the least, "
                    + "%.3f x on average; before it, while the lossless reader held them (%.1f s, its timeout "
                    + "%,d ms): %.3f x; whole slow windows: %.3f x at the least (%,.0f against %,.0f msg/s per "
                    + "node); slow node %,.0f msg/s = %.3f x its unloaded %,.0f", slow.afterCutoverNanos / 1e9, min,
                    othersRatioAfterCutoverMean(), slow.heldNanos / 1e9, slowSubscriberTimeoutMillis,
                    othersRatioInHold(), othersRatioMin(), othersRate(slow), othersRate(unloaded),
                    slow.rate(slowNode), ratio(slowNode), unloaded.rate(slowNode))));
        }
        if (options.slowPeer)
        {
            final long cuts = slow.counterOthers("slowPeerDisconnects", slowNode);
            final long isolated = slow.counterOthers("peersIsolated", slowNode);
            final long spared = slow.counterOthers("slowPeersSpared", slowNode);
            final long down = slow.counter(slowNode, "peersDisconnected");
            goals.add(new Goals.Goal("slow-peer-isolated", "the slow node is isolated or replaced, and counted",
                verdict(cuts > 0 || isolated > 0 || othersLinkedToSlowAtEnd < options.nodes - 1),
                String.format(Locale.ROOT, "isolated %,d times by the others (peersIsolated; made lazy %,d times: "
                    + "slowPeersSpared), cut %,d times (slowPeerDisconnects), %,d peer-down events at the slow node; "
                    + "at the end %d of %d others linked to it, it has %d neighbors", isolated, spared, cuts, down,
                    othersLinkedToSlowAtEnd, options.nodes - 1, slowNeighborsAtEnd)));
        }
        else
        {
            goals.add(new Goals.Goal("slow-subscriber-lossless", "the slow reader loses nothing before its cut-over",
                verdict(slowMissingBeforeLagged == 0 && stallMissingBeforeLagged == 0 && slowDuplicates == 0
                    && stallDuplicates == 0),
                String.format(Locale.ROOT, "at 10%% pace: %,d lost before the first Lagged, %,d cut-over%s, then "
                    + "%,d lost and %,d reported missed by %,d Lagged events; %,d lost before the Lagged of the "
                    + "stall; %,d duplicates%s", slowMissingBeforeLagged, slowCutovers, slowCutovers == 1 ? "" : "s",
                    slowMissing - slowMissingBeforeLagged, slowMissed, slowLagged, stallMissingBeforeLagged,
                    slowDuplicates + stallDuplicates, damaged() ? " (a damaged cluster: " + damage() + ")" : "")));
            goals.add(new Goals.Goal("slow-subscriber-lagged", "after a stall past the timeout: exactly one Lagged, "
                + "its missed count the gap in sequence numbers, every loss reported",
                verdict(stallLaggedEvents == 1 && stallFirstMissed == stallGap && stallMissing == stallMissed),
                String.format(Locale.ROOT, "%d Lagged event%s, missed %,d, sequence gap %,d; %,d accepted broadcasts "
                    + "never received, %,d reported missed; %d cut-over%s", stallLaggedEvents,
                    stallLaggedEvents == 1 ? "" : "s", Math.max(0, stallFirstMissed), Math.max(0, stallGap),
                    stallMissing, stallMissed, stallCutovers, stallCutovers == 1 ? "" : "s")));
        }
        return goals;
    }

    private static Goals.Verdict verdict(final boolean met)
    {
        return met ? Goals.Verdict.MET : Goals.Verdict.NOT_MET;
    }

    String json(final List<Goals.Goal> goals)
    {
        final List<String> goalJson = new ArrayList<>();
        for (final Goals.Goal g : goals)
        {
            goalJson.add(new Json().field("goal", g.id()).field("text", g.text())
                .field("verdict", g.verdict().label).field("measured", g.measured()).toString());
        }
        final List<String> ratios = new ArrayList<>();
        for (int i = 0; i < options.nodes; i++)
        {
            ratios.add(Json.number(ratio(i)));
        }
        final List<String> rounds = new ArrayList<>();
        for (final double r : roundRatios)
        {
            rounds.add(Json.number(r));
        }
        final Json j = new Json()
            .field("command", options.commandLine())
            .field("scenario", scenario)
            .field("nodes", options.nodes)
            .field("size", options.size)
            .field("publishers", options.publishers)
            .field("slowNode", slowNode)
            .field("jvm", jvm)
            .field("cpus", cpus)
            .field("loadBefore", loadBefore)
            .field("loadAfter", loadAfter)
            .field("wallSeconds", wallSeconds)
            .field("othersRatioMin", othersRatioMin())
            .field("othersRatioMean", othersRatioMean())
            .field("othersUnloadedDeliveriesPerSecond", othersRate(unloaded))
            .field("othersSlowDeliveriesPerSecond", othersRate(slow))
            .field("slowNodeUnloadedDeliveriesPerSecond", unloaded.rate(slowNode))
            .field("slowNodeDeliveriesPerSecond", slow.rate(slowNode))
            .field("othersLost", othersLost(slow))
            .field("othersLostUnloaded", othersLost(unloaded))
            .field("damaged", damaged())
            .raw("ratioPerNode", Json.array(ratios))
            .raw("ratioPerRound", Json.array(rounds));
        if (options.slowPeer)
        {
            j.field("readLimitBytesPerSecond", readLimit)
                .field("readLimitShare", SlowScenarioRun.SLOW_SHARE)
                .field("slowNodeUnloadedBytesPerSecond", slowUnloadedBytesPerSecond)
                .field("slowNodeBytesPerSecond", slow.windowNanos == 0 ? 0 :
                    slow.bytesInWindows[slowNode] * 1e9 / slow.windowNanos)
                .field("slowNodeLost", slow.lost(slowNode))
                .field("slowPeerCuts", slow.counterOthers("slowPeerDisconnects", slowNode))
                .field("slowPeerIsolations", slow.counterOthers("peersIsolated", slowNode))
                .field("slowPeerMadeLazy", slow.counterOthers("slowPeersSpared", slowNode))
                .field("slowPeerWaits", slow.counterOthers("slowPeerWaits", slowNode))
                .field("peersDisconnected", slow.counterOthers("peersDisconnected", -1))
                .field("readThrottleWaits", slow.counter(slowNode, "readThrottleWaits"))
                .field("slowNodeNeighborsAtEnd", slowNeighborsAtEnd)
                .field("othersLinkedToSlowAtEnd", othersLinkedToSlowAtEnd)
                .raw("overlayAtEnd", Json.array(overlayAtEnd.stream().map(Json::string).toList()));
        }
        else
        {
            j.field("othersRatioAfterCutoverMin", othersRatioAfterCutoverMin())
                .field("othersRatioAfterCutoverMean", othersRatioAfterCutoverMean())
                .field("othersRatioInHold", othersRatioInHold())
                .field("slowWindowSeconds", slow.seconds())
                .field("heldSeconds", slow.heldNanos / 1e9)
                .field("afterCutoverSeconds", slow.afterCutoverNanos / 1e9)
                .field("subscriptionCapacity", options.subscriptionCapacity)
                .field("slowSubscriberTimeoutMillis", slowSubscriberTimeoutMillis)
                .field("paceEventsPerSecond", paceEventsPerSecond)
                .field("slowMissing", slowMissing)
                .field("slowMissingBeforeLagged", slowMissingBeforeLagged)
                .field("slowMissed", slowMissed)
                .field("slowCutovers", slowCutovers)
                .field("slowDuplicates", slowDuplicates)
                .field("slowLagged", slowLagged)
                .raw("stall", new Json()
                    .field("stallSeconds", stallNanos / 1e9)
                    .field("accepted", stallAccepted)
                    .field("received", stallReceived)
                    .field("receivedBeforeLagged", stallReceivedBeforeLagged)
                    .field("cutovers", stallCutovers)
                    .field("laggedEvents", stallLaggedEvents)
                    .field("missed", stallMissed)
                    .field("firstMissed", stallFirstMissed)
                    .field("sequenceGap", stallGap)
                    .field("missingBeforeLagged", stallMissingBeforeLagged)
                    .field("missing", stallMissing)
                    .field("unreported", stallMissing - stallMissed)
                    .field("duplicates", stallDuplicates)
                    .field("foreign", stallForeign)
                    .field("othersLost", othersLost(stall))
                    .field("othersRatioWhileStopped", othersStallRatio())
                    .raw("phase", phaseJson(stall))
                    .toString());
        }
        return j.raw("unloaded", phaseJson(unloaded))
            .raw("slow", phaseJson(slow))
            .raw("goals", Json.array(goalJson))
            .toString();
    }

    private static String phaseJson(final Phase p)
    {
        final List<String> nodes = new ArrayList<>();
        for (int i = 0; i < p.inWindows.length; i++)
        {
            final Json c = new Json();
            for (final Map.Entry<String, Long> e : p.counters.get(i).entrySet())
            {
                c.field(e.getKey(), e.getValue());
            }
            nodes.add(new Json().field("node", i)
                .field("deliveriesPerSecond", p.rate(i))
                .field("delivered", p.delivered[i])
                .field("expected", p.expected[i])
                .field("lost", p.lost(i))
                .field("missed", p.missed[i])
                .field("bytesReceivedPerSecond", p.windowNanos == 0 ? 0 : p.bytesInWindows[i] * 1e9 / p.windowNanos)
                .raw("counters", c.toString())
                .toString());
        }
        final List<String> timeline = new ArrayList<>();
        for (final double[] t : p.timeline)
        {
            timeline.add(new Json().field("t", t[0]).field("others", t[1]).field("slow", t[2]).toString());
        }
        return new Json()
            .field("windowSeconds", p.seconds())
            .field("accepted", p.accepted)
            .field("backPressuredAttempts", p.backPressured)
            .raw("perNode", Json.array(nodes))
            .raw("timeline", Json.array(timeline))
            .toString();
    }

    String text(final List<Goals.Goal> goals)
    {
        final StringBuilder sb = new StringBuilder();
        final BenchOptions o = options;
        sb.append(String.format(Locale.ROOT, "Hearsay bench, %s: %d nodes on loopback in one JVM, %d-byte payloads, "
            + "%d publisher%s at max rate; the slow node is node %d%n", scenario, o.nodes, o.size, o.publishers,
            o.publishers == 1 ? "" : "s", slowNode));
        sb.append("  ").append(o.commandLine()).append('\n');
        sb.append(String.format(Locale.ROOT, "  %s, %d vCPUs, load average %.2f before, %.2f after; wall %.1f s%n",
            jvm, cpus, loadBefore, loadAfter, wallSeconds));
        if (o.slowPeer)
        {
            sb.append(String.format(Locale.ROOT, "  unloaded: a cluster of its own first; the slow node's engine "
                + "received %,.0f B/s there, so its reads are limited to %,d B/s (%.0f%%)%n",
                slowUnloadedBytesPerSecond, readLimit, 100 * SlowScenarioRun.SLOW_SHARE));
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "  one reader thread per node; the slow one polls %,.0f events/s "
                + "(%.0f%% of its unloaded rate) in the slow windows; subscription buffers %,d events, lossless, "
                + "slow-subscriber timeout %,d ms%n", paceEventsPerSecond, 100 * SlowScenarioRun.SLOW_SHARE,
                o.subscriptionCapacity, slowSubscriberTimeoutMillis));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "  %-6s %16s %10s %16s %10s %8s%n", "node", "unloaded msg/s", "lost",
            "slow msg/s", "lost", "ratio"));
        for (int i = 0; i < o.nodes; i++)
        {
            sb.append(String.format(Locale.ROOT, "  %-6s %,16.0f %,10d %,16.0f %,10d %8.3f%n",
                i == slowNode ? i + " *" : "" + i, unloaded.rate(i), unloaded.lost(i), slow.rate(i), slow.lost(i),
                ratio(i)));
        }
        sb.append(String.format(Locale.ROOT, "  (* the slow node) windows: %.1f s unloaded, %.1f s slow; publishers "
            + "back-pressured %,d times unloaded, %,d slow%n", unloaded.seconds(), slow.seconds(),
            unloaded.backPressured, slow.backPressured));
        if (roundRatios.size() > 1)
        {
            final StringBuilder r = new StringBuilder();
            for (final double v : roundRatios)
            {
                r.append(r.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v));
            }
            sb.append("  others' ratio per round: ").append(r).append('\n');
        }
        sb.append("  others' mean msg/s over time in the slow windows (seconds: rate): ").append(timeline(slow))
            .append('\n');
        if (o.slowPeer)
        {
            sb.append(String.format(Locale.ROOT, "  slow node: %,d reads stopped for the limit; cut %,d times by the "
                + "others; %,d peer-down events in all; others' reads held %,d times; at the end %d of %d others "
                + "linked to it%n", slow.counter(slowNode, "readThrottleWaits"),
                slow.counterOthers("slowPeerDisconnects", slowNode), slow.counterOthers("peersDisconnected", -1),
                slow.counterOthers("readHolds", slowNode), othersLinkedToSlowAtEnd, o.nodes - 1));
            sb.append("  overlay at the end: ");
            for (int i = 0; i < overlayAtEnd.size(); i++)
            {
                sb.append(i == 0 ? "" : " | ").append(i).append(" -> ").append(overlayAtEnd.get(i));
            }
            sb.append('\n');
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "  slow windows: before the slow reader's cut-over (%.1f s, the "
                + "hold its timeout allows) the others kept %.3f x unloaded; after it (%.1f s) %.3f x on average, "
                + "%.3f x at the least%n", slow.heldNanos / 1e9, othersRatioInHold(), slow.afterCutoverNanos / 1e9,
                othersRatioAfterCutoverMean(), othersRatioAfterCutoverMin()));
            sb.append(String.format(Locale.ROOT, "  slow windows: the slow reader lost %,d before its first Lagged, "
                + "was cut over %,d time%s, then lost %,d and was told of %,d by %,d Lagged events; %,d duplicates; "
                + "%,d holds for its full buffer%n", slowMissingBeforeLagged, slowCutovers,
                slowCutovers == 1 ? "" : "s", slowMissing - slowMissingBeforeLagged, slowMissed, slowLagged,
                slowDuplicates, slow.counter(slowNode, "subscriberHolds")));
            sb.append(String.format(Locale.ROOT, "  stall: the reader stopped for %.1f s; %,d cut-over%s; %,d "
                + "Lagged event%s (missed %,d; sequence gap %,d); %,d of %,d accepted never received, %,d of them "
                + "before the Lagged; %,d duplicates%n", stallNanos / 1e9, stallCutovers, stallCutovers == 1 ? "" : "s",
                stallLaggedEvents, stallLaggedEvents == 1 ? "" : "s", stallMissed, stallGap, stallMissing,
                stallAccepted, stallMissingBeforeLagged, stallDuplicates));
            sb.append(String.format(Locale.ROOT, "  others while the reader was stopped: %.3f x unloaded; over time "
                + "(seconds from the stop: rate): %s%n", othersStallRatio(), timeline(stall)));
        }
        if (damaged())
        {
            sb.append("  WARNING: ").append(damage()).append(": the figures are of a damaged cluster\n");
        }
        sb.append('\n').append("Goals\n");
        for (final Goals.Goal g : goals)
        {
            sb.append(String.format(Locale.ROOT, "  %-15s %s%n  %-15s %s%n", "[" + g.verdict().label + "]", g.text(),
                "", g.measured()));
        }
        return sb.toString().stripTrailing();
    }

    private static String timeline(final Phase p)
    {
        final StringBuilder sb = new StringBuilder();
        for (final double[] t : p.timeline)
        {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f: %,.0f", t[0], t[1]));
        }
        return sb.toString();
    }
}
