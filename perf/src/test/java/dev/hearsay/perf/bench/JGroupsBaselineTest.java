package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JGroups peer baseline on a small cluster: every message reaches every other member once, in order. */
@Timeout(60)
class JGroupsBaselineTest
{
    @Test
    void threeMembersDeliverEverythingOnceAndRecordOrderedPercentiles()
    {
        try (JGroupsBaseline jgroups = new JGroupsBaseline(3, 1, 64, 10_000, TimeUnit.SECONDS.toNanos(20)))
        {
            assertEquals(3, jgroups.members());

            final JGroupsBaseline.Phase max = jgroups.maxRate(TimeUnit.MILLISECONDS.toNanos(100),
                TimeUnit.MILLISECONDS.toNanos(500), false);
            assertTrue(max.sent() > 0, "sent at max rate");
            assertEquals(2 * max.sent(), max.expected(), "each message to the two other members");
            assertEquals(max.expected(), max.delivered(), "max rate: everything delivered");
            assertTrue(max.deliveriesPerSecond() > 0, "deliveries in the window: " + max);

            final JGroupsBaseline.Phase paced = jgroups.fixedRate(TimeUnit.MILLISECONDS.toNanos(500), false);
            // On schedule: never ahead of 10,000 msg/s over the time the senders ran (which the test's 0.5 s wait
            // may overrun on a loaded machine), and not far behind it.
            final double onSchedule = paced.sendNanos() * 10_000 / 1e9;
            assertTrue(paced.sent() >= 4_000 && paced.sent() <= onSchedule + 1, "10,000 msg/s for 0.5 s: "
                + paced.sent() + " sent in " + paced.sendNanos() + " ns");
            assertEquals(2 * paced.sent(), paced.delivered(), "fixed rate: everything delivered");
            assertEquals(0, jgroups.outOfOrder(), "no message out of order, twice or after a gap");
            assertTrue(jgroups.bundlerDrops() >= 0, "the bundlers' drop count is readable");
            assertTrue(jgroups.retransmissionRequests() >= 0);

            final Histogram maxRate = LatencyRecorders.histogram();
            final Histogram corrected = LatencyRecorders.histogram();
            final Histogram uncorrected = LatencyRecorders.histogram();
            final Histogram lag = LatencyRecorders.histogram();
            jgroups.takeLatency(maxRate, corrected, uncorrected, lag);
            assertEquals(max.delivered(), maxRate.getTotalCount(), "one max-rate sample per delivery");
            assertEquals(paced.delivered(), corrected.getTotalCount(), "one corrected sample per delivery");
            assertEquals(paced.sent(), lag.getTotalCount(), "one pacing sample per message sent");
            long previous = 0;
            for (final double p : new double[] {50, 90, 99, 99.9, 100})
            {
                final long v = corrected.getValueAtPercentile(p);
                assertTrue(v > 0 && v >= previous, "p" + p + " " + v + " after " + previous);
                previous = v;
            }
            assertTrue(corrected.getValueAtPercentile(50) >= uncorrected.getValueAtPercentile(50) - 1_000,
                "from the slot is never much less than from the send");
        }
    }

    @Test
    void peerOptionParsesAndReproduces()
    {
        final BenchOptions o = BenchOptions.parse(new String[] {"--peer", "jgroups", "--nodes", "3"});
        assertEquals(JGroupsBaseline.NAME, o.peer);
        assertTrue(o.commandLine().endsWith(" --peer jgroups"), o.commandLine());
        assertNull(BenchOptions.parse(new String[] {"--peer", "none"}).peer);
        assertNull(BenchOptions.parse(new String[0]).peer, "off by default");
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--peer", "zeromq"}));
        assertThrows(IllegalArgumentException.class,
            () -> BenchOptions.parse(new String[] {"--peer", "jgroups", "--processes"}));
    }

    /** The bench with the peer: its figures in the JSON beside the engine's, from the same run. */
    @Test
    void benchWithThePeerReportsItInTheJson()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new BenchCommand().run(new String[] {"--peer", "jgroups", "--nodes", "3", "--duration", "1",
            "--warmup", "0", "--no-cache-fill", "--json", "--quiet"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        final String json = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        final int at = json.indexOf("\"peer\":{");
        assertTrue(at > 0, json);
        final String peer = json.substring(at);
        assertTrue(peer.startsWith("\"peer\":{\"name\":\"jgroups\",\"version\":\"5."), peer);
        assertEquals("3", field(peer, "members"));
        assertEquals("1", field(peer, "reliability"), "JGroups delivers every message");
        assertEquals("1", field(peer, "rateReliability"));
        assertEquals("0", field(peer, "outOfOrder"));
        assertTrue(Double.parseDouble(field(peer, "deliveriesPerSecond")) > 0, peer);
        assertTrue(Double.parseDouble(field(peer, "engineToPeerDeliveries")) > 0, peer);
        assertTrue(peer.contains("\"rateCorrected\":{\"samples\":"), peer);
    }

    private static String field(final String json, final String name)
    {
        final Matcher m = Pattern.compile("\"" + name + "\":([^,}]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }
}
