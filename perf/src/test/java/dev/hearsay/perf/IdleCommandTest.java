package dev.hearsay.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class IdleCommandTest
{
    @Test
    void measuresJoinedIdleNodesAndPrintsOneJsonObject()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(new String[]{"idle", "--nodes", "2", "--seconds", "1", "--json"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        final String json = out.toString(StandardCharsets.UTF_8).trim();
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(json.startsWith("{") && json.endsWith("}") && json.contains("\"nodes\":2")
            && json.contains("\"threading\":\"dedicated\"") && json.contains("\"cores\":"), json);
    }

    @Test
    void badOptionsExitWithUsage()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(new String[]{"idle", "--threading", "spin"}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.EXIT_USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threading: dedicated or event-loop"));
    }
}
