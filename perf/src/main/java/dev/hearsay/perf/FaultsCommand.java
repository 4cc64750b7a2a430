package dev.hearsay.perf;

import dev.hearsay.tools.CliArgs;
import dev.hearsay.tools.Command;
import dev.hearsay.perf.faults.ChurnScenario;
import dev.hearsay.perf.faults.FreezeScenario;
import dev.hearsay.perf.faults.KillScenario;
import dev.hearsay.perf.faults.LiveFuzzScenario;
import dev.hearsay.perf.faults.NetnsLab;
import dev.hearsay.perf.faults.NetnsScenario;
import dev.hearsay.perf.faults.NodeProcess;
import dev.hearsay.transport.InboundFuzzer;

import java.io.File;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code faults}: the reliability suite on real processes and sockets: SIGKILL of a share of the nodes, network
 * namespaces with loss (and delay) and a partition, churn, fuzzing of the inbound path and of a live node, and with
 * {@code --soak} a long run watching for leaks. One line per scenario; exit code 1 if any failed.
 */
final class FaultsCommand implements Command
{
    private static final List<String> ALL = List.of("kill", "freeze", "netns", "churn", "fuzz");

    @Override
    public String name()
    {
        return "faults";
    }

    @Override
    public String summary()
    {
        return "reliability under faults: kill -9, loss and partitions, churn, fuzzing; --soak for leaks";
    }

    @Override
    public String usage()
    {
        return """
            faults [--quick] [--only kill,freeze,netns,churn,fuzz] [--seed S] [--log-dir DIR]
            faults --soak [--minutes M] [--seed S] [--log-dir DIR]
              (full)              kill: 20 node processes, 30% SIGKILLed at once, 10 rounds from the survivors;
                                  freeze: 16 node processes (8 quick), one paused 500 ms (shorter than the
                                  2 s failure detection), then 4 (2 quick) SIGSTOPped, 5 rounds from the
                                  survivors, resumed, 5 rounds from all;
                                  netns: 10 nodes in namespaces, netem 20 ms + 5% loss (or loss only where the
                                  kernel has no netem), half cut off for 30 s (packets dropped) then
                                  healed: the time until one component again, a round 2 s after the heal;
                                  churn: 16 nodes, one leave and one join every 3 s for 3 minutes, 20 msgs/s;
                                  fuzz: 10,000,000 in-process inputs, 20,000 connections to a live node
                                  (32 at a time) with default admission limits; a goal line gives the
                                  honest traffic's p50/p99/max latency meanwhile (goal p99 <= 100 ms, not
                                  part of PASS) and what the node refused before a handshake
              --quick             the sizes of the JUnit tests (about 2 minutes)
              --only LIST         run only these scenarios
              --soak              12 nodes, one leave and one join every 10 s, 20 msgs/s, resources of 4 stable
                                  nodes sampled every 30 s (heap after GC, direct memory, threads, fds)
              --minutes M         soak duration (default 10)
              --seed S            seed of every random choice (default 1)
              --log-dir DIR       children's stderr (default: a temporary directory)
            netns needs root and iproute2 (ip, tc); without them it is skipped with the reason.""";
    }

    @Override
    public int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        boolean quick = false;
        boolean soak = false;
        int minutes = 10;
        long seed = 1;
        File logDir = null;
        final Set<String> only = new LinkedHashSet<>(ALL);
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                switch (arg)
                {
                    case "--quick" -> quick = true;
                    case "--soak" -> soak = true;
                    case "--minutes" -> minutes = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 1, 24 * 60);
                    case "--seed" -> seed = CliArgs.longValue(arg, CliArgs.value(args, ++i, arg));
                    case "--log-dir" -> logDir = new File(CliArgs.value(args, ++i, arg));
                    case "--only" ->
                    {
                        only.clear();
                        for (final String s : CliArgs.value(args, ++i, arg).split(","))
                        {
                            if (!ALL.contains(s))
                            {
                                throw new IllegalArgumentException("--only: unknown scenario '" + s + "'");
                            }
                            only.add(s);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
        }
        catch (final IllegalArgumentException e)
        {
            err.println("faults: " + e.getMessage());
            err.println();
            err.println("usage: java -jar hearsay-perf.jar " + usage());
            return Main.EXIT_USAGE;
        }
        if (logDir == null)
        {
            logDir = new File(System.getProperty("java.io.tmpdir"), "hearsay-faults-" + ProcessHandle.current().pid());
        }
        final String cp = NodeProcess.currentClasspath();
        final Consumer<String> log = line -> err.println("[faults] " + line);
        out.println("faults: logs of the node processes in " + logDir);
        final List<String> failed = new ArrayList<>();
        if (soak)
        {
            return soak(minutes, seed, cp, new File(logDir, "soak"), out, log) ? 0 : Main.EXIT_FAILURE;
        }
        for (final String scenario : only)
        {
            final long start = System.nanoTime();
            boolean ok;
            String line;
            String goal = null;
            try
            {
                switch (scenario)
                {
                    case "kill" ->
                    {
                        final KillScenario.Result r = KillScenario.run(new KillScenario.Params(quick ? 7 : 20, 0.3,
                            quick ? 5 : 10, Duration.ofMillis(200), seed, cp, new File(logDir, "kill")), log);
                        ok = r.passed();
                        line = r.toString();
                    }
                    case "freeze" ->
                    {
                        final FreezeScenario.Result r = FreezeScenario.run(new FreezeScenario.Params(quick ? 8 : 16,
                            quick ? 2 : 4, Duration.ofSeconds(2), Duration.ofMillis(500), 5, Duration.ofMillis(300),
                            seed, cp, new File(logDir, "freeze")), log);
                        ok = r.passed();
                        line = r.toString();
                    }
                    case "netns" ->
                    {
                        final NetnsLab.Support support = NetnsLab.availability();
                        if (support == NetnsLab.Support.NONE)
                        {
                            out.println("SKIP netns: network namespaces cannot be created here (needs root and "
                                + "iproute2)");
                            continue;
                        }
                        final NetnsScenario.Result r = NetnsScenario.run(new NetnsScenario.Params(quick ? 6 : 10,
                            quick ? 3 : 5, Duration.ofMillis(300), Duration.ofSeconds(30),
                            Duration.ofSeconds(quick ? 5 : 10), seed, cp, new File(logDir, "netns")), support, log);
                        ok = r.passed();
                        line = r.toString();
                    }
                    case "churn" ->
                    {
                        final ChurnScenario.Result r = ChurnScenario.run(new ChurnScenario.Params(quick ? 6 : 16,
                            quick ? 2 : 4, quick ? Duration.ofSeconds(20) : Duration.ofMinutes(3),
                            Duration.ofSeconds(quick ? 2 : 3), Duration.ofMillis(quick ? 100 : 50),
                            Duration.ofSeconds(30), Duration.ofSeconds(5), seed, cp, new File(logDir, "churn")), log);
                        ok = r.passed();
                        line = r.toString();
                    }
                    default ->
                    {
                        final InboundFuzzer.Result in = new InboundFuzzer(seed).run(quick ? 300_000 : 10_000_000);
                        log.accept(in.toString());
                        final LiveFuzzScenario.Result live = LiveFuzzScenario.run(quick ? 300 : 20_000, 32, seed,
                            cp, new File(logDir, "fuzz"), log);
                        ok = in.passed() && live.passed();
                        line = in + "; live node: " + live;
                        goal = live.goal();
                    }
                }
            }
            catch (final RuntimeException e)
            {
                ok = false;
                line = "failed: " + e;
                e.printStackTrace(err);
            }
            out.printf(Locale.ROOT, "%s %s (%.0f s): %s%n", ok ? "PASS" : "FAIL", scenario,
                (System.nanoTime() - start) / 1e9, line);
            if (goal != null)
            {
                out.println("  goal " + scenario + ": " + goal);
            }
            out.flush();
            if (!ok)
            {
                failed.add(scenario);
            }
        }
        out.println(failed.isEmpty() ? "faults: all passed" : "faults: FAILED " + failed);
        return failed.isEmpty() ? 0 : Main.EXIT_FAILURE;
    }

    private static boolean soak(final int minutes, final long seed, final String cp, final File logDir,
        final PrintStream out, final Consumer<String> log)
    {
        final ChurnScenario.Result r = ChurnScenario.run(new ChurnScenario.Params(12, 4, Duration.ofMinutes(minutes),
            Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofSeconds(30), Duration.ofSeconds(5), seed, cp,
            logDir), log);
        final List<ChurnScenario.Sample> s = r.samples();
        for (final ChurnScenario.Sample sample : s)
        {
            out.println("  " + sample);
        }
        // Leaks show as growth: compare the second half of the run with the first (the very first sample is
        // before any traffic, so it is left out of the baseline).
        final List<ChurnScenario.Sample> body = s.size() > 2 ? s.subList(1, s.size()) : s;
        final int half = body.size() / 2;
        final double heapFirst = mean(body.subList(0, Math.max(1, half)), true);
        final double heapSecond = mean(body.subList(half, body.size()), true);
        final double directFirst = mean(body.subList(0, Math.max(1, half)), false);
        final double directSecond = mean(body.subList(half, body.size()), false);
        final long threadsMax = body.stream().mapToLong(ChurnScenario.Sample::threads).max().orElse(0);
        final long threadsMin = body.stream().mapToLong(ChurnScenario.Sample::threads).min().orElse(0);
        final long fdsMax = body.stream().mapToLong(ChurnScenario.Sample::fds).max().orElse(0);
        final long fdsMin = body.stream().mapToLong(ChurnScenario.Sample::fds).min().orElse(0);
        // Flat: the second half within 20% (plus 2 MB of noise) of the first; threads and fds within a few of
        // each other (connections come and go with churn).
        final boolean heapFlat = heapSecond <= heapFirst * 1.2 + 2e6;
        final boolean directFlat = directSecond <= directFirst * 1.2 + 8e6;
        final boolean threadsFlat = threadsMax - threadsMin <= 4;
        final boolean fdsFlat = fdsMax - fdsMin <= 4L * r.stable() * 4;
        final boolean ok = r.passed() && heapFlat && directFlat && threadsFlat && fdsFlat;
        out.printf(Locale.ROOT, "%s soak (%d min): %s; heap after GC (sum of %d stable nodes) %.1f MB in the first "
                + "half, %.1f MB in the second (%s); direct %.1f -> %.1f MB (%s); threads %d-%d (%s); fds %d-%d (%s)%n",
            ok ? "PASS" : "FAIL", minutes, r, r.stable(), heapFirst / 1e6, heapSecond / 1e6, flat(heapFlat),
            directFirst / 1e6, directSecond / 1e6, flat(directFlat), threadsMin, threadsMax, flat(threadsFlat),
            fdsMin, fdsMax, flat(fdsFlat));
        return ok;
    }

    private static String flat(final boolean flat)
    {
        return flat ? "flat" : "GROWING";
    }

    private static double mean(final List<ChurnScenario.Sample> samples, final boolean heap)
    {
        return samples.stream().mapToLong(x -> heap ? x.heapUsed() : x.directUsed()).average().orElse(0);
    }
}
