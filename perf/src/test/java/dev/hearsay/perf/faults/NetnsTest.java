package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Six nodes in their own network namespaces over lossy links (and delayed, where the kernel has netem): every
 * broadcast reaches every node; after a partition of half the nodes heals, both sides deliver again. Skipped, with
 * the reason, where namespaces or tc cannot be used (not root, no iproute2).
 */
class NetnsTest
{
    @Test
    @Timeout(180)
    void deliveryUnderLossAndAfterAPartitionHeals()
    {
        final NetnsLab.Support support = NetnsLab.availability();
        Assumptions.assumeTrue(support == NetnsLab.Support.NETEM || support == NetnsLab.Support.LOSS_ONLY,
            "skipped: network namespaces with tc impairment are not available here (" + support
                + "; needs root, iproute2's ip and tc, and netem or htb/u32 in the kernel)");
        final NetnsScenario.Result r = NetnsScenario.run(new NetnsScenario.Params(6, 3, Duration.ofMillis(300),
            Duration.ofSeconds(5), Duration.ofSeconds(5), 11, NodeProcess.currentClasspath(),
            new File("target/faults-logs/netns")), support, System.out::println);
        System.out.println(r);
        assertTrue(r.impaired().complete() && r.impaired().expected() == 3 * 6 * 5, r.toString());
        assertTrue(r.afterHeal().complete() && r.afterHeal().expected() == 4 * 6 * 5, r.toString());
        assertTrue(r.passed(), r.toString());
        assertTrue(r.packetsDropped() != 0, "the impairment dropped nothing: " + r);
    }
}
