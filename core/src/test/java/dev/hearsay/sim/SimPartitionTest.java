package dev.hearsay.sim;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's partition model, and the overlay becoming one component again once a partition heals. */
class SimPartitionTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    @Timeout(60)
    void linksAcrossTheCutAreReportedDownAfterTheDetectionDelayAndNothingCrosses()
    {
        final long detection = 2 * SECOND;
        final Simulator sim = new Simulator(SimConfig.builder().nodes(40).seed(2)
            .stabilise(Duration.ofSeconds(10)).build());
        ScenarioRunner.bootstrap(sim);
        final int[] group = new int[20];
        for (int i = 0; i < group.length; i++)
        {
            group[i] = 2 * i;
        }
        final long crossBefore = crossLinks(sim);
        assertTrue(crossBefore > 0, "the overlay spans both groups");

        sim.partition(group);
        assertTrue(sim.isCut(0, 1) && !sim.isCut(0, 2) && !sim.isCut(1, 3));
        sim.runUntil(sim.now() + detection - 1_000_000L);
        assertEquals(crossBefore, crossLinks(sim), "nothing is reported before the detection delay");
        final long peerDowns = sim.peerDownCalls();
        sim.runUntil(sim.now() + 2_000_000L);
        assertEquals(0, crossLinks(sim), "every link across the cut is reported down on both sides at the delay");
        assertTrue(sim.peerDownCalls() - peerDowns >= crossBefore, "both ends of each link were told");
        sim.runUntil(sim.now() + 20 * SECOND);
        assertEquals(0, crossLinks(sim), "no link forms across the cut");
        assertTrue(sim.cutMessages() > 0, "requests across the cut were dropped");
        assertEquals(2, sim.checkOverlay()[3]);

        sim.heal();
        assertFalse(sim.isCut(0, 1));
        sim.runUntil(sim.now() + 10 * SECOND);
        assertTrue(crossLinks(sim) > 0, "links across the former cut again");
        assertEquals(1, sim.checkOverlay()[3]);
    }

    @Test
    @Timeout(60)
    void aDialAcrossTheCutFailsAfterTheDialTimeout()
    {
        final Simulator sim = new Simulator(SimConfig.builder().nodes(2).seed(1)
            .crashDetection(Duration.ofSeconds(2)).dialTimeout(Duration.ofSeconds(3))
            .stabilise(Duration.ofSeconds(5)).build());
        ScenarioRunner.bootstrap(sim);
        assertEquals(1, sim.checkOverlay()[3]);
        sim.partition(new int[]{1});
        final long cutAt = sim.now();
        final long cut = sim.cutMessages();
        sim.broadcast(0);
        sim.runUntil(cutAt + 2 * SECOND - 1);
        assertTrue(sim.cutMessages() > cut, "the broadcast was dropped at the cut");
        assertEquals(0, sim.peerDownCalls(), "the connection is still up until the detection delay");
        sim.runUntil(cutAt + 2 * SECOND);
        assertEquals(2, sim.peerDownCalls(), "both sides are told at the detection delay");
        // Node 1 joins again through node 0 at once; that dial, and every send waiting on it, fails 3 s later.
        sim.runUntil(cutAt + 5 * SECOND - 1);
        assertEquals(2, sim.peerDownCalls());
        sim.runUntil(cutAt + 5 * SECOND);
        assertEquals(3, sim.peerDownCalls(), "the dial failed after the dial timeout");

        sim.heal();
        sim.runUntil(sim.now() + 60 * SECOND);
        assertEquals(1, sim.checkOverlay()[3]);
        assertEquals(0, sim.checkOverlay()[2], "no isolated node");
    }

    @Test
    @Timeout(120)
    void afterAThirtySecondPartitionABroadcastTwoSecondsAfterTheHealReachesEveryNode()
    {
        for (long seed = 1; seed <= 3; seed++)
        {
            final SimConfig config = SimConfig.builder().nodes(100).seed(seed)
                .partition(Duration.ofSeconds(30)).build();
            final SimReport r = new ScenarioRunner(config, null).run(Scenario.PARTITION, 10, 0.5);
            final long s = seed;
            assertAll("seed " + seed,
                () -> assertEquals(50, r.partitionedNodes),
                () -> assertTrue(r.componentsBeforeHeal >= 2, "the partition split the overlay, seed " + s),
                () -> assertTrue(r.healNanos >= 0 && r.healNanos < 2 * SECOND, "heal " + r.healNanos + ", seed " + s),
                () -> assertEquals(2 * SECOND, r.firstBroadcastAfterHealNanos),
                () -> assertEquals(1.0, r.firstReliability, "first broadcast after the heal, seed " + s),
                () -> assertEquals(1.0, r.reliability(), "seed " + s),
                () -> assertEquals(1, r.components),
                () -> assertEquals(0, r.isolatedNodes),
                () -> assertEquals(0, r.duplicateDeliveries));
        }
    }

    @Test
    @Timeout(120)
    void aPartitionUnderLossHealsToo()
    {
        final SimConfig config = SimConfig.builder().nodes(100).seed(4).lossRate(0.01)
            .partition(Duration.ofSeconds(30)).build();
        final SimReport r = new ScenarioRunner(config, null).run(Scenario.PARTITION, 10, 0.3);
        assertAll(
            () -> assertTrue(r.componentsBeforeHeal >= 2),
            () -> assertTrue(r.healNanos >= 0 && r.healNanos < 2 * SECOND, "heal " + r.healNanos),
            () -> assertEquals(1.0, r.reliability()),
            () -> assertEquals(1, r.components));
    }

    @Test
    @Timeout(120)
    void withoutFailedContactsTheSidesNeverMeetAgain()
    {
        final GossipConfig protocol = SimConfig.DEFAULT_PROTOCOL.toBuilder().failedContactCapacity(0).build();
        final SimConfig config = SimConfig.builder().nodes(100).seed(2).protocol(protocol)
            .partition(Duration.ofSeconds(30)).build();
        final SimReport r = new ScenarioRunner(config, null).run(Scenario.PARTITION, 1, 0.5);
        assertEquals(-1, r.healNanos, "one component within " + ScenarioRunner.HEAL_WATCH_NANOS / SECOND + " s");
        assertTrue(r.components >= 2);
        assertTrue(r.reliability() < 0.6);
    }

    private static long crossLinks(final Simulator sim)
    {
        long links = 0;
        for (int i = 0; i < sim.nodeCount(); i++)
        {
            if (!sim.isLive(i))
            {
                continue;
            }
            for (final NodeId peer : sim.state(i).activeView(Simulator.TOPIC))
            {
                for (int j = 0; j < sim.nodeCount(); j++)
                {
                    if (sim.id(j).equals(peer) && (i & 1) != (j & 1))
                    {
                        links++;
                    }
                }
            }
        }
        return links;
    }
}
