package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twenty seconds of churn among six node processes (one leaves, killed or politely, and one joins every two
 * seconds) under ten broadcasts a second: every node up for a message's whole lifetime delivers it, once.
 */
class ChurnTest
{
    @Test
    @Timeout(150)
    void nodesUpForAMessagesLifetimeDeliverIt()
    {
        final ChurnScenario.Result r = ChurnScenario.run(new ChurnScenario.Params(6, 2, Duration.ofSeconds(20),
            Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(5), 7,
            NodeProcess.currentClasspath(), new File("target/faults-logs/churn")), System.out::println);
        System.out.println(r);
        assertTrue(r.kills() + r.quits() >= 4 && r.joins() >= 4, r.toString());
        assertTrue(r.delivery().messages() > 100, r.toString());
        assertTrue(r.delivery().complete(), r.toString());
        assertEquals(0, r.delivery().duplicates(), r.toString());
    }
}
