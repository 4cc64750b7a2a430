package dev.hearsay.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest
{
    @Test
    @Timeout(120)
    void simPrintsOneJsonObjectWithTheMetrics()
    {
        final Result r = run("sim", "--nodes", "50", "--scenario", "single-sender", "--seed", "1", "--rounds", "5",
            "--json");
        assertEquals(0, r.code, r.err);
        final String json = r.out.strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertEquals(1, r.out.strip().lines().count(), "exactly one line");
        assertBalanced(json);

        assertEquals("50", field(json, "nodes"));
        assertEquals("\"single-sender\"", field(json, "scenario"));
        assertEquals("1", field(json, "seed"));
        assertEquals("5", field(json, "rounds"));
        assertEquals("245", field(json, "expected"), "5 broadcasts x 49 receivers");
        final double reliability = Double.parseDouble(field(json, "reliability"));
        assertTrue(reliability > 0 && reliability <= 1, "reliability " + reliability);
        assertTrue(Double.parseDouble(field(json, "rmr")) >= -1);
        assertTrue(Integer.parseInt(field(json, "ldh")) >= 1);
        assertTrue(Long.parseLong(field(json, "payloadMessages")) >= 5 * 49 * reliability);
        assertTrue(Long.parseLong(field(json, "controlMessages")) > 0);
        assertTrue(Double.parseDouble(field(json, "wallSeconds")) > 0);
        assertTrue(Double.parseDouble(field(json, "latencyP99Ms")) >= Double.parseDouble(field(json, "latencyP50Ms")));
        assertEquals("0", field(json, "decodeErrors"));
        assertTrue(json.contains("\"perRound\":[{"), json);
    }

    @Test
    @Timeout(120)
    void simPrintsATable()
    {
        final Result r = run("sim", "--nodes", "30", "--scenario", "mass-failure", "--fail-fraction", "0.2",
            "--rounds", "3");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("reliability"), r.out);
        assertTrue(r.out.contains("first broadcast"), r.out);
        assertTrue(r.out.contains("crashed          6 nodes"), r.out);
        assertTrue(r.out.contains("flood bound"), r.out);
    }

    @Test
    @Timeout(120)
    void simGraftTimeoutIsTheNodesWaitBeforeGrafting()
    {
        final String[] base = {"sim", "--nodes", "200", "--scenario", "mass-failure", "--fail-fraction", "0.5",
            "--rounds", "2", "--json"};
        final Result usual = run(base);
        final String[] slow = java.util.Arrays.copyOf(base, base.length + 2);
        slow[base.length] = "--graft-timeout";
        slow[base.length + 1] = "10000";
        final Result patient = run(slow);
        assertEquals(0, usual.code, usual.err);
        assertEquals(0, patient.code, patient.err);
        // After a crash the subtrees behind dead tree edges wait for their grafts: a longer wait completes later.
        assertTrue(Double.parseDouble(field(patient.out, "firstCompleteMs"))
            > Double.parseDouble(field(usual.out, "firstCompleteMs")), usual.out + "\n" + patient.out);
    }

    @Test
    @Timeout(120)
    void simPartitionPrintsTheHeal()
    {
        final Result r = run("sim", "--nodes", "40", "--scenario", "partition", "--partition", "10", "--rounds", "2");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("20 of 40 nodes cut off for 10 s"), r.out);
        assertTrue(r.out.contains("one component"), r.out);
        assertTrue(r.out.contains("first broadcast 2.0 s after the heal"), r.out);
    }

    @Test
    @Timeout(30)
    void badArgumentsExitNonZeroWithUsageOnStderr()
    {
        assertUsageError(run("frobnicate"));
        assertUsageError(run("--nodes", "1"));
        assertUsageError(run("--nodes", "five"));
        assertUsageError(run("bench", "--what"));
        assertUsageError(run("bench", "--idle", "lazy"));
        assertUsageError(run("bench", "--transport", "carrier-pigeon"));
        assertUsageError(run("bench", "--nodes", "2", "--publishers", "3"));
        assertUsageError(run("bench", "--size", "8"));
        assertUsageError(run("bench", "--duration"));
        assertUsageError(run("bench", "--sign", "--processes"));
        assertUsageError(run("bench", "--tls", "--slow-peer"));
        assertUsageError(run("bench", "--signature-linger", "500"));
        assertUsageError(run("bench", "--sign", "--signature-linger", "100001"));
        assertUsageError(run("sim"));
        assertUsageError(run("sim", "--nodes", "50"));
        assertUsageError(run("sim", "--nodes", "fifty", "--scenario", "single-sender"));
        assertUsageError(run("sim", "--nodes", "50", "--scenario", "no-such-scenario"));
        assertUsageError(run("sim", "--nodes", "50", "--scenario", "churn", "--loss", "1.5"));
        assertUsageError(run("sim", "--nodes", "50", "--scenario", "churn", "--rounds"));
        assertUsageError(run("sim", "--nodes", "50", "--scenario", "churn", "--what"));
        assertUsageError(run("sim", "--nodes", "50", "--scenario", "churn", "--graft-timeout", "0"));
    }

    @Test
    @Timeout(30)
    void helpGoesToStdoutAndSucceeds()
    {
        for (final String help : new String[] {"--help", "-h", "help"})
        {
            final Result r = run(help);
            assertEquals(0, r.code);
            assertTrue(r.out.contains("usage:") && r.out.contains("sim") && r.out.contains("bench"), r.out);
            assertTrue(r.out.contains("(no command: bench)"), r.out);
        }
    }

    @Test
    @Timeout(120)
    void withoutACommandBenchRunsAndPrintsOneJsonObject(@TempDir final Path reportDir) throws Exception
    {
        // No command word: the default command (bench), shortened so the suite stays fast.
        final Result r = run("--duration", "1", "--warmup", "1", "--no-cache-fill", "--nodes", "3", "--json",
            "--report", reportDir.toString());
        assertEquals(0, r.code, r.err);
        final String json = r.out.strip();
        assertEquals(1, json.lines().count(), "exactly one line: " + r.out);
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertBalanced(json);
        assertTrue(r.err.contains("[bench"), "progress goes to stderr: " + r.err);

        assertEquals("3", field(json, "nodes"));
        assertEquals("64", field(json, "size"));
        assertEquals("true", field(json, "overlayConnected"));
        final long accepted = Long.parseLong(field(json, "broadcastsAccepted"));
        assertTrue(accepted > 0, "broadcasts at max rate");
        assertEquals(accepted * 2, Long.parseLong(field(json, "expected")), "every broadcast expected at 2 nodes");
        // Whether the engine lost anything under overload is what the bench measures, not what this test checks.
        final long expected = Long.parseLong(field(json, "expected"));
        final long delivered = Long.parseLong(field(json, "delivered"));
        assertTrue(delivered > 0 && delivered <= expected, delivered + " of " + expected);
        assertEquals(expected - delivered, Long.parseLong(field(json, "lost")));
        assertEquals((double)delivered / expected, Double.parseDouble(field(json, "reliability")), 1e-5);
        assertTrue(Double.parseDouble(field(json, "deliveriesPerSecond")) > 0);
        assertTrue(Long.parseLong(field(json, "rateAccepted")) > 0);
        assertTrue(Long.parseLong(field(json, "rateDelivered")) <= Long.parseLong(field(json, "rateExpected")));
        assertTrue(Double.parseDouble(field(json, "disruptorPerSecond")) > 0);
        assertTrue(Double.parseDouble(field(json, "nettyOneWayPerSecond")) > 0);
        assertTrue(json.contains("\"rateCorrected\":{\"samples\":"), json);
        assertTrue(json.contains("\"nettyRtt\":{\"samples\":"), json);
        assertTrue(json.contains("\"handoff\":{\"samples\":"), json);
        assertEquals("5", field(json, "handoffs"));
        assertTrue(Double.parseDouble(field(json, "p99")) >= Double.parseDouble(field(json, "p50")));
        assertTrue(json.contains("\"goals\":[{\"goal\":\"throughput\",\"text\""), json);
        assertEquals("\"not evaluated\"", field(json, "verdict"), "throughput needs 5 nodes");

        final String html = Files.readString(reportDir.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("<polyline") && html.contains("</html>"), html);
        assertTrue(Files.readString(reportDir.resolve("engine-rate-corrected.hgrm")).contains("Percentile"));
        assertTrue(Files.exists(reportDir.resolve("netty-rtt.hgrm")));
        assertTrue(Files.exists(reportDir.resolve("handoff.hgrm")));
    }

    @Test
    @Timeout(180)
    void benchSignAndTlsMeasureASecureClusterBesideThePlainOneWithTheRatio()
    {
        final Result r = run("bench", "--sign", "--tls", "--duration", "1", "--warmup", "1", "--no-cache-fill",
            "--nodes", "3", "--json");
        assertEquals(0, r.code, r.err);
        final String json = r.out.strip();
        assertEquals(1, json.lines().count(), "exactly one line: " + r.out);
        assertBalanced(json);
        final int secure = json.indexOf("\"secure\":[{");
        assertTrue(secure > 0, json);
        final String sign = json.substring(json.indexOf("\"config\":\"sign\"", secure));
        final String tls = json.substring(json.indexOf("\"config\":\"tls\"", secure));
        final double plain = Double.parseDouble(field(json, "deliveriesPerSecond"));
        for (final String s : new String[] {sign, tls})
        {
            final double rate = Double.parseDouble(field(s, "deliveriesPerSecond"));
            assertTrue(rate > 0, s);
            assertEquals(plain, Double.parseDouble(field(s, "plainDeliveriesPerSecond")), plain * 1e-5);
            assertEquals(rate / plain, Double.parseDouble(field(s, "toPlain")), rate / plain * 1e-4);
            final long expected = Long.parseLong(field(s, "expected"));
            assertTrue(expected > 0 && Long.parseLong(field(s, "delivered")) <= expected, s);
            assertEquals("true", field(s, "overlayConnected"));
        }
        assertTrue(Long.parseLong(field(sign, "signaturesVerified")) > 0, "the signed cluster verified: " + sign);
        for (final String s : new String[] {sign, tls})
        {
            // The fixed-rate part: every message delivered, and its latency recorded.
            assertEquals(1.0, Double.parseDouble(field(s, "rateReliability")), s);
            final String latency = s.substring(s.indexOf("\"rateLatencyMicros\":"));
            assertTrue(Long.parseLong(field(latency, "samples")) > 0, latency);
        }
        assertEquals("0", field(tls, "signaturesVerified"), "the TLS cluster does not sign");
        assertEquals("0", field(json.substring(0, secure), "signaturesVerified"), "nor does the plain one");
        assertTrue(json.contains("\"goal\":\"signed\"") && json.contains("\"goal\":\"tls\""), json);
    }

    private static void assertUsageError(final Result r)
    {
        assertEquals(Main.EXIT_USAGE, r.code, r.out + r.err);
        assertTrue(r.err.contains("usage:"), r.err);
        assertEquals("", r.out, "nothing on stdout");
    }

    private static String field(final String json, final String name)
    {
        final Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[-0-9.eE]+|null|true|false)").matcher(json);
        assertTrue(m.find(), "field " + name + " in " + json);
        return m.group(1);
    }

    private static void assertBalanced(final String json)
    {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++)
        {
            final char c = json.charAt(i);
            if (c == '"' && json.charAt(i - 1) != '\\')
            {
                inString = !inString;
            }
            else if (!inString && (c == '{' || c == '['))
            {
                depth++;
            }
            else if (!inString && (c == '}' || c == ']'))
            {
                depth--;
                assertTrue(depth >= 0 && (depth > 0 || i == json.length() - 1), "one top-level object: " + json);
            }
        }
        assertEquals(0, depth);
    }

    private static Result run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err)
    {
    }
}
