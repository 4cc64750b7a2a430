package dev.hearsay.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hearsay's acceptance bounds at 100 nodes with 10-100 ms links, through the real codec. Each run starts with one
 * warm-up broadcast that builds the PlumTree (it floods the active views, RMR about 3) and is reported apart; the
 * bounds apply to the measured rounds after it, which is the steady state the papers report.
 */
class SimAcceptanceTest
{
    private static final int NODES = 100;
    private static final long SEED = 1;

    @Test
    @Timeout(120)
    void singleSenderOverThirtyRounds()
    {
        final SimReport r = run(Scenario.SINGLE_SENDER, 30);
        assertAll(
            () -> assertEquals(30, r.rounds.size()),
            () -> assertEquals(0, r.missed(), "missed deliveries"),
            () -> assertTrue(r.ldh < 12, "LDH " + r.ldh + " must be < 12"),
            () -> assertTrue(r.rmr() < 0.05, "RMR " + r.rmr() + " must be < 0.05"),
            () -> assertHealthy(r));
    }

    @Test
    @Timeout(120)
    void randomSenderOverThirtyRounds()
    {
        final SimReport r = run(Scenario.RANDOM_SENDER, 30);
        assertAll(
            () -> assertEquals(0, r.missed(), "missed deliveries"),
            () -> assertTrue(r.rmr() < 0.5, "RMR " + r.rmr() + " must be < 0.5 (max round RMR " + r.maxRoundRmr
                + ", payload " + r.payloadMessages + " for " + r.deliveries + " deliveries)"),
            () -> assertHealthy(r));
    }

    @Test
    @Timeout(120)
    void allSendBurst()
    {
        final SimReport r = run(Scenario.ALL_SEND, 1);
        assertAll(
            () -> assertEquals(NODES, r.broadcasts),
            () -> assertEquals((long)NODES * (NODES - 1), r.expected),
            () -> assertEquals(0, r.missed(), "missed deliveries"),
            () -> assertTrue(r.rmr() < 2, "RMR " + r.rmr() + " must be < 2"),
            () -> assertHealthy(r));
    }

    static SimReport run(final Scenario scenario, final int rounds)
    {
        return new ScenarioRunner(SimConfig.builder().nodes(NODES).seed(SEED).build(), null).run(scenario, rounds, 0);
    }

    /** What must hold after any fault-free run: real bytes decoded, no duplicate, a connected symmetric overlay. */
    static void assertHealthy(final SimReport r)
    {
        assertEquals(0, r.decodeErrors, "decode errors, first: " + r.firstDecodeError);
        assertEquals(0, r.duplicateDeliveries, "duplicate deliveries");
        assertEquals(0, r.timerSpins, "timer deadlines that did not advance");
        assertEquals(0, r.asymmetricPairs, "asymmetric active-view pairs");
        assertEquals(1, r.components, "connected components of the overlay");
        assertEquals(0, r.isolatedNodes, "nodes with an empty active view");
    }
}
