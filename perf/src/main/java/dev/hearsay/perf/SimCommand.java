package dev.hearsay.perf;

import dev.hearsay.tools.Command;
import dev.hearsay.sim.RoundReport;
import dev.hearsay.sim.Scenario;
import dev.hearsay.sim.ScenarioRunner;
import dev.hearsay.sim.SimConfig;
import dev.hearsay.sim.SimReport;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code sim}: runs one simulator scenario and prints a table, or one JSON object with {@code --json}. Progress goes
 * to stderr with {@code --progress}, so stdout stays parseable.
 */
final class SimCommand implements Command
{
    /** Crash fraction of mass-failure when none is given. */
    static final double DEFAULT_MASS_FAILURE = 0.5;
    /** Churn per round when none is given (the Plumtree report's 50 per 10,000 nodes). */
    static final double DEFAULT_CHURN = 0.005;
    /** Share of the nodes cut off by the partition scenario when none is given. */
    static final double DEFAULT_PARTITION = 0.5;

    @Override
    public String name()
    {
        return "sim";
    }

    @Override
    public String summary()
    {
        return "deterministic simulation of N nodes (HyParView + PlumTree through the real codec)";
    }

    @Override
    public String usage()
    {
        return """
            sim --nodes N --scenario NAME [options]
              --nodes N              nodes to bootstrap (required)
              --scenario NAME        single-sender | random-sender | all-send | mass-failure | churn | partition
                                     (required)
              --seed S               seed of every random choice (default 1)
              --rounds R             measured broadcast rounds (default 30; all-send 1; mass-failure and
                                     partition 10)
              --fail-fraction F      mass-failure: share crashed at once (default 0.5);
                                     churn: share replaced per round (default 0.005);
                                     partition: share cut off from the others (default 0.5)
              --partition SECONDS    partition: how long the network stays cut (default 30); the measured
                                     rounds start 2 s after the heal
              --loss P               drop each message with probability P, connection kept (default 0)
              --warmup W             unmeasured rounds first, to build the tree (default 1)
              --stabilise SECONDS    virtual time after the last join (default 30)
              --detection MS|never   failure detection timeout: delay before connected peers learn of a
                                     silent crash (default 2000, the nodes' failureDetectionTimeout; >= 100)
              --graft-timeout MS     the nodes' graftTimeout1: floor of the wait after an IHave before a
                                     Graft (default 80; 1-10000)
              --crash silent|killed  silent (default): a crashed node goes quiet, as a host that fails or is
                                     cut off; killed: a process killed on a live host, whose connections
                                     reset at once (peers learn one link latency later)
              --latency MIN-MAX      one-way link latency range in microseconds, uniform and fixed per
                                     ordered pair (default 10000-100000: 10-100 ms)
              --no-codec             hand over message copies instead of encoded bytes
              --json                 print exactly one JSON object
              --progress             log progress to stderr""";
    }

    @Override
    public int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options options;
        try
        {
            options = parse(args);
        }
        catch (final IllegalArgumentException e)
        {
            err.println("sim: " + e.getMessage());
            err.println();
            err.println("usage: java -jar hearsay-perf.jar " + usage());
            return Main.EXIT_USAGE;
        }

        final ScenarioRunner runner = new ScenarioRunner(options.config,
            options.progress ? line -> err.println("[sim] " + line) : null);
        final SimReport report;
        try
        {
            report = runner.run(options.scenario, options.rounds, options.failFraction);
        }
        catch (final RuntimeException e)
        {
            err.println("sim: run failed: " + e);
            e.printStackTrace(err);
            return Main.EXIT_FAILURE;
        }
        out.println(options.json ? json(report, options) : table(report, options));
        return 0;
    }

    private static Options parse(final String[] args)
    {
        final Options o = new Options();
        final SimConfig.Builder config = SimConfig.builder();
        Integer nodes = null;
        Integer rounds = null;
        Double failFraction = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--nodes" -> nodes = intValue(arg, value(args, ++i, arg), 1, 1_000_000);
                case "--scenario" ->
                {
                    final String name = value(args, ++i, arg);
                    o.scenario = Scenario.fromCliName(name);
                    if (o.scenario == null)
                    {
                        throw new IllegalArgumentException("unknown scenario '" + name + "'");
                    }
                }
                case "--seed" -> config.seed(longValue(arg, value(args, ++i, arg)));
                case "--rounds" -> rounds = intValue(arg, value(args, ++i, arg), 1, 1_000_000);
                case "--fail-fraction" -> failFraction = doubleValue(arg, value(args, ++i, arg), 0, 0.999);
                case "--loss" -> config.lossRate(doubleValue(arg, value(args, ++i, arg), 0, 0.999));
                case "--warmup" -> config.warmupRounds(intValue(arg, value(args, ++i, arg), 0, 1000));
                case "--stabilise" -> config.stabilise(
                    Duration.ofSeconds(intValue(arg, value(args, ++i, arg), 0, 1_000_000)));
                case "--detection" ->
                {
                    final String v = value(args, ++i, arg);
                    config.crashDetection("never".equals(v) ? null :
                        Duration.ofMillis(intValue(arg, v, 100, 600_000)));
                }
                case "--graft-timeout" -> config.protocol(SimConfig.DEFAULT_PROTOCOL.toBuilder()
                    .graftTimeout1(Duration.ofMillis(intValue(arg, value(args, ++i, arg), 1, 10_000))).build());
                case "--crash" ->
                {
                    final String v = value(args, ++i, arg);
                    if (!"silent".equals(v) && !"killed".equals(v))
                    {
                        throw new IllegalArgumentException("--crash: silent or killed, not " + v);
                    }
                    config.crashesReset("killed".equals(v));
                }
                case "--latency" ->
                {
                    final String v = value(args, ++i, arg);
                    final int dash = v.indexOf('-');
                    if (dash <= 0)
                    {
                        throw new IllegalArgumentException("--latency: '" + v + "' is not MIN-MAX in microseconds");
                    }
                    final long min = intValue(arg, v.substring(0, dash), 0, 10_000_000);
                    final long max = intValue(arg, v.substring(dash + 1), 0, 10_000_000);
                    if (max < min)
                    {
                        throw new IllegalArgumentException("--latency: MAX " + max + " is below MIN " + min);
                    }
                    config.latency(Duration.ofNanos(min * 1_000), Duration.ofNanos(max * 1_000));
                }
                case "--partition" -> config.partition(
                    Duration.ofSeconds(intValue(arg, value(args, ++i, arg), 0, 1_000_000)));
                case "--no-codec" -> config.useCodec(false);
                case "--json" -> o.json = true;
                case "--progress" -> o.progress = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (nodes == null)
        {
            throw new IllegalArgumentException("--nodes is required");
        }
        if (o.scenario == null)
        {
            throw new IllegalArgumentException("--scenario is required");
        }
        if (nodes < 2)
        {
            throw new IllegalArgumentException("--nodes: need at least 2 nodes to broadcast between");
        }
        o.rounds = rounds != null ? rounds : o.scenario.defaultRounds();
        o.failFraction = failFraction != null ? failFraction :
            o.scenario == Scenario.MASS_FAILURE ? DEFAULT_MASS_FAILURE :
            o.scenario == Scenario.CHURN ? DEFAULT_CHURN :
            o.scenario == Scenario.PARTITION ? DEFAULT_PARTITION : 0;
        config.nodes(nodes);
        o.config = config.build();
        return o;
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length || args[index].startsWith("--"))
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int intValue(final String option, final String value, final int min, final int max)
    {
        final long v = longValue(option, value);
        if (v < min || v > max)
        {
            throw new IllegalArgumentException(option + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return (int)v;
    }

    private static long longValue(final String option, final String value)
    {
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not an integer");
        }
    }

    private static double doubleValue(final String option, final String value, final double min, final double max)
    {
        final double v;
        try
        {
            v = Double.parseDouble(value);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a number");
        }
        if (!(v >= min && v <= max))
        {
            throw new IllegalArgumentException(option + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    static String json(final SimReport r, final Options o)
    {
        final StringBuilder rounds = new StringBuilder("[");
        for (final RoundReport round : r.rounds)
        {
            rounds.append(rounds.length() > 1 ? "," : "").append(new Json()
                .field("reliability", round.reliability())
                .field("promptReliability", round.promptReliability())
                .field("completeMs", round.completionNanos() / 1e6)
                .field("rmr", round.rmr())
                .field("ldh", round.ldh())
                .field("missed", round.missed()));
        }
        rounds.append(']');
        return new Json()
            .field("nodes", r.nodes)
            .field("scenario", r.scenario.cliName())
            .field("seed", r.seed)
            .field("rounds", r.rounds.size())
            .field("warmupRounds", r.warmup.size())
            .field("failFraction", r.failFraction)
            .field("failedNodes", r.failedNodes)
            .field("partitionedNodes", r.partitionedNodes)
            .field("partitionSeconds", r.partitionNanos / 1e9)
            .field("componentsBeforeHeal", r.componentsBeforeHeal)
            .field("healMs", r.healNanos < 0 ? -1 : r.healNanos / 1e6)
            .field("firstBroadcastAfterHealMs", r.firstBroadcastAfterHealNanos / 1e6)
            .field("loss", r.lossRate)
            .field("codec", o.config.useCodec())
            .field("broadcasts", r.broadcasts)
            .field("expected", r.expected)
            .field("delivered", r.delivered)
            .field("missed", r.missed())
            .field("reliability", r.reliability())
            .field("firstReliability", r.firstReliability)
            .field("firstPromptReliability", r.firstPromptReliability)
            .field("firstCompleteMs", r.firstCompletionNanos / 1e6)
            .field("reachableAfterCrash", r.reachableAfterCrash)
            .field("floodedPromptlyAfterCrash", r.floodedPromptlyAfterCrash)
            .field("roundsToHeal", r.roundsToHeal)
            .field("rmr", r.rmr())
            .field("maxRoundRmr", r.maxRoundRmr)
            .field("warmupRmr", r.warmup.isEmpty() ? Double.NaN : r.warmup.get(0).rmr())
            .field("ldh", r.ldh)
            .field("payloadMessages", r.payloadMessages)
            .field("controlMessages", r.controlMessages)
            .field("membershipMessages", r.membershipMessages)
            .field("latencyP50Ms", r.latencyP50Micros / 1000.0)
            .field("latencyP99Ms", r.latencyP99Micros / 1000.0)
            .field("latencyMaxMs", r.latencyMaxMicros / 1000.0)
            .field("asymmetricPairs", r.asymmetricPairs)
            .field("danglingLinks", r.danglingLinks)
            .field("isolatedNodes", r.isolatedNodes)
            .field("components", r.components)
            .field("meanActiveView", r.meanActiveView)
            .field("duplicateDeliveries", r.duplicateDeliveries)
            .field("decodeErrors", r.decodeErrors)
            .field("lostMessages", r.lostMessages)
            .field("events", r.events)
            .field("virtualSeconds", r.virtualNanos / 1e9)
            .field("bootstrapWallSeconds", r.bootstrapWallNanos / 1e9)
            .field("wallSeconds", r.wallNanos / 1e9)
            .raw("perRound", rounds.toString())
            .toString();
    }

    static String table(final SimReport r, final Options o)
    {
        final StringBuilder sb = new StringBuilder();
        row(sb, "scenario", r.scenario.cliName() + ", " + r.nodes + " nodes, seed " + r.seed
            + (r.lossRate > 0 ? ", loss " + r.lossRate : "") + (o.config.useCodec() ? "" : ", no codec"));
        if (r.scenario == Scenario.MASS_FAILURE)
        {
            row(sb, "crashed", r.failedNodes + " nodes (" + pct(r.failFraction) + ") at once");
        }
        else if (r.scenario == Scenario.CHURN)
        {
            row(sb, "churned", r.failedNodes + " nodes in total (" + pct(r.failFraction) + " per round)");
        }
        else if (r.scenario == Scenario.PARTITION)
        {
            row(sb, "partition", String.format(Locale.ROOT, "%d of %d nodes cut off for %.0f s; %d component(s) "
                + "before the heal", r.partitionedNodes, r.nodes, r.partitionNanos / 1e9, r.componentsBeforeHeal));
            row(sb, "heal", (r.healNanos < 0 ? "not one component within the watch"
                : String.format(Locale.ROOT, "one component %.0f ms after the heal", r.healNanos / 1e6))
                + String.format(Locale.ROOT, "; first broadcast %.1f s after the heal",
                r.firstBroadcastAfterHealNanos / 1e9));
        }
        row(sb, "rounds", r.rounds.size() + " measured (" + r.broadcasts + " broadcasts) after " + r.warmup.size()
            + " warm-up");
        row(sb, "reliability", String.format(Locale.ROOT, "%s (%d of %d delivered, %d missed)",
            pct(r.reliability()), r.delivered, r.expected, r.missed()));
        if (r.scenario == Scenario.MASS_FAILURE || r.scenario == Scenario.PARTITION)
        {
            row(sb, "first broadcast", pct(r.firstReliability) + " (" + pct(r.firstPromptReliability)
                + String.format(Locale.ROOT, " within %.1f s; complete at %.0f ms)", o.config.promptNanos() / 1e9,
                r.firstCompletionNanos / 1e6));
            if (!Double.isNaN(r.reachableAfterCrash))
            {
                row(sb, "reachable", pct(r.reachableAfterCrash)
                    + " of the survivors linked to the sender right after the crash, before any repair");
                row(sb, "flood bound", pct(r.floodedPromptlyAfterCrash)
                    + String.format(Locale.ROOT, " reached within %.1f s by a flood over those links (latency only)",
                    o.config.promptNanos() / 1e9));
            }
            row(sb, "rounds to 100%", r.roundsToHeal < 0 ? "not within " + r.rounds.size() : r.roundsToHeal + "");
        }
        row(sb, "RMR", fmt(r.rmr()) + " (max round " + fmt(r.maxRoundRmr) + "; warm-up "
            + (r.warmup.isEmpty() ? "-" : fmt(r.warmup.get(0).rmr())) + ")");
        row(sb, "LDH", String.valueOf(r.ldh));
        row(sb, "messages", r.payloadMessages + " payload, " + r.controlMessages + " control (IHave/Graft/Prune), "
            + r.membershipMessages + " membership");
        row(sb, "per broadcast", String.format(Locale.ROOT, "%.1f payload, %.1f control",
            (double)r.payloadMessages / Math.max(1, r.broadcasts), (double)r.controlMessages / Math.max(1, r.broadcasts)));
        row(sb, "latency", String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (simulated)",
            r.latencyP50Micros / 1000.0, r.latencyP99Micros / 1000.0, r.latencyMaxMicros / 1000.0));
        row(sb, "overlay", String.format(Locale.ROOT,
            "%d asymmetric pairs, %d links to dead nodes, %d isolated, %d component(s), mean active view %.2f",
            r.asymmetricPairs, r.danglingLinks, r.isolatedNodes, r.components, r.meanActiveView));
        row(sb, "errors", r.duplicateDeliveries + " duplicate deliveries, " + r.decodeErrors + " decode errors"
            + (r.lostMessages > 0 ? ", " + r.lostMessages + " messages lost by the loss model" : ""));
        row(sb, "run", String.format(Locale.ROOT, "%,d events, %.1f s virtual", r.events, r.virtualNanos / 1e9));
        row(sb, "wall", String.format(Locale.ROOT, "%.2f s (bootstrap %.2f s, rounds %.2f s)", r.wallNanos / 1e9,
            r.bootstrapWallNanos / 1e9, (r.wallNanos - r.bootstrapWallNanos) / 1e9));
        if (r.scenario == Scenario.MASS_FAILURE || r.scenario == Scenario.CHURN || r.scenario == Scenario.PARTITION
            || r.rounds.size() <= 10)
        {
            sb.append(String.format(Locale.ROOT, "%n  %5s  %12s  %12s  %12s  %8s  %4s  %8s%n", "round",
                "reliability", "within " + o.config.promptNanos() / 1_000_000_000 + " s", "complete ms", "RMR", "LDH",
                "missed"));
            for (final RoundReport round : r.rounds)
            {
                sb.append(String.format(Locale.ROOT, "  %5d  %12s  %12s  %12.0f  %8s  %4d  %8d%n", round.index(),
                    pct(round.reliability()), pct(round.promptReliability()), round.completionNanos() / 1e6,
                    fmt(round.rmr()), round.ldh(), round.missed()));
            }
        }
        return sb.toString().stripTrailing();
    }

    private static void row(final StringBuilder sb, final String name, final String value)
    {
        sb.append(String.format(Locale.ROOT, "%-16s %s%n", name, value));
    }

    private static String pct(final double ratio)
    {
        return String.format(Locale.ROOT, "%.2f%%", 100 * ratio);
    }

    private static String fmt(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Parsed command line. */
    static final class Options
    {
        SimConfig config;
        Scenario scenario;
        int rounds;
        double failFraction;
        boolean json;
        boolean progress;
    }
}
