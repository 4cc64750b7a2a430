package dev.hearsay.sim;

import dev.hearsay.NodeId;
import dev.hearsay.proto.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's failure model (crash, leave, loss) and the protocol's repair under it. */
class SimFailureTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    @Timeout(60)
    void silentCrashIsDetectedAfterTheDetectionDelay()
    {
        final long detection = 300_000_000L;
        final Simulator sim = bootstrapped(SimConfig.builder().nodes(40).seed(3)
            .crashDetection(Duration.ofNanos(detection)));
        final int victim = 17;
        final NodeId victimId = sim.id(victim);
        final int holders = holdersOf(sim, victimId);
        assertTrue(holders > 0, "the victim has neighbors");

        sim.crash(victim);
        sim.runUntil(sim.now() + detection - 1);
        // Some holders may have learnt earlier by sending to the victim; the others must learn at the delay.
        final int unaware = holdersOf(sim, victimId);
        assertTrue(unaware > 0 && unaware <= holders, "unaware " + unaware + " of " + holders);

        sim.runUntil(sim.now() + 1_000_000L); // 1 ms: shorter than any link, so only the detection can act
        assertEquals(0, holdersOf(sim, victimId), "every neighbor dropped the crashed node");
        sim.runUntil(sim.now() + SECOND);
        assertOverlayRepaired(sim);
    }

    @Test
    @Timeout(60)
    void aKilledProcessIsReportedByItsHostOneLatencyLater()
    {
        // Detection set to a minute: only the killed process's connection resets can tell its peers in time.
        final Simulator sim = bootstrapped(SimConfig.builder().nodes(40).seed(3).crashesReset(true)
            .crashDetection(Duration.ofSeconds(60)));
        final int victim = 17;
        final NodeId victimId = sim.id(victim);
        assertTrue(holdersOf(sim, victimId) > 0, "the victim has neighbors");

        sim.crash(victim);
        // 100 ms: the longest link of the default model.
        sim.runUntil(sim.now() + 100_000_000L);
        assertEquals(0, holdersOf(sim, victimId), "every neighbor dropped the killed node");
        sim.runUntil(sim.now() + SECOND);
        assertOverlayRepaired(sim);
    }

    @Test
    @Timeout(120)
    void onLanLinksTheFirstBroadcastAfterKillingHalfTheProcessesReachesEverySurvivorWithinOneSecondAndRmrSettlesByRoundThree()
    {
        for (long seed = 1; seed <= 2; seed++)
        {
            final SimConfig config = SimConfig.builder().nodes(1_000).seed(seed).crashesReset(true)
                .latency(Duration.ofNanos(100_000), Duration.ofNanos(1_000_000)).build();
            final SimReport r = new ScenarioRunner(config, null).run(Scenario.MASS_FAILURE, 4, 0.5);
            final long s = seed;
            assertAll("seed " + seed,
                () -> assertEquals(500, r.failedNodes),
                () -> assertTrue(r.reachableAfterCrash < 1, "seed " + s + ": the crash cut some survivors off"),
                () -> assertEquals(1.0, r.firstPromptReliability, "seed " + s + ": within 1 s"),
                () -> assertTrue(r.rounds.get(2).rmr() < 0.05, "seed " + s + ": RMR in round 3 "
                    + r.rounds.get(2).rmr()),
                () -> assertEquals(0, r.duplicateDeliveries));
        }
    }

    @Test
    @Timeout(60)
    void withoutDetectionOnlySendingRevealsACrash()
    {
        final Simulator sim = bootstrapped(SimConfig.builder().nodes(40).seed(3).crashDetection(null));
        final int victim = 17;
        final NodeId victimId = sim.id(victim);
        final int holders = holdersOf(sim, victimId);
        sim.crash(victim);
        // Shuffles and timers send little to a given neighbor: without a broadcast most holders keep it a while.
        sim.runUntil(sim.now() + 100_000_000L);
        assertEquals(holders, holdersOf(sim, victimId));

        // A broadcast pushes Gossip or IHave over every active link: each holder sends to the victim, gets a
        // reset back one link latency later, and drops it.
        final int sender = victim == 0 ? 1 : 0;
        ScenarioRunner.round(sim, 1, new int[]{sender});
        sim.runUntil(sim.now() + SECOND);
        assertEquals(0, holdersOf(sim, victimId));
        assertTrue(sim.droppedAtDeadNode() > 0);
        assertOverlayRepairedWithin(sim, SECOND);
    }

    @Test
    @Timeout(60)
    void gracefulLeaveRemovesTheNodeEverywhere()
    {
        final Simulator sim = bootstrapped(SimConfig.builder().nodes(40).seed(4));
        final int leaver = 9;
        final NodeId leaverId = sim.id(leaver);
        assertTrue(holdersOf(sim, leaverId) > 0);
        final long disconnects = sim.sent(MessageType.DISCONNECT);

        sim.leave(leaver);
        assertTrue(sim.sent(MessageType.DISCONNECT) > disconnects, "quit told the neighbors");
        assertTrue(!sim.isLive(leaver));
        sim.runUntil(sim.now() + SECOND);
        assertEquals(0, holdersOf(sim, leaverId));
        assertOverlayRepaired(sim);
    }

    @Test
    @Timeout(60)
    void lossDropsTheConfiguredShareOfMessages()
    {
        final Simulator sim = bootstrapped(SimConfig.builder().nodes(40).seed(5).lossRate(0.05));
        for (int i = 1; i <= 20; i++)
        {
            ScenarioRunner.round(sim, i, new int[]{i});
        }
        long sent = 0;
        for (final MessageType type : MessageType.values())
        {
            sent += sim.sent(type);
        }
        final double share = (double)sim.lostMessages() / sent;
        assertTrue(sent > 5_000, "sent " + sent);
        assertEquals(0.05, share, 0.006, "lost " + sim.lostMessages() + " of " + sent);
    }

    @Test
    @Timeout(120)
    void massFailureOfThirtyPercentHealsWithinTwoRounds()
    {
        final SimConfig config = SimConfig.builder().nodes(100).seed(1).build();
        final SimReport r = new ScenarioRunner(config, null).run(Scenario.MASS_FAILURE, 10, 0.3);
        assertAll(
            () -> assertEquals(30, r.failedNodes),
            () -> assertTrue(r.floodedPromptlyAfterCrash > 0 && r.floodedPromptlyAfterCrash <= r.reachableAfterCrash,
                "flood bound " + r.floodedPromptlyAfterCrash + ", reachable " + r.reachableAfterCrash),
            () -> assertTrue(r.roundsToHeal >= 0 && r.roundsToHeal <= 2, "rounds to heal " + r.roundsToHeal),
            () -> assertEquals(0, r.rounds.get(r.rounds.size() - 1).missed(), "last round complete"),
            () -> assertEquals(0, r.danglingLinks, "active views still naming crashed nodes"),
            () -> assertEquals(1, r.components),
            () -> assertEquals(0, r.asymmetricPairs),
            () -> assertEquals(0, r.duplicateDeliveries));
    }

    /**
     * Processes killed on live hosts (their connections reset at once) on 10-100 ms links: the survivors repair while
     * the first broadcast is still spreading, so its tree is patched together and slow. Once the overlay settled, each
     * node that lost a neighbor pushes one message over every link, and that message rebuilds the tree: by round 3
     * RMR is back near zero instead of grafting its way down over many rounds.
     */
    @Test
    @Timeout(120)
    void afterKillsOnSlowLinksOneRebuildBringsRmrBackByRoundThree()
    {
        for (long seed = 1; seed <= 3; seed++)
        {
            final SimConfig config = SimConfig.builder().nodes(1_000).seed(seed).crashesReset(true).build();
            final SimReport r = new ScenarioRunner(config, null).run(Scenario.MASS_FAILURE, 3, 0.5);
            final long s = seed;
            assertAll("seed " + seed,
                () -> assertEquals(1.0, r.firstPromptReliability, "seed " + s + ": within 1 s"),
                () -> assertTrue(r.rounds.get(2).rmr() < 0.05, "seed " + s + ": RMR in round 3 "
                    + r.rounds.get(2).rmr()),
                () -> assertEquals(0, r.duplicateDeliveries));
        }
    }

    @Test
    @Timeout(120)
    void onSlowLinksTheFirstBroadcastAfterAMassCrashReachesWithinOneSecondWhatAFloodWouldAndRmrSettlesByRoundThree()
    {
        for (long seed = 1; seed <= 3; seed++)
        {
            final SimConfig config = SimConfig.builder().nodes(1_000).seed(seed).build();
            final SimReport r = new ScenarioRunner(config, null).run(Scenario.MASS_FAILURE, 3, 0.5);
            final long s = seed;
            assertAll("seed " + seed,
                () -> assertEquals(500, r.failedNodes),
                () -> assertTrue(r.floodedPromptlyAfterCrash > 0.9, "seed " + s + ": flood bound "
                    + r.floodedPromptlyAfterCrash),
                // Repair copies carry the message across the lazy links at a flood's pace.
                () -> assertTrue(r.firstPromptReliability >= r.floodedPromptlyAfterCrash, "seed " + s
                    + ": within 1 s " + r.firstPromptReliability + ", flood bound " + r.floodedPromptlyAfterCrash),
                () -> assertEquals(0, r.rounds.get(0).missed(), "seed " + s + ": first broadcast complete"),
                () -> assertTrue(r.rounds.get(2).rmr() < 0.05, "seed " + s + ": RMR in round 3 "
                    + r.rounds.get(2).rmr()),
                () -> assertEquals(0, r.duplicateDeliveries));
        }
    }

    @Test
    @Timeout(120)
    void onLanLinksTheFirstBroadcastAfterAMassCrashReachesWithinOneSecondAllThatTheSurvivingLinksConnectAndRmrSettlesByRoundThree()
    {
        for (long seed = 1; seed <= 3; seed++)
        {
            final SimConfig config = SimConfig.builder().nodes(1_000).seed(seed)
                .latency(Duration.ofNanos(100_000), Duration.ofNanos(1_000_000)).build();
            final SimReport r = new ScenarioRunner(config, null).run(Scenario.MASS_FAILURE, 3, 0.5);
            final long s = seed;
            assertAll("seed " + seed,
                () -> assertEquals(500, r.failedNodes),
                () -> assertTrue(r.firstPromptReliability > 0.9, "seed " + s + ": within 1 s "
                    + r.firstPromptReliability),
                // Links under 1 ms: a flood crosses whatever the surviving links connect well within the second.
                () -> assertEquals(r.reachableAfterCrash, r.floodedPromptlyAfterCrash, "seed " + s + ": flood bound"),
                () -> assertTrue(r.firstPromptReliability >= r.reachableAfterCrash, "seed " + s
                    + ": within 1 s " + r.firstPromptReliability + ", reachable " + r.reachableAfterCrash),
                () -> assertEquals(0, r.rounds.get(0).missed(), "seed " + s + ": first broadcast complete"),
                () -> assertTrue(r.rounds.get(2).rmr() < 0.05, "seed " + s + ": RMR in round 3 "
                    + r.rounds.get(2).rmr()),
                () -> assertEquals(0, r.duplicateDeliveries));
        }
    }

    @Test
    @Timeout(120)
    void churnKeepsEveryBroadcastComplete()
    {
        final SimConfig config = SimConfig.builder().nodes(100).seed(2).build();
        final SimReport r = new ScenarioRunner(config, null).run(Scenario.CHURN, 20, 0.02);
        assertAll(
            () -> assertEquals(40, r.failedNodes, "2 nodes per round for 20 rounds"),
            () -> assertEquals(0, r.missed(), "missed deliveries"),
            () -> assertEquals(0, r.danglingLinks),
            () -> assertEquals(1, r.components),
            () -> assertEquals(0, r.duplicateDeliveries));
    }

    /**
     * One percent loss, every message type alike: a lost Join must not leave its sender, and those who joined
     * through it, an island. Ten seeds of the random-sender scenario as the CLI runs it (30 rounds).
     */
    @Test
    @Timeout(120)
    void onePercentLossLeavesOneComponentOnEverySeed()
    {
        for (long seed = 1; seed <= 10; seed++)
        {
            final SimConfig config = SimConfig.builder().nodes(100).seed(seed).lossRate(0.01).build();
            final SimReport r = new ScenarioRunner(config, null).run(Scenario.RANDOM_SENDER,
                Scenario.RANDOM_SENDER.defaultRounds(), 0);
            final long s = seed;
            assertAll("seed " + seed,
                () -> assertEquals(1, r.components, "components, seed " + s),
                () -> assertEquals(1.0, r.reliability(), "reliability, seed " + s),
                () -> assertEquals(0, r.duplicateDeliveries, "duplicate deliveries, seed " + s));
        }
    }

    private static Simulator bootstrapped(final SimConfig.Builder builder)
    {
        final Simulator sim = new Simulator(builder.stabilise(Duration.ofSeconds(10)).build());
        ScenarioRunner.bootstrap(sim);
        return sim;
    }

    private static int holdersOf(final Simulator sim, final NodeId id)
    {
        int holders = 0;
        for (int i = 0; i < sim.nodeCount(); i++)
        {
            if (sim.isLive(i) && sim.state(i).activeView(Simulator.TOPIC).contains(id))
            {
                holders++;
            }
        }
        return holders;
    }

    /**
     * Runs the simulation in 10 ms steps until the overlay is repaired, at most {@code nanos} of virtual time: a link
     * being made or dropped is asymmetric while its last message is in flight, so one instant may catch it.
     */
    private static void assertOverlayRepairedWithin(final Simulator sim, final long nanos)
    {
        final long end = sim.now() + nanos;
        while (sim.now() < end && !Arrays.equals(new long[]{0, 0, 0, 1}, sim.checkOverlay()))
        {
            sim.runUntil(sim.now() + 10_000_000L);
        }
        assertOverlayRepaired(sim);
    }

    private static void assertOverlayRepaired(final Simulator sim)
    {
        final long[] overlay = sim.checkOverlay();
        assertEquals(0, overlay[0], "asymmetric pairs");
        assertEquals(0, overlay[1], "links to stopped nodes");
        assertEquals(0, overlay[2], "isolated nodes");
        assertEquals(1, overlay[3], "components");
    }
}
