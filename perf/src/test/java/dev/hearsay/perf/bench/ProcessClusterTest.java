package dev.hearsay.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessClusterTest
{
    @Test
    @Timeout(120)
    void nodesInChildJvmsDeliverAndReportRoundTrips()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new BenchCommand().run(new String[] {"--processes", "--nodes", "2", "--duration", "1",
            "--warmup", "0", "--rate", "2000", "--json", "--quiet"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        final String json = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(json.contains("\"processes\":true"), json);
        assertTrue(json.contains("\"overlayConnected\":true"), json);
        assertTrue(!json.contains("\"broadcastsAccepted\":0,"), json);
        assertTrue(!json.contains("\"delivered\":0,"), json);
        // Round trips, timed in the publisher's JVM; no one-way figures without a common clock.
        assertTrue(json.contains("\"rttCorrected\":{\"samples\":"), json);
        assertTrue(!json.contains("\"rateCorrected\""), json);
        assertTrue(!json.contains("\"echoes\":0,"), json);
        // The children's dispatchers counted their busy duty cycles in the fixed-rate window.
        final java.util.regex.Matcher cycles = java.util.regex.Pattern
            .compile("\"rateDutyCycles\":\\{\"dutyCycles\":(\\d+),").matcher(json);
        assertTrue(cycles.find() && Long.parseLong(cycles.group(1)) > 0, json);
    }
}
