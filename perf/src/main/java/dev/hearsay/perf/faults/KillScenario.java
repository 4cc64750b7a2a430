package dev.hearsay.perf.faults;

import dev.hearsay.NodeId;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Mass crash: start {@code nodes} processes, let the overlay form, SIGKILL a share of them at once, then broadcast
 * from the survivors at once and for a few rounds. Every survivor must deliver every broadcast made after the kill.
 * Reports how long the overlay took to heal: until no survivor still has a dead node in its active view and every
 * survivor has a neighbor.
 */
public final class KillScenario
{
    /**
     * Settings.
     *
     * @param nodes         processes to start.
     * @param killFraction  share SIGKILLed at once (at least one node, at least two survive).
     * @param rounds        broadcast rounds after the kill; every survivor broadcasts once per round.
     * @param roundInterval time between rounds.
     * @param seed          seed of the victim choice and bootstrap peers.
     * @param classpath     classpath of the children.
     * @param logDir        children's stderr, or null.
     */
    public record Params(int nodes, double killFraction, int rounds, Duration roundInterval, long seed,
        String classpath, File logDir)
    {
    }

    /**
     * Outcome.
     *
     * @param nodes             processes started.
     * @param killed            processes SIGKILLed.
     * @param warmup            delivery of the broadcast made before the kill.
     * @param afterKill         delivery of every broadcast made after it.
     * @param firstRoundMs      from the kill until every survivor had every first-round broadcast (-1 if never).
     * @param healMs            from the kill until no survivor had a dead neighbor and each had one (-1 if never).
     * @param minNeighbors      smallest active view among survivors at the end.
     * @param meanNeighbors     mean active view among survivors at the end.
     * @param startSeconds      time to start all processes and form the overlay.
     */
    public record Result(int nodes, int killed, DeliveryCheck warmup, DeliveryCheck afterKill, double firstRoundMs,
        double healMs, int minNeighbors, double meanNeighbors, double startSeconds)
    {
        /** True when every survivor delivered every broadcast, once. */
        public boolean passed()
        {
            return warmup.complete() && afterKill.complete() && afterKill.duplicates() == 0 && healMs >= 0;
        }

        @Override
        public String toString()
        {
            return String.format(java.util.Locale.ROOT,
                "kill: %d nodes, %d SIGKILLed at once; overlay healed in %.0f ms; first round after the kill "
                    + "complete in %.0f ms; survivors' active view min %d mean %.1f; warm-up: %s; after kill: %s; "
                    + "start-up %.1f s",
                nodes, killed, healMs, firstRoundMs, minNeighbors, meanNeighbors, warmup, afterKill, startSeconds);
        }
    }

    private KillScenario()
    {
    }

    /** Runs it; every process is killed before returning. */
    public static Result run(final Params p, final Consumer<String> log)
    {
        try (ProcessCluster cluster = ProcessCluster.loopback(p.classpath(), "kill", p.logDir(), p.seed(), log))
        {
            final long t0 = System.nanoTime();
            final List<NodeProcess> nodes = cluster.startAll(p.nodes(), Duration.ofSeconds(60));
            awaitNeighbors(nodes, 1, Duration.ofSeconds(30));
            final double startSeconds = (System.nanoTime() - t0) / 1e9;

            final DeliveryCheck warmup = cluster.await(List.of(cluster.broadcast(nodes.get(0), "warm")),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
            log.accept("warm-up: " + warmup);

            final int kill = Math.max(1, Math.min(p.nodes() - 2, (int)Math.round(p.nodes() * p.killFraction())));
            final List<NodeProcess> shuffled = new ArrayList<>(nodes);
            Collections.shuffle(shuffled, cluster.random());
            final List<NodeProcess> victims = shuffled.subList(0, kill);
            final List<NodeProcess> survivors = new ArrayList<>(shuffled.subList(kill, shuffled.size()));
            final Set<NodeId> dead = new HashSet<>();
            for (final NodeProcess v : victims)
            {
                dead.add(v.id());
            }
            final long killNanos = System.nanoTime();
            for (final NodeProcess v : victims)
            {
                ProcessHandle.of(v.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (final NodeProcess v : victims)
            {
                v.kill();
            }
            log.accept("SIGKILLed " + kill + " of " + p.nodes());

            final List<ProcessCluster.Broadcast> firstRound = new ArrayList<>();
            final List<ProcessCluster.Broadcast> after = new ArrayList<>();
            long healNanos = -1;
            long firstRoundNanos = -1;
            for (int round = 0; round < p.rounds(); round++)
            {
                final long roundStart = System.nanoTime();
                for (final NodeProcess s : survivors)
                {
                    final ProcessCluster.Broadcast b = cluster.broadcast(s, "after" + round);
                    after.add(b);
                    if (round == 0)
                    {
                        firstRound.add(b);
                    }
                }
                // Watch healing and the first round while the rounds go on.
                while (System.nanoTime() - roundStart < p.roundInterval().toNanos())
                {
                    if (healNanos < 0 && healed(survivors, dead))
                    {
                        healNanos = System.nanoTime() - killNanos;
                    }
                    if (firstRoundNanos < 0 && DeliveryCheck.of(firstRound, survivors, 0).complete())
                    {
                        firstRoundNanos = System.nanoTime() - killNanos;
                    }
                    Poll.pause();
                }
            }
            final DeliveryCheck afterKill = cluster.await(after, Duration.ofSeconds(5), Duration.ofSeconds(60));
            if (healNanos < 0 && Poll.until(() -> healed(survivors, dead), Duration.ofSeconds(30)))
            {
                healNanos = System.nanoTime() - killNanos;
            }
            if (firstRoundNanos < 0 && DeliveryCheck.of(firstRound, survivors, 0).complete())
            {
                // Completed during the final wait; the delivery timestamps say when.
                firstRoundNanos = latestDelivery(firstRound, survivors) - killNanos;
            }
            int min = Integer.MAX_VALUE;
            int sum = 0;
            for (final NodeProcess s : survivors)
            {
                min = Math.min(min, s.neighbors().size());
                sum += s.neighbors().size();
            }
            return new Result(p.nodes(), kill, warmup, afterKill, firstRoundNanos / 1e6, healNanos / 1e6, min,
                (double)sum / survivors.size(), startSeconds);
        }
    }

    private static long latestDelivery(final List<ProcessCluster.Broadcast> messages, final List<NodeProcess> nodes)
    {
        long latest = 0;
        for (final ProcessCluster.Broadcast b : messages)
        {
            for (final NodeProcess n : nodes)
            {
                final Long at = n.deliveredAt(b.text());
                if (n != b.author() && at != null && (latest == 0 || at - latest > 0))
                {
                    latest = at;
                }
            }
        }
        return latest;
    }

    /** No survivor has a dead node in its active view, and each has a neighbor. */
    static boolean healed(final List<NodeProcess> survivors, final Set<NodeId> dead)
    {
        for (final NodeProcess s : survivors)
        {
            final Set<NodeId> view = s.neighbors();
            if (view.isEmpty())
            {
                return false;
            }
            for (final NodeId d : dead)
            {
                if (view.contains(d))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** Waits until every node has at least {@code min} neighbors; throws if that does not happen in time. */
    static void awaitNeighbors(final List<NodeProcess> nodes, final int min, final Duration timeout)
    {
        if (!Poll.until(() -> nodes.stream().allMatch(n -> n.neighbors().size() >= min), timeout))
        {
            final StringBuilder sb = new StringBuilder("overlay did not form:");
            for (final NodeProcess n : nodes)
            {
                sb.append(' ').append(n.name()).append('=').append(n.neighbors().size());
            }
            throw new IllegalStateException(sb.toString());
        }
    }
}
