package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's embedding example compiles (it is {@link QuickStartExample}), runs, and is shown verbatim. */
class QuickStartExampleTest
{
    @Test
    @Timeout(60)
    void theExampleDeliversAQuote() throws Exception
    {
        final String printed = QuickStartExample.run();
        assertTrue(printed.startsWith("EURUSD 1.0841 from "), printed);
    }

    @Test
    @Timeout(10)
    void theReadmeShowsTheSameCode() throws Exception
    {
        final List<String> example = between(Files.readAllLines(
            Path.of("src/test/java/dev/hearsay/transport/QuickStartExample.java")), "// README:begin",
            "// README:end");
        final List<String> readme = between(Files.readAllLines(Path.of("../README.md")),
            "<!-- quick-start:begin -->", "<!-- quick-start:end -->");
        assertTrue(example.size() > 10, "example found: " + example);
        assertEquals(example, readme, "README quick start and QuickStartExample differ");
    }

    /** The lines strictly between two marker lines, with their common indentation and code fences removed. */
    private static List<String> between(final List<String> lines, final String begin, final String end)
    {
        final List<String> out = new ArrayList<>();
        boolean inside = false;
        for (final String line : lines)
        {
            if (line.strip().equals(begin))
            {
                inside = true;
            }
            else if (line.strip().equals(end))
            {
                inside = false;
            }
            else if (inside && !line.startsWith("```"))
            {
                out.add(line);
            }
        }
        final int indent = out.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        out.replaceAll(l -> l.isBlank() ? "" : l.substring(indent));
        return out;
    }
}
