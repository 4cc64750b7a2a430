package dev.hearsay.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --slow-peer} and {@code bench --slow-subscriber} end to end at a tiny size: one JSON object with the
 * scenario's figures and goals, and the facts that hold whatever the speed (no duplicates, nothing lost by a
 * lossless reader before its cut-over, every loss reported). Whether the others keep 80% is the benchmark's to
 * judge, not this test's.
 */
class SlowScenarioTest
{
    @Test
    @Timeout(60)
    void slowPeerReportsBothRunsTheLimitAndTheGoals()
    {
        final String json = bench("--slow-peer", "--nodes", "3", "--duration", "1", "--warmup", "0.6", "--json",
            "--quiet");
        assertEquals("\"slow-peer\"", field(json, "scenario"));
        assertEquals("2", field(json, "slowNode"));
        final double unloadedBytes = number(json, "slowNodeUnloadedBytesPerSecond");
        assertTrue(unloadedBytes > 0, json);
        final double limit = number(json, "readLimitBytesPerSecond");
        // Within the JSON's six significant digits.
        assertEquals(Math.max(4096, 0.1 * unloadedBytes), limit, Math.max(1, limit * 1e-5),
            "10% of the unloaded byte rate");
        assertTrue(number(json, "readThrottleWaits") > 0, "the slow node's reads were throttled: " + json);
        assertTrue(number(json, "slowNodeDeliveriesPerSecond") > 0, json);
        assertTrue(number(json, "othersUnloadedDeliveriesPerSecond") > 0, json);
        final double ratio = number(json, "othersRatioMin");
        assertTrue(ratio > 0 && ratio <= number(json, "othersRatioMean") + 1e-9, json);
        assertTrue(number(json, "slowPeerCuts") >= 0 && number(json, "othersLinkedToSlowAtEnd") <= 2, json);
        assertNoDuplicates(json);
        assertTrue(json.contains("\"goals\":[{\"goal\":\"slow-peer\""), json);
        assertTrue(json.contains("{\"goal\":\"slow-peer-isolated\""), json);
        assertTrue(json.contains("\"timeline\":[{\"t\":"), json);
    }

    @Test
    @Timeout(60)
    void slowSubscriberLosesNothingBeforeItsCutOverAndReportsEveryLoss()
    {
        final String json = bench("--slow-subscriber", "--slow-subscriber-timeout", "300", "--nodes", "3",
            "--duration", "1", "--warmup", "0.6", "--json", "--quiet");
        assertEquals("\"slow-subscriber\"", field(json, "scenario"));
        assertEquals("300", field(json, "slowSubscriberTimeoutMillis"));
        assertEquals("2048", field(json, "subscriptionCapacity"), "the engine's default buffer");
        final double unloaded = number(json, "slowNodeUnloadedDeliveriesPerSecond");
        assertTrue(unloaded > 0, json);
        assertEquals(0.1 * unloaded, number(json, "paceEventsPerSecond"), 0.1 * unloaded * 1e-3,
            "paced at 10% of its unloaded rate");
        assertTrue(number(json, "othersRatioMin") > 0, json);
        // The slow windows split at the cut-over: the hold before it, the others' rate after it.
        final double held = number(json, "heldSeconds");
        final double after = number(json, "afterCutoverSeconds");
        assertTrue(held >= 0 && after >= 0, json);
        assertEquals(number(json, "slowWindowSeconds"), held + after, 1e-3, json);
        assertTrue(after == 0 || number(json, "slowCutovers") > 0, "a part after a cut-over that never came: " + json);

        assertEquals(0, number(json, "slowDuplicates"), json);
        // A reader that stays behind is cut over after its timeout and told of every loss from then on.
        assertEquals(number(json, "slowCutovers") > 0, number(json, "slowLagged") > 0, json);
        // Stopped past the timeout: cut over, and told of its loss by a Lagged.
        assertTrue(number(json, "cutovers") >= 1, "no cut-over: " + json);
        assertTrue(number(json, "laggedEvents") >= 1, "no Lagged after the stall: " + json);
        assertTrue(number(json, "missed") > 0, json);
        assertEquals(0, number(json, "duplicates"), json);
        assertEquals(0, number(json, "foreign"), json);
        assertNoDuplicates(json);
        assertTrue(json.contains("\"goals\":[{\"goal\":\"slow-subscriber\""), json);
        assertTrue(json.contains("{\"goal\":\"slow-subscriber-lagged\""), json);
        // Unless the cluster lost messages of its own (a repair storm, or Grafts for what no cache held any more:
        // then a node misses messages its subscription never saw, and no Lagged reports them), the lossless reader
        // loses nothing at 10% pace nor before its cut-over, and every message it misses after that is reported.
        if (!Boolean.parseBoolean(field(json, "damaged")))
        {
            assertEquals(0, number(json, "slowMissingBeforeLagged"), json);
            assertEquals(0, number(json, "missingBeforeLagged"), "lost before the cut-over: " + json);
            assertEquals(0, number(json, "unreported"), "losses no Lagged reported: " + json);
            assertEquals(number(json, "missing"), number(json, "missed"), json);
            assertTrue(number(json, "received") + number(json, "missed") >= number(json, "accepted"), json);
            assertTrue(json.contains("{\"goal\":\"slow-subscriber-lossless\",\"text\":\"the slow reader loses "
                + "nothing before its cut-over\",\"verdict\":\"met\""), json);
        }
    }

    @Test
    @Timeout(10)
    void scenariosRefuseWhatTheyCannotMeasure()
    {
        for (final String[] args : new String[][] {
            {"--slow-peer", "--slow-subscriber"},
            {"--slow-peer", "--processes"},
            {"--slow-subscriber", "--overflow", "drop"},
            {"--slow-subscriber", "--delivery", "dispatcher"},
            {"--slow-peer", "--nodes", "2", "--publishers", "2"},
            {"--slow-peer", "--report", "/tmp/x"},
            {"--slow-subscriber-timeout", "500"}})
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final int code = new BenchCommand().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(dev.hearsay.perf.Main.EXIT_USAGE, code, String.join(" ", args));
            assertFalse(err.toString(StandardCharsets.UTF_8).isEmpty());
        }
        final BenchOptions o = BenchOptions.parse(new String[] {"--slow-subscriber"});
        assertTrue(o.subscriberThreads, "a reader thread per node");
        assertEquals(SlowScenarioRun.SLOW_SUBSCRIBER_TIMEOUT_MILLIS, o.slowSubscriberTimeoutMillis);
        assertTrue(o.commandLine().endsWith(" --slow-subscriber"), o.commandLine());
    }

    /** Every node got each message at most once: what it had after the drain is at most what it should have had. */
    private static void assertNoDuplicates(final String json)
    {
        final Matcher m = Pattern.compile("\"delivered\":(\\d+),\"expected\":(\\d+)").matcher(json);
        int nodes = 0;
        while (m.find())
        {
            assertTrue(Long.parseLong(m.group(1)) <= Long.parseLong(m.group(2)), "duplicates: " + m.group());
            nodes++;
        }
        assertTrue(nodes >= 6, "per-node figures of both windows: " + json);
    }

    private static String bench(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new BenchCommand().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        final String json = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(1, json.lines().count(), "exactly one line: " + json);
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        return json;
    }

    /** The first value of {@code name} in {@code json}. */
    private static String field(final String json, final String name)
    {
        final Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[-0-9.eE]+|null|true|false)").matcher(json);
        assertTrue(m.find(), "field " + name + " in " + json);
        return m.group(1);
    }

    private static double number(final String json, final String name)
    {
        return Double.parseDouble(field(json, name));
    }
}
