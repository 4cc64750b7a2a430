package dev.hearsay.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arguments of the node and faults commands: bad ones are usage errors, help documents the node protocol. */
class FaultsCliTest
{
    @Test
    @Timeout(30)
    void badArgumentsAreUsageErrors()
    {
        assertUsage("faults", "--what");
        assertUsage("faults", "--only", "kill,nothing");
        assertUsage("faults", "--minutes", "0");
        assertUsage("node", "--peer", "not-a-peer");
        assertUsage("node", "--peer", "00@127.0.0.1:1");
        assertUsage("node", "--bind", "127.0.0.1");
        assertUsage("node", "--max-park-ms");
        assertUsage("node", "--failure-detection-ms", "50");
    }

    @Test
    @Timeout(30)
    void helpListsTheCommandsAndTheNodeProtocol()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[]{"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        final String help = out.toString(StandardCharsets.UTF_8);
        for (final String s : new String[]{"faults", "node", "--soak", "broadcast TEXT", "recv AUTHOR HOPS TEXT",
            "ready ID HOST:PORT", "quit"})
        {
            assertTrue(help.contains(s), s + " in " + help);
        }
    }

    private static void assertUsage(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.EXIT_USAGE, code, String.join(" ", args) + ": " + err);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage:"), err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
