package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counters file: layout readable by another mapping, engine and protocol counters live in it, removed on close. */
final class NodeCountersTest
{
    private static Map<String, Long> read(final NodeCounters.View view)
    {
        final Map<String, Long> values = new HashMap<>();
        view.reader().forEach((value, id, label) -> values.put(label, value));
        return values;
    }

    @Test
    @Timeout(10)
    void aSecondMappingReadsTheHeaderAndTheCounters(@TempDir final Path dir) throws Exception
    {
        final NodeId id = EngineTestSupport.key(1).id();
        final NodeCounters counters = NodeCounters.mapped(dir, id);
        final AtomicCounter c = counters.newCounter("test counter", NodeCounters.TYPE_ENGINE);
        c.setRelease(42);
        counters.heartbeat(123_456L);
        final Path file = dir.resolve(NodeCounters.fileName(id));
        assertEquals(file, counters.file());
        final NodeCounters.View view = NodeCounters.View.open(file);
        try
        {
            assertEquals(id, view.nodeId());
            assertEquals(ProcessHandle.current().pid(), view.pid());
            assertEquals(123_456L, view.heartbeatMillis());
            assertEquals(Map.of("test counter", 42L), read(view));
            c.increment();
            assertEquals(43L, read(view).get("test counter"), "live: the reader sees later updates");
        }
        finally
        {
            view.close();
        }
        counters.close();
        assertFalse(Files.exists(file), "the file is removed on close");
        c.increment(); // still valid memory after close: a late writer cannot crash the process

        Files.write(file, new byte[8192]);
        assertThrows(IllegalArgumentException.class, () -> NodeCounters.View.open(file));
    }

    @Test
    @Timeout(30)
    void anEngineWritesEngineAndProtocolCountersIntoItsFile(@TempDir final Path dir) throws Exception
    {
        final GossipConfig config = GossipConfig.builder().countersDir(dir).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, config).start())
        {
            final Subscription a = cluster.get(0).subscribe(TopicId.of("counted"), List.of());
            final Subscription b = cluster.get(1).subscribe(TopicId.of("counted"), List.of(cluster.id(0)));
            b.joined().get();
            assertTrue(a.broadcast(new byte[100]) >= 0);
            EngineTestSupport.awaitReceived(b, new byte[100]);
            final NodeCounters.View view = NodeCounters.View.open(dir.resolve(NodeCounters.fileName(cluster.id(1))));
            try
            {
                // Mirrored every 50 ms, one counter after the other: wait for each value asserted below.
                await("protocol counters and gauges mirrored", () ->
                {
                    final Map<String, Long> v = read(view);
                    return v.get("messages delivered by the protocol") == 1
                        && v.get(EngineCounter.TOPICS.label()) == 1 && v.get(EngineCounter.NEIGHBORS.label()) == 1;
                });
                final Map<String, Long> values = read(view);
                assertEquals(1L, values.get(EngineCounter.MESSAGES_DELIVERED.label()));
                assertTrue(values.get(EngineCounter.BYTES_RECEIVED.label()) > 100);
                assertTrue(values.get(EngineCounter.FRAMES_RECEIVED.label()) >= 2);
                assertEquals(1L, values.get(EngineCounter.TOPICS.label()));
                assertEquals(1L, values.get(EngineCounter.NEIGHBORS.label()));
                assertTrue(values.containsKey("grafts sent") && values.containsKey("prunes sent"), values.toString());
                assertTrue(System.currentTimeMillis() - view.heartbeatMillis() < 5_000, "heartbeat is fresh");
            }
            finally
            {
                view.close();
            }
        }
        try (var files = Files.list(dir))
        {
            assertEquals(0, files.count(), "closed engines remove their counters files");
        }
    }
}
