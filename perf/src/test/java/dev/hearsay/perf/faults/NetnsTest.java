package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Six nodes in their own network namespaces over lossy links (and delayed, where the kernel has netem): every
 * broadcast reaches every node. Then half the nodes are cut off for 30 s by dropping their packets (no reset:
 * longer than TCP's retransmission backoff, so only the failure detector ends the links across) and healed: the
 * overlay becomes one component again by itself, a round broadcast 2 s after the heal reaches every node, and
 * both sides deliver everything after. Skipped, with the reason, where namespaces or tc cannot be used (not root,
 * no iproute2).
 */
class NetnsTest
{
    @Test
    @Timeout(240)
    void deliveryUnderLossAndAfterAPartitionHeals()
    {
        final NetnsLab.Support support = NetnsLab.availability();
        Assumptions.assumeTrue(support == NetnsLab.Support.NETEM || support == NetnsLab.Support.LOSS_ONLY,
            "skipped: network namespaces with tc impairment are not available here (" + support
                + "; needs root, iproute2's ip and tc, and netem or htb/u32 in the kernel)");
        final NetnsScenario.Result r = NetnsScenario.run(new NetnsScenario.Params(6, 3, Duration.ofMillis(300),
            Duration.ofSeconds(30), Duration.ofSeconds(5), 11, NodeProcess.currentClasspath(),
            new File("target/faults-logs/netns")), support, System.out::println);
        System.out.println(r);
        assertTrue(r.impaired().complete() && r.impaired().expected() == 3 * 6 * 5, r.toString());
        assertTrue(r.mergedMs() >= 0, "the two sides never merged: " + r);
        assertTrue(r.twoSecondsAfter().complete() && r.twoSecondsAfter().expected() == 6 * 5, r.toString());
        assertTrue(r.afterHeal().complete() && r.afterHeal().expected() == 5 * 6 * 5, r.toString());
        assertTrue(r.passed(), r.toString());
        assertTrue(r.packetsDropped() != 0, "the impairment dropped nothing: " + r);
    }
}
