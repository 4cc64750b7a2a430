package dev.hearsay.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimDeterminismTest
{
    @Test
    @Timeout(120)
    void sameSeedGivesIdenticalMetrics()
    {
        final SimReport a = run(7, true, Scenario.RANDOM_SENDER);
        final SimReport b = run(7, true, Scenario.RANDOM_SENDER);
        assertTrue(a.events > 5_000, "the run did something: " + a.events + " events");
        assertEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    @Timeout(120)
    void anotherSeedGivesAnotherRun()
    {
        assertNotEquals(run(7, true, Scenario.SINGLE_SENDER).fingerprint(),
            run(8, true, Scenario.SINGLE_SENDER).fingerprint());
    }

    @Test
    @Timeout(120)
    void churnWithCrashesAndLeavesIsDeterministic()
    {
        final SimReport a = run(11, true, Scenario.CHURN);
        final SimReport b = run(11, true, Scenario.CHURN);
        assertTrue(a.failedNodes > 0);
        assertEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    @Timeout(120)
    void aPartitionAndItsHealAreDeterministic()
    {
        final SimReport a = run(3, true, Scenario.PARTITION);
        final SimReport b = run(3, true, Scenario.PARTITION);
        assertTrue(a.partitionedNodes > 0 && a.healNanos >= 0);
        assertEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    @Timeout(120)
    void codecIsTransparent()
    {
        // Through real bytes or through deep copies, every node must see the same messages: the same run.
        assertEquals(run(5, false, Scenario.RANDOM_SENDER).fingerprint(),
            run(5, true, Scenario.RANDOM_SENDER).fingerprint());
    }

    @Test
    @Timeout(120)
    void oneSharedDecoderGivesTheSameRunAsADecoderPerNode()
    {
        final SimConfig perNode = SimConfig.builder().nodes(60).seed(5).decoderPerNode(true).build();
        assertEquals(new ScenarioRunner(perNode, null).run(Scenario.CHURN, 8, 0.05).fingerprint(),
            run(5, true, Scenario.CHURN).fingerprint());
    }

    private static SimReport run(final long seed, final boolean codec, final Scenario scenario)
    {
        final SimConfig config = SimConfig.builder().nodes(60).seed(seed).useCodec(codec).build();
        return new ScenarioRunner(config, null).run(scenario, 8, 0.05);
    }
}
