package dev.hearsay.perf.faults;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Nodes in their own network namespaces over impaired links (see {@link NetnsLab}): broadcasts under delay and
 * loss must reach every node; then half the nodes are partitioned off for a while (their packets dropped: no reset,
 * no FIN, so only the failure detector sees it) and healed, after which the overlay must become one component
 * again by itself, a broadcast made two seconds after the heal must reach every node, and broadcasts must again
 * reach every node on both sides. What crossed during the partition, and what arrived late from it, is measured
 * and reported.
 */
public final class NetnsScenario
{
    /**
     * Settings.
     *
     * @param nodes         node processes, one namespace each.
     * @param rounds        broadcast rounds in each measured phase; every node broadcasts once per round.
     * @param roundInterval time between rounds.
     * @param partition     how long the partition lasts (broadcasts go on meanwhile).
     * @param settle        a message's lifetime before it must have reached everyone.
     * @param seed          seed of the bootstrap choices.
     * @param classpath     classpath of the children.
     * @param logDir        children's stderr, or null.
     */
    public record Params(int nodes, int rounds, Duration roundInterval, Duration partition, Duration settle, long seed,
        String classpath, File logDir)
    {
    }

    /**
     * Outcome.
     *
     * @param impairment       what the links did.
     * @param impaired         delivery under delay and loss, before the partition.
     * @param duringSameSide   delivery of partition-time broadcasts to the author's side.
     * @param duringOtherSide  delivery of partition-time broadcasts to the other side (late, after the heal).
     * @param afterHeal        delivery of broadcasts made after the heal.
     * @param firstAfterHealMs from the heal until every node had the first round made after it.
     * @param mergedMs         from the heal until the active views formed one component again (-1: not in 30 s).
     * @param twoSecondsAfter  delivery of one round broadcast two seconds after the heal.
     * @param packetsDropped   packets the impairment dropped (all nodes), -1 if unknown.
     */
    public record Result(String impairment, DeliveryCheck impaired, DeliveryCheck duringSameSide,
        DeliveryCheck duringOtherSide, DeliveryCheck afterHeal, double firstAfterHealMs, double mergedMs,
        DeliveryCheck twoSecondsAfter, long packetsDropped)
    {
        /** Delivered everything under impairment and after the heal, and the overlay became one again. */
        public boolean passed()
        {
            return impaired.complete() && afterHeal.complete() && impaired.duplicates() == 0
                && afterHeal.duplicates() == 0 && mergedMs >= 0 && twoSecondsAfter.complete()
                && twoSecondsAfter.duplicates() == 0;
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "netns (%s; %d packets dropped): impaired: %s; partition, own side: "
                    + "%s; partition, other side after the heal: %s; after heal: %s; one component again %.0f ms "
                    + "after the heal; first round after the heal everywhere in %.0f ms; a round 2 s after the heal: "
                    + "%s", impairment, packetsDropped, impaired, duringSameSide, duringOtherSide, afterHeal, mergedMs,
                firstAfterHealMs, twoSecondsAfter);
        }
    }

    private NetnsScenario()
    {
    }

    /** Runs it in namespaces of {@code support} (not NONE); every process and namespace is gone on return. */
    public static Result run(final Params p, final NetnsLab.Support support, final Consumer<String> log)
    {
        try (NetnsLab lab = NetnsLab.create(p.nodes(), support, 20, 5.0, log);
            ProcessCluster cluster = new ProcessCluster(p.classpath(), "netns", p.logDir(), lab::namespace,
                i -> lab.address(i) + ":0", p.seed(), log))
        {
            final List<NodeProcess> nodes = cluster.startAll(p.nodes(), Duration.ofSeconds(60));
            KillScenario.awaitNeighbors(nodes, 1, Duration.ofSeconds(30));

            final DeliveryCheck impaired = cluster.await(rounds(cluster, nodes, "imp", p),
                p.settle(), p.settle().plusSeconds(30));
            log.accept("impaired: " + impaired);

            final List<Integer> sideB = new ArrayList<>();
            for (int i = p.nodes() / 2; i < p.nodes(); i++)
            {
                sideB.add(i);
            }
            final Set<NodeProcess> b = new HashSet<>();
            for (final int i : sideB)
            {
                b.add(nodes.get(i));
            }
            lab.partition(sideB);
            log.accept("partitioned " + sideB.size() + " of " + p.nodes() + " for " + p.partition());
            final List<ProcessCluster.Broadcast> during = new ArrayList<>();
            final long partitionEnd = System.nanoTime() + p.partition().toNanos();
            int round = 0;
            while (System.nanoTime() - partitionEnd < 0)
            {
                for (final NodeProcess n : nodes)
                {
                    during.add(cluster.broadcast(n, "part" + round));
                }
                round++;
                Poll.hold(p.roundInterval());
            }
            // Own side: checked before the heal (given the settle time to complete), so nothing can have come
            // around through the other side.
            Poll.until(() -> sideCheck(during, nodes, b, true, Duration.ZERO).complete(), p.settle());
            final DeliveryCheck sameSide = sideCheck(during, nodes, b, true, Duration.ZERO);
            log.accept("partition, own side: " + sameSide);
            lab.heal(sideB);
            final long healNanos = System.nanoTime();
            log.accept("healed");

            final List<ProcessCluster.Broadcast> firstRound = new ArrayList<>();
            for (final NodeProcess n : nodes)
            {
                firstRound.add(cluster.broadcast(n, "heal0"));
            }
            double mergedMs = -1;
            final long twoSeconds = healNanos + TimeUnit.SECONDS.toNanos(2);
            while (mergedMs < 0 && System.nanoTime() - twoSeconds < 0)
            {
                if (FreezeScenario.oneComponent(nodes))
                {
                    mergedMs = (System.nanoTime() - healNanos) / 1e6;
                }
                Poll.pause();
            }
            Poll.hold(Duration.ofNanos(twoSeconds - System.nanoTime()));
            final List<ProcessCluster.Broadcast> twoSecondsRound = new ArrayList<>();
            for (final NodeProcess n : nodes)
            {
                twoSecondsRound.add(cluster.broadcast(n, "heal2s"));
            }
            if (mergedMs < 0 && Poll.until(() -> FreezeScenario.oneComponent(nodes), Duration.ofSeconds(28)))
            {
                mergedMs = (System.nanoTime() - healNanos) / 1e6;
            }
            log.accept("one component again after " + mergedMs + " ms");
            final DeliveryCheck twoSecondsAfter = cluster.await(twoSecondsRound, Duration.ZERO,
                p.settle().plusSeconds(30));
            log.accept("a round 2 s after the heal: " + twoSecondsAfter);
            final DeliveryCheck first = cluster.await(firstRound, Duration.ZERO, p.settle().plusSeconds(30));
            final double firstMs = first.complete() ? latest(firstRound, nodes, healNanos) / 1e6 : -1;
            final List<ProcessCluster.Broadcast> after = new ArrayList<>(firstRound);
            after.addAll(twoSecondsRound);
            after.addAll(rounds(cluster, nodes, "heal", p));
            final DeliveryCheck afterHeal = cluster.await(after, p.settle(), p.settle().plusSeconds(30));
            log.accept("after heal: " + afterHeal);
            final DeliveryCheck otherSide = sideCheck(during, nodes, b, false, p.settle());
            long dropped = 0;
            for (int i = 0; i < p.nodes(); i++)
            {
                final long d = lab.dropped(i);
                dropped = d < 0 || dropped < 0 ? -1 : dropped + d;
            }
            return new Result(lab.describeImpairment(), impaired, sameSide, otherSide, afterHeal, firstMs, mergedMs,
                twoSecondsAfter, dropped);
        }
    }

    private static List<ProcessCluster.Broadcast> rounds(final ProcessCluster cluster, final List<NodeProcess> nodes,
        final String tag, final Params p)
    {
        final List<ProcessCluster.Broadcast> out = new ArrayList<>();
        for (int r = 0; r < p.rounds(); r++)
        {
            for (final NodeProcess n : nodes)
            {
                out.add(cluster.broadcast(n, tag + r));
            }
            Poll.hold(p.roundInterval());
        }
        return out;
    }

    /** Deliveries of {@code messages} to the author's own side ({@code same}) or to the other side. */
    private static DeliveryCheck sideCheck(final List<ProcessCluster.Broadcast> messages, final List<NodeProcess> all,
        final Set<NodeProcess> sideB, final boolean same, final Duration settle)
    {
        final List<NodeProcess> a = new ArrayList<>();
        final List<NodeProcess> b = new ArrayList<>();
        for (final NodeProcess n : all)
        {
            (sideB.contains(n) ? b : a).add(n);
        }
        final List<ProcessCluster.Broadcast> fromA = new ArrayList<>();
        final List<ProcessCluster.Broadcast> fromB = new ArrayList<>();
        for (final ProcessCluster.Broadcast m : messages)
        {
            (sideB.contains(m.author()) ? fromB : fromA).add(m);
        }
        return DeliveryCheck.merge(DeliveryCheck.of(fromA, same ? a : b, settle.toNanos()),
            DeliveryCheck.of(fromB, same ? b : a, settle.toNanos()));
    }

    private static long latest(final List<ProcessCluster.Broadcast> messages, final List<NodeProcess> nodes,
        final long since)
    {
        long latest = since;
        for (final ProcessCluster.Broadcast m : messages)
        {
            for (final NodeProcess n : nodes)
            {
                final Long at = n.deliveredAt(m.text());
                if (at != null && at - latest > 0)
                {
                    latest = at;
                }
            }
        }
        return latest - since;
    }
}
