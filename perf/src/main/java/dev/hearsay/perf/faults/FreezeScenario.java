package dev.hearsay.perf.faults;

import dev.hearsay.NodeId;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Silent failures: node processes stopped with SIGSTOP keep their sockets open and send nothing (no FIN, no RST),
 * as a powered-off host, a pulled cable or a long GC pause would. Three phases:
 * <ol>
 *   <li>a short pause: one node is stopped for less than the failure detection timeout, then resumed; nobody may
 *       convict it;</li>
 *   <li>a freeze: {@code frozen} nodes are stopped; the survivors broadcast meanwhile; every survivor must drop them
 *       from its active view within the timeout plus one second and deliver every broadcast exactly once;</li>
 *   <li>the return: the frozen nodes are resumed (SIGCONT); they must rejoin (a survivor lists each in its active
 *       view) and deliver what is broadcast after they return, and nobody anything twice.</li>
 * </ol>
 */
public final class FreezeScenario
{
    /** The {@code counters} label of the failure detector's convictions. */
    static final String CONVICTIONS = "peersConvicted";

    /**
     * Settings.
     *
     * @param nodes            processes to start.
     * @param frozen           processes stopped at once in the freeze.
     * @param detection        the nodes' failure detection timeout.
     * @param shortPause       how long the short pause lasts (less than {@code detection}).
     * @param rounds           broadcast rounds during the freeze and after the return; every live node broadcasts
     *                         once a round.
     * @param roundInterval    time between rounds.
     * @param seed             seed of the victim choice and bootstrap peers.
     * @param classpath        classpath of the children.
     * @param logDir           children's stderr, or null.
     */
    public record Params(int nodes, int frozen, Duration detection, Duration shortPause, int rounds,
        Duration roundInterval, long seed, String classpath, File logDir)
    {
        /** Validates. */
        public Params
        {
            if (frozen < 1 || nodes - frozen < 2)
            {
                throw new IllegalArgumentException("frozen: need 1 <= frozen <= nodes - 2, got " + frozen + " of "
                    + nodes);
            }
            if (shortPause.compareTo(detection) >= 0)
            {
                throw new IllegalArgumentException("shortPause: must be shorter than detection");
            }
        }
    }

    /**
     * Outcome.
     *
     * @param nodes              processes started.
     * @param frozen             processes frozen.
     * @param pauseConvictions   convictions counted by everyone during and after the short pause (must be 0).
     * @param droppedMs          from the freeze until no survivor listed a frozen node (-1: never).
     * @param convictions        convictions counted by the survivors after the freeze.
     * @param duringFreeze       delivery at the survivors of the broadcasts made while the nodes were frozen.
     * @param rejoinMs           from the resume until the active views formed one component again (-1: never).
     * @param afterReturn        delivery everywhere of the broadcasts made after the return.
     * @param duplicates         deliveries of the same message twice, anywhere, over the whole run.
     * @param detectionMs        the failure detection timeout.
     */
    public record Result(int nodes, int frozen, long pauseConvictions, double droppedMs, long convictions,
        DeliveryCheck duringFreeze, double rejoinMs, DeliveryCheck afterReturn, long duplicates, long detectionMs)
    {
        /** True when every check holds. */
        public boolean passed()
        {
            return pauseConvictions == 0 && droppedMs >= 0 && droppedMs <= detectionMs + 1_000
                && duringFreeze.complete() && rejoinMs >= 0 && afterReturn.complete() && duplicates == 0;
        }

        @Override
        public String toString()
        {
            return String.format(java.util.Locale.ROOT,
                "freeze: %d nodes, failure detection %d ms; a pause shorter than it: %d convictions; %d SIGSTOPped: "
                    + "dropped from every active view in %.0f ms (%d convictions), while frozen: %s; resumed: "
                    + "rejoined in %.0f ms, after: %s; duplicates %d",
                nodes, detectionMs, pauseConvictions, frozen, droppedMs, convictions, duringFreeze, rejoinMs,
                afterReturn, duplicates);
        }
    }

    private FreezeScenario()
    {
    }

    /** Runs it; every process is resumed and killed before returning. */
    public static Result run(final Params p, final Consumer<String> log)
    {
        final List<String> extra = List.of("--failure-detection-ms", Long.toString(p.detection().toMillis()));
        try (ProcessCluster cluster = ProcessCluster.loopback(p.classpath(), "freeze", p.logDir(), p.seed(), log)
            .withNodeArgs(extra))
        {
            final List<NodeProcess> nodes = cluster.startAll(p.nodes(), Duration.ofSeconds(60));
            KillScenario.awaitNeighbors(nodes, 1, Duration.ofSeconds(30));
            final DeliveryCheck warmup = cluster.await(List.of(cluster.broadcast(nodes.get(0), "warm")),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
            if (!Poll.until(() -> oneComponent(nodes), Duration.ofSeconds(30)) || !warmup.complete())
            {
                throw new IllegalStateException("warm-up broadcast incomplete: " + warmup);
            }

            // 1. A pause shorter than the timeout is forgiven.
            final long before = convictions(nodes);
            final NodeProcess paused = nodes.get(nodes.size() - 1);
            signal(paused, "STOP");
            Poll.hold(p.shortPause());
            signal(paused, "CONT");
            // Long enough for a conviction to have happened had the pause counted: a whole timeout more.
            Poll.hold(p.detection().plusMillis(500));
            final long pauseConvictions = convictions(nodes) - before;
            log.accept("short pause of " + p.shortPause().toMillis() + " ms: " + pauseConvictions + " convictions");

            // 2. The freeze.
            final List<NodeProcess> shuffled = new ArrayList<>(nodes);
            Collections.shuffle(shuffled, cluster.random());
            final List<NodeProcess> victims = new ArrayList<>(shuffled.subList(0, p.frozen()));
            final List<NodeProcess> survivors = new ArrayList<>(shuffled.subList(p.frozen(), shuffled.size()));
            final Set<NodeId> frozenIds = new HashSet<>();
            for (final NodeProcess v : victims)
            {
                frozenIds.add(v.id());
            }
            final long survivorConvictionsBefore = convictions(survivors);
            final long freezeNanos = System.nanoTime();
            for (final NodeProcess v : victims)
            {
                signal(v, "STOP");
            }
            log.accept("SIGSTOPped " + victims.size() + " of " + nodes.size());
            final List<ProcessCluster.Broadcast> during = new ArrayList<>();
            long droppedNanos = -1;
            final long dropDeadline = freezeNanos + p.detection().toNanos() + 5_000_000_000L;
            int round = 0;
            while (round < p.rounds() || droppedNanos < 0 && System.nanoTime() - dropDeadline < 0)
            {
                if (round < p.rounds())
                {
                    for (final NodeProcess s : survivors)
                    {
                        during.add(cluster.broadcast(s, "frozen" + round));
                    }
                    round++;
                }
                final long roundEnd = System.nanoTime() + p.roundInterval().toNanos();
                while (System.nanoTime() - roundEnd < 0)
                {
                    if (droppedNanos < 0 && KillScenario.healed(survivors, frozenIds))
                    {
                        droppedNanos = System.nanoTime() - freezeNanos;
                    }
                    Poll.pause();
                }
            }
            final DeliveryCheck duringFreeze = cluster.await(during, survivors, Duration.ofSeconds(5),
                Duration.ofSeconds(30));
            final long convictions = convictions(survivors) - survivorConvictionsBefore;
            log.accept("frozen nodes dropped in " + droppedNanos / 1_000_000 + " ms; while frozen: " + duringFreeze);

            // 3. The return.
            final long resumeNanos = System.nanoTime();
            for (final NodeProcess v : victims)
            {
                signal(v, "CONT");
            }
            long rejoinNanos = -1;
            if (Poll.until(() -> oneComponent(nodes), Duration.ofSeconds(30)))
            {
                rejoinNanos = System.nanoTime() - resumeNanos;
            }
            log.accept("resumed nodes rejoined in " + (rejoinNanos < 0 ? "never" : rejoinNanos / 1_000_000 + " ms"));
            final List<ProcessCluster.Broadcast> after = new ArrayList<>();
            for (int r = 0; r < p.rounds(); r++)
            {
                for (final NodeProcess n : nodes)
                {
                    after.add(cluster.broadcast(n, "back" + r));
                }
                Poll.hold(p.roundInterval());
            }
            final DeliveryCheck afterReturn = cluster.await(after, Duration.ofSeconds(5), Duration.ofSeconds(30));
            long duplicates = 0;
            for (final NodeProcess n : nodes)
            {
                for (final Map.Entry<String, Integer> e : n.deliveries().entrySet())
                {
                    duplicates += e.getValue() - 1;
                }
            }
            return new Result(p.nodes(), victims.size(), pauseConvictions, droppedNanos / 1e6, convictions,
                duringFreeze, rejoinNanos < 0 ? -1 : rejoinNanos / 1e6, afterReturn, duplicates,
                p.detection().toMillis());
        }
    }

    /**
     * True when the active views, as the nodes report them, link every node to every other (a link counts when
     * both ends list each other) and every node has a neighbor.
     */
    static boolean oneComponent(final List<NodeProcess> nodes)
    {
        final java.util.Map<NodeId, NodeProcess> byId = new java.util.HashMap<>();
        for (final NodeProcess n : nodes)
        {
            byId.put(n.id(), n);
        }
        final Set<NodeId> reached = new HashSet<>();
        final java.util.ArrayDeque<NodeProcess> todo = new java.util.ArrayDeque<>();
        todo.add(nodes.get(0));
        reached.add(nodes.get(0).id());
        while (!todo.isEmpty())
        {
            final NodeProcess n = todo.poll();
            for (final NodeId peer : n.neighbors())
            {
                final NodeProcess other = byId.get(peer);
                if (other != null && other.neighbors().contains(n.id()) && reached.add(peer))
                {
                    todo.add(other);
                }
            }
        }
        return reached.size() == nodes.size();
    }

    /** The failure detector's convictions counted by {@code nodes} so far. */
    private static long convictions(final List<NodeProcess> nodes)
    {
        long sum = 0;
        for (final NodeProcess n : nodes)
        {
            final Map<String, Long> counters = n.counters(Duration.ofSeconds(10));
            final Long v = counters.get(CONVICTIONS);
            if (v == null)
            {
                throw new IllegalStateException(n + " reported no '" + CONVICTIONS + "' counter: " + counters);
            }
            sum += v;
        }
        return sum;
    }

    /** Sends SIGSTOP or SIGCONT to {@code node}'s process. */
    static void signal(final NodeProcess node, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid()))
                .redirectErrorStream(true).start();
            if (kill.waitFor() != 0)
            {
                throw new IllegalStateException("kill -" + signal + " " + node.pid() + " failed");
            }
        }
        catch (final IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
