package dev.hearsay.tools;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.engine.NodeCounters;
import dev.hearsay.transport.GossipNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code stat} against two live nodes writing counters files, then against their leftovers. */
class StatCommandTest
{
    private record Result(int code, String out, String err)
    {
    }

    private static Result stat(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final String[] full = new String[args.length + 1];
        full[0] = "stat";
        System.arraycopy(args, 0, full, 1, args.length);
        final int code = Main.run(full, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The value printed for {@code label} in the section of node {@code id}. */
    private static long value(final String out, final String id, final String label)
    {
        final String section = out.substring(out.indexOf("node " + id));
        final Matcher m = Pattern.compile("^\\s+\\d+:\\s+([\\d,]+) - " + Pattern.quote(label) + "$",
            Pattern.MULTILINE).matcher(section);
        assertTrue(m.find(), "no line for '" + label + "' in\n" + section);
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    @Test
    @Timeout(60)
    void printsTheLiveCountersOfRunningNodes(@TempDir final Path dir) throws Exception
    {
        final GossipConfig config = GossipConfig.builder().countersDir(dir).build();
        final InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (GossipNode a = GossipNode.builder().key(NodeKey.fromSeed(1L)).bindAddress(loopback).config(config)
                .start();
            GossipNode b = GossipNode.builder().key(NodeKey.fromSeed(2L)).bindAddress(loopback).config(config)
                .start())
        {
            b.addPeer(a.addr());
            final TopicId topic = TopicId.of("stat");
            final Subscription sa = a.subscribe(topic, List.of());
            final Subscription sb = b.subscribe(topic, List.of(a.id()));
            sb.joined().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++)
            {
                assertTrue(sa.broadcast(("hello " + i).getBytes(StandardCharsets.UTF_8)) >= 0);
            }
            int received = 0;
            while (received < 5)
            {
                if (sb.next(Duration.ofSeconds(10)) instanceof GossipEvent.Received)
                {
                    received++;
                }
            }

            // Counters are copied from their owners every 50-100 ms: refresh until they show up.
            Result r = stat("--dir", dir.toString(), "--once");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && (!r.out.contains("node " + b.id())
                || !r.out.contains("node " + a.id())
                || value(r.out, b.id().toString(), "messages delivered by the protocol") < 5
                || value(r.out, b.id().toString(), "handshakes completed") < 1
                || value(r.out, b.id().toString(), "gauge: connected peers") < 1
                || value(r.out, b.id().toString(), "neighbors (sum over topics)") < 1
                || value(r.out, a.id().toString(), "gossip sent") < 5))
            {
                Thread.onSpinWait();
                r = stat("--dir", dir.toString(), "--once");
            }
            assertEquals(0, r.code, r.err);
            final String id = b.id().toString();
            assertTrue(r.out.contains("node " + a.id()), r.out);
            assertEquals(5, value(r.out, id, "messages delivered to subscriptions"));
            assertEquals(5, value(r.out, id, "messages delivered by the protocol"));
            assertTrue(value(r.out, id, "frames received") >= 5);
            assertTrue(value(r.out, id, "bytes received") > 5 * 7);
            assertEquals(1, value(r.out, id, "neighbors (sum over topics)"));
            assertEquals(1, value(r.out, id, "handshakes completed"));
            assertEquals(1, value(r.out, id, "gauge: connected peers"));
            assertEquals(0, value(r.out, id, "frames discarded: invalid"));
            assertTrue(value(r.out, a.id().toString(), "gossip sent") >= 5);
            assertTrue(r.out.contains("engine (dispatcher)") && r.out.contains("protocol (HyParView + PlumTree)")
                && r.out.contains("transport (TCP)"), r.out);
            assertTrue(r.out.contains("heartbeat"), r.out);

            // A refreshing run prints one block per refresh.
            final Result twice = stat("--dir", dir.toString(), "--count", "2", "--interval", "10");
            assertEquals(2, twice.out.split("==== hearsay stat").length - 1, twice.out);

            assertEquals(0, stat("--dir", dir.toString(), "--once", "--node", id.substring(0, 6)).out
                .split("\nnode ").length - 2, "--node keeps one node");
        }
        final Result after = stat("--dir", dir.toString(), "--once");
        assertEquals(Main.EXIT_FAILURE, after.code, "closed nodes remove their files");
        assertTrue(after.out.contains("no hearsay node"), after.out);
    }

    @Test
    @Timeout(30)
    void aDeadNodesLeftoverIsShownAsNotRunning(@TempDir final Path dir)
    {
        final NodeCounters leftover = NodeCounters.mapped(dir, NodeKey.fromSeed(3L).id());
        leftover.newCounter("something", NodeCounters.TYPE_ENGINE).setRelease(7);
        leftover.heartbeat(System.currentTimeMillis() - 60_000);
        final Result r = stat("--dir", dir.toString(), "--once");
        assertEquals(0, r.code);
        assertTrue(r.out.contains("NOT RUNNING (last heartbeat 0:01:00 ago)"), r.out);
        assertTrue(r.out.matches("(?s).*\\s+0:\\s+7 - something.*"), r.out);
        leftover.close();
    }

    @Test
    @Timeout(30)
    void badArgumentsExitTwo()
    {
        for (final String[] args : List.of(new String[]{"--what"}, new String[]{"--dir"},
            new String[]{"--interval", "x"}, new String[]{"--count", "-1"}))
        {
            final Result r = stat(args);
            assertEquals(Main.EXIT_USAGE, r.code, String.join(" ", args));
            assertTrue(r.err.contains("usage:"), r.err);
            assertEquals("", r.out);
        }
    }
}
