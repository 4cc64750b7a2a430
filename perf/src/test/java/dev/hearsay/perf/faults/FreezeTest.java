package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight node processes, two frozen with SIGSTOP (sockets open, nothing sent): the survivors drop them within the
 * failure detection timeout plus a second and deliver everything meanwhile exactly once; resumed, the two rejoin
 * and receive. A pause shorter than the timeout convicts nobody.
 */
class FreezeTest
{
    @Test
    @Timeout(240)
    void frozenPeersAreDroppedWithinTheTimeoutAndRejoinWhenResumed()
    {
        final FreezeScenario.Result r = FreezeScenario.run(new FreezeScenario.Params(8, 2, Duration.ofSeconds(2),
            Duration.ofMillis(500), 5, Duration.ofMillis(300), 17, NodeProcess.currentClasspath(),
            new File("target/faults-logs/freeze")), System.out::println);
        System.out.println(r);
        assertEquals(0, r.pauseConvictions(), "a pause shorter than the timeout convicted someone: " + r);
        assertTrue(r.droppedMs() >= 0 && r.droppedMs() <= 3_000, "frozen nodes still listed: " + r);
        assertTrue(r.convictions() >= 2, "every frozen node convicted by someone: " + r);
        assertTrue(r.duringFreeze().complete(), r.toString());
        assertEquals(5 * 6 * 5, r.duringFreeze().expected(), "5 rounds x 6 survivors x 5 receivers");
        assertTrue(r.rejoinMs() >= 0, "resumed nodes did not rejoin: " + r);
        assertTrue(r.afterReturn().complete(), r.toString());
        assertEquals(5 * 8 * 7, r.afterReturn().expected(), "5 rounds x 8 nodes x 7 receivers");
        assertEquals(0, r.duplicates(), r.toString());
        assertTrue(r.passed(), r.toString());
    }
}
