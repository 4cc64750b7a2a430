package dev.hearsay.perf.faults;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Churn, and with a long duration the soak: nodes leave (half SIGKILLed, half quitting politely) and new ones join
 * continuously while random live nodes broadcast at a steady rate. Every node that was up for a message's whole
 * lifetime (from before its broadcast until the settle time after it) must deliver it, once. A few stable nodes are
 * never churned; their heap after GC, direct memory, threads and file descriptors are sampled to show leaks.
 */
public final class ChurnScenario
{
    /**
     * Settings.
     *
     * @param nodes          population kept up (churn replaces nodes one for one).
     * @param stable         of those, nodes never churned (sampled for leaks).
     * @param duration       how long churn and traffic last.
     * @param churnEvery     one leave and one join this often.
     * @param broadcastEvery one broadcast from a random live node this often.
     * @param statsEvery     sample the stable nodes this often (0: at start and end only).
     * @param settle         a message's lifetime: the time its delivery to everyone may take.
     * @param seed           seed of every choice.
     * @param classpath      classpath of the children.
     * @param logDir         children's stderr, or null.
     */
    public record Params(int nodes, int stable, Duration duration, Duration churnEvery, Duration broadcastEvery,
        Duration statsEvery, Duration settle, long seed, String classpath, File logDir)
    {
    }

    /**
     * One sample of the stable nodes' resources (sums over them).
     *
     * @param atSeconds  since the start of the traffic.
     * @param heapUsed   heap used after GC, bytes.
     * @param directUsed direct buffers, bytes.
     * @param threads    live threads.
     * @param fds        open file descriptors.
     */
    public record Sample(double atSeconds, long heapUsed, long directUsed, long threads, long fds)
    {
        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "t=%.0fs heap %.1f MB, direct %.1f MB, threads %d, fds %d", atSeconds,
                heapUsed / 1e6, directUsed / 1e6, threads, fds);
        }
    }

    /**
     * Outcome.
     *
     * @param seconds  traffic duration.
     * @param joins    nodes started during the churn.
     * @param kills    nodes SIGKILLed.
     * @param quits    nodes that quit politely.
     * @param delivery the delivery check over every broadcast.
     * @param stable   stable nodes sampled.
     * @param samples  resource samples.
     */
    public record Result(double seconds, int joins, int kills, int quits, DeliveryCheck delivery, int stable,
        List<Sample> samples)
    {
        /** Every expected delivery happened, exactly once. */
        public boolean passed()
        {
            return delivery.complete() && delivery.duplicates() == 0;
        }

        @Override
        public String toString()
        {
            final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "churn: %.0f s, %d joins, %d SIGKILLs, %d polite leaves; %s", seconds, joins, kills, quits,
                delivery));
            if (!samples.isEmpty())
            {
                sb.append("; ").append(stable).append(" stable nodes: first ").append(samples.get(0))
                    .append(", last ").append(samples.get(samples.size() - 1));
            }
            return sb.toString();
        }
    }

    private ChurnScenario()
    {
    }

    /** Runs it; every process is killed before returning. */
    public static Result run(final Params p, final Consumer<String> log)
    {
        try (ProcessCluster cluster = ProcessCluster.loopback(p.classpath(), "churn", p.logDir(), p.seed(), log))
        {
            final List<NodeProcess> initial = cluster.startAll(p.nodes(), Duration.ofSeconds(60));
            KillScenario.awaitNeighbors(initial, 1, Duration.ofSeconds(30));
            final List<NodeProcess> stable = new ArrayList<>(initial.subList(0, Math.min(p.stable(), p.nodes())));
            final List<Sample> samples = new ArrayList<>();
            final long start = System.nanoTime();
            samples.add(sample(stable, 0));
            log.accept("churn starts: " + samples.get(0));

            int joins = 0;
            int kills = 0;
            int quits = 0;
            int index = p.nodes();
            long nextChurn = start + p.churnEvery().toNanos();
            long nextBroadcast = start;
            long nextStats = p.statsEvery().isZero() ? Long.MAX_VALUE : start + p.statsEvery().toNanos();
            final long end = start + p.duration().toNanos();
            long now;
            while ((now = System.nanoTime()) - end < 0)
            {
                final List<NodeProcess> live = cluster.readyLive();
                if (now - nextBroadcast >= 0)
                {
                    nextBroadcast += p.broadcastEvery().toNanos();
                    if (!live.isEmpty())
                    {
                        cluster.broadcast(live.get(cluster.random().nextInt(live.size())), "c");
                    }
                }
                if (now - nextChurn >= 0)
                {
                    nextChurn += p.churnEvery().toNanos();
                    final List<NodeProcess> churnable = new ArrayList<>(live);
                    churnable.removeAll(stable);
                    // Keep the population: leave only while enough are up, join only while few are starting.
                    if (!churnable.isEmpty() && live.size() >= p.nodes())
                    {
                        final NodeProcess victim = churnable.get(cluster.random().nextInt(churnable.size()));
                        if (cluster.random().nextBoolean())
                        {
                            ProcessHandle.of(victim.pid()).ifPresent(ProcessHandle::destroyForcibly);
                            victim.kill();
                            kills++;
                        }
                        else
                        {
                            victim.requestQuit();
                            quits++;
                        }
                    }
                    if (starting(cluster) < 2)
                    {
                        cluster.start(index++, cluster.pickBootstrap(cluster.readyLive(), 2));
                        joins++;
                    }
                }
                if (now - nextStats >= 0)
                {
                    nextStats += p.statsEvery().toNanos();
                    final Sample s = sample(stable, (now - start) / 1e9);
                    samples.add(s);
                    log.accept(s + "; " + DeliveryCheck.of(cluster.broadcasts(), cluster.all(), p.settle().toNanos()));
                }
                Poll.pause();
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            log.accept("churn over; waiting for the last messages");
            final DeliveryCheck delivery = cluster.await(cluster.broadcasts(), p.settle(),
                p.settle().plusSeconds(30));
            samples.add(sample(stable, (System.nanoTime() - start) / 1e9));
            return new Result(seconds, joins, kills, quits, delivery, stable.size(), samples);
        }
    }

    private static int starting(final ProcessCluster cluster)
    {
        int n = 0;
        for (final NodeProcess node : cluster.all())
        {
            if (node.readyNanos() == 0 && node.isAlive() && node.downSinceNanos() == 0)
            {
                n++;
            }
        }
        return n;
    }

    private static Sample sample(final List<NodeProcess> nodes, final double at)
    {
        long heap = 0;
        long direct = 0;
        long threads = 0;
        long fds = 0;
        for (final NodeProcess n : nodes)
        {
            final Map<String, Long> s = n.stats(Duration.ofSeconds(10));
            heap += s.getOrDefault("heapUsed", 0L);
            direct += s.getOrDefault("directUsed", 0L);
            threads += s.getOrDefault("threads", 0L);
            fds += s.getOrDefault("fds", 0L);
        }
        return new Sample(at, heap, direct, threads, fds);
    }
}
