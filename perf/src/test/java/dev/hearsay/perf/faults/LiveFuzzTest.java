package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzed connections against a node process with a small heap (and so little direct memory) while it exchanges
 * broadcasts with an honest peer process. Reproducer of the outbound-queue exhaustion: with a 4 MiB queue per
 * peer allocated up front, a few dozen fresh identities ran the node out of direct memory; the allocation stalled
 * the dispatcher in the JDK's reserve-and-GC loop and then killed it with an OutOfMemoryError.
 */
class LiveFuzzTest
{
    @Test
    @Timeout(120)
    void smallNodeSurvivesFuzzingAndKeepsServingItsPeer()
    {
        // No per-source rate limit: every fuzzed connection (all from one address) reaches the handshake and the
        // protocol, as the outbound-queue exhaustion needs.
        final LiveFuzzScenario.Result r = LiveFuzzScenario.run(250, 32, 3, NodeProcess.currentClasspath(),
            new File("target/faults-logs/livefuzz"), System.out::println, java.util.List.of("--source-rate", "0"));
        System.out.println(r);
        assertTrue(r.alive(), r.toString());
        assertTrue(r.fuzz().passed(), r.toString());
        assertTrue(r.delivery().complete() && r.delivery().messages() > 20, r.toString());
        assertTrue(r.delivery().latencyMs(50) < 1_000, "the dispatcher stalled: " + r);
        assertEquals(0L, r.counters().get("dialled"), r.toString());
        assertTrue(r.counters().get("badInputTotal") > 100 && r.counters().get("framesInvalid") > 0, r.toString());
        assertEquals(1L, r.stats().get("channels"), r.toString());
        assertTrue(r.stats().get("links") <= 1, r.toString());
        assertTrue(r.passed(), r.toString());
    }
}
