package dev.hearsay.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(10)
class KernelTimerSlackTest
{
    /** A thread sets its own slack, and only its own: the caller's and a bystander's keep theirs. */
    @Test
    void aThreadSetsItsOwnSlackAndNoOneElses() throws Exception
    {
        assumeTrue(Files.exists(Path.of("/proc/self/timerslack_ns")), "Linux with /proc/<pid>/timerslack_ns");
        final long callerBefore = KernelTimerSlack.ofCurrentThread();
        assertTrue(callerBefore > 0, "the caller's slack is readable");
        assumeTrue(callerBefore != 1_234, "the caller does not already have the value this test sets");

        final AtomicLong seen = new AtomicLong();
        final boolean[] set = new boolean[1];
        final Thread setter = new Thread(() ->
        {
            set[0] = KernelTimerSlack.setForCurrentThread(1_234);
            seen.set(KernelTimerSlack.ofCurrentThread());
        });
        setter.start();
        setter.join();

        assertTrue(set[0], "a thread may set its own slack");
        assertEquals(1_234, seen.get());
        assertEquals(callerBefore, KernelTimerSlack.ofCurrentThread(), "the caller's slack is unchanged");
        assertTrue(KernelTimerSlack.available(), "the probe succeeds where setting does");
        assertEquals(callerBefore, KernelTimerSlack.ofCurrentThread(), "the probe ran on a thread of its own");
        assertNotEquals(1_234, KernelTimerSlack.ofCurrentThread());
    }

    @Test
    void aSlackThatIsNotPositiveIsRefusedByName()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> KernelTimerSlack.setForCurrentThread(0));
        assertTrue(ex.getMessage().contains("nanos"), ex.getMessage());
    }
}
