package dev.hearsay.perf.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node process's line protocol, a polite quit, and SIGKILL. */
class NodeProcessTest
{
    @Test
    @Timeout(60)
    void lineProtocolQuitAndKill() throws Exception
    {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (NodeProcess a = NodeProcess.start("a", NodeProcess.currentClasspath(), null, NodeProcess.SMALL_JVM,
                List.of("--seed", "5"), null, lines::add))
        {
            assertTrue(a.awaitReady(Duration.ofSeconds(30)));
            assertEquals(dev.hearsay.NodeKey.fromSeed(5).id(), a.id());
            try (NodeProcess b = NodeProcess.start("b", NodeProcess.currentClasspath(), null, NodeProcess.SMALL_JVM,
                new ArrayList<>(List.of("--peer", a.peerSpec().toString())), null, null))
            {
                assertTrue(b.awaitReady(Duration.ofSeconds(30)));
                assertTrue(Poll.until(() -> a.neighbors().contains(b.id()) && b.neighbors().contains(a.id()),
                    Duration.ofSeconds(10)));
                assertTrue(a.broadcast("hello, world"));
                assertTrue(Poll.until(() -> b.delivered("hello, world"), Duration.ofSeconds(10)));
                assertNotNull(a.sentAt("hello, world"));
                assertTrue(a.request("neighbors", "neighbors ", Duration.ofSeconds(10)).contains(b.id().toString()));
                final Map<String, Long> stats = a.stats(Duration.ofSeconds(10));
                assertTrue(stats.get("heapUsed") > 0 && stats.get("threads") > 0 && stats.get("fds") > 0, "" + stats);
                assertEquals(1L, stats.get("neighbors"));
                assertEquals(1L, a.counters(Duration.ofSeconds(10)).get("handshakes"));

                b.kill();
                assertFalse(b.isAlive());
                assertTrue(b.wasKilled());
                assertTrue(Poll.until(() -> a.neighbors().isEmpty(), Duration.ofSeconds(10)), "a saw b go down");
            }
            a.quit(Duration.ofSeconds(20));
            assertFalse(a.isAlive());
            assertTrue(lines.contains("bye"), "polite quit: " + lines);
        }
    }
}
