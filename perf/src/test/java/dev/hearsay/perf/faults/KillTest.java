package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seven node processes, two SIGKILLed at once: every survivor delivers every later broadcast, exactly once. */
class KillTest
{
    @Test
    @Timeout(150)
    void survivorsDeliverEveryBroadcastAfterSigkill()
    {
        final KillScenario.Result r = KillScenario.run(new KillScenario.Params(7, 0.3, 5, Duration.ofMillis(200),
            42, NodeProcess.currentClasspath(), new File("target/faults-logs/kill")), System.out::println);
        System.out.println(r);
        assertEquals(2, r.killed());
        assertTrue(r.warmup().complete(), r.toString());
        assertTrue(r.afterKill().complete(), r.toString());
        assertEquals(5 * 5 * 4, r.afterKill().expected(), "5 rounds x 5 survivors x 4 receivers");
        assertEquals(0, r.afterKill().duplicates(), r.toString());
        assertTrue(r.healMs() >= 0, "overlay never healed: " + r);
        assertTrue(r.minNeighbors() >= 1, r.toString());
    }
}
