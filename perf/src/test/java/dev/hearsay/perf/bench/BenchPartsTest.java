package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class BenchPartsTest
{
    /**
     * The hand-off chain delivers every token it is sent, at the rate asked, and a longer chain takes longer: its
     * figures are the floor the one-hop latency is read against.
     */
    @Test
    void aChainOfThreadHandOffsTimesEveryTokenAndGrowsWithItsLength() throws Exception
    {
        final org.HdrHistogram.Histogram one = LatencyRecorders.histogram();
        final org.HdrHistogram.Histogram five = LatencyRecorders.histogram();
        final long sentShort;
        final long sentLong;
        try (HandoffBaseline shortChain = new HandoffBaseline(1, 2_000);
             HandoffBaseline longChain = new HandoffBaseline(5, 2_000))
        {
            for (int round = 0; round < 3; round++)
            {
                shortChain.run(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200), one);
                longChain.run(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200), five);
            }
            sentShort = shortChain.sent();
            sentLong = longChain.sent();
        }
        // 2,000 a second for 3 x 0.2 s: one token per slot, 400 slots a run; a late pacer catches up, it skips none.
        assertEquals(1_200, one.getTotalCount(), "tokens timed");
        assertEquals(1_200, five.getTotalCount(), "tokens timed");
        assertEquals(sentShort, one.getTotalCount(), "every token sent is timed");
        assertEquals(sentLong, five.getTotalCount(), "every token sent is timed");
        assertTrue(one.getMinValue() > 0);
        assertTrue(five.getValueAtPercentile(50) > one.getValueAtPercentile(50),
            "5 hand-offs p50 " + five.getValueAtPercentile(50) + " ns, 1 hand-off " + one.getValueAtPercentile(50));
        assertThrows(IllegalArgumentException.class, () -> new HandoffBaseline(0, 1_000));
    }

    /** An engine hop's hand-offs depend on where the dispatchers run and how the bench is handed messages. */
    @Test
    void theHandOffChainMatchesTheHopItStandsFor()
    {
        assertEquals(5, HandoffBaseline.engineHop(false, false));
        assertEquals(4, HandoffBaseline.engineHop(false, true));
        assertEquals(3, HandoffBaseline.engineHop(true, false));
        assertEquals(2, HandoffBaseline.engineHop(true, true));
        assertEquals("publisher, event loop; event loop, receiver", HandoffBaseline.engineHopPath(true, false));
    }

    /**
     * Netty's paced ping-pong sends one ping per slot at the rate asked and times every echo from its slot; the
     * closed loop sends as fast as the echoes come back.
     */
    @Test
    void pacedPingPongSendsOnePingPerSlotAndTimesEachFromItsSlot()
    {
        try (NettyBaseline netty = new NettyBaseline(dev.hearsay.transport.IoMode.AUTO, 64))
        {
            final Histogram paced = LatencyRecorders.histogram();
            final Histogram closed = LatencyRecorders.histogram();
            final long nanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
            netty.pingPong(nanos, 2_000, paced);
            netty.pingPong(nanos, closed);
            // 2,000 a second for 0.3 s: slots 0..599, each sent once (a late timer sends the missed slots at once).
            assertTrue(paced.getTotalCount() >= 590 && paced.getTotalCount() <= 600, "pings: " + paced.getTotalCount());
            assertTrue(paced.getMinValue() > 0);
            assertTrue(closed.getTotalCount() > paced.getTotalCount(), "closed loop: " + closed.getTotalCount());
        }
    }

    /** Warm-up traffic counts as warm-up (the warm-up's drains expect it), except its echoes. */
    @Test
    void warmUpTrafficCountsAsWarmUpButItsEchoesAsEchoes()
    {
        assertEquals(Tag.RATE, Tag.counted(Tag.RATE));
        assertEquals(Tag.WARMUP, Tag.counted(Tag.RATE | Tag.WARM));
        assertEquals(Tag.WARMUP, Tag.counted(Tag.MAX | Tag.WARM));
        assertEquals(Tag.ECHO, Tag.counted(Tag.ECHO | Tag.WARM), "a warm-up echo is no warm-up broadcast");
    }

    /** The VM's safepoint counters are readable (the export is in the build's JVM flags) and count a collection. */
    @Test
    void safepointCountersCountACollection()
    {
        final long before = ThreadMeter.safepointCount();
        assertTrue(before >= 0, "safepoint counters not readable");
        assertTrue(ThreadMeter.safepointMillis() >= 0);
        System.gc();
        assertTrue(ThreadMeter.safepointCount() > before, "a full collection is a safepoint");
    }

    /** The JIT's compile time is readable on HotSpot and grows when a method gets compiled. */
    @Test
    void compileTimeIsReadableAndGrows()
    {
        final long before = ThreadMeter.compileMillis();
        assertTrue(before >= 0, "compile time not reported");
        long sum = 0;
        long now = before;
        // Fresh code compiled at last: a loop hot enough for C1 and C2, until the counter moves (milliseconds).
        for (int round = 0; round < 10_000 && now == before; round++)
        {
            for (int i = 0; i < 100_000; i++)
            {
                sum += Long.rotateLeft(sum ^ i, round & 31);
            }
            now = ThreadMeter.compileMillis();
        }
        assertTrue(now > before, "no compile time counted (sum " + sum + ")");
    }

    @Test
    void payloadFieldsRoundTrip()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        Payload.write(buffer, 123456789L, 987654321L, 42, 3, Tag.RATE, 4);
        final UnsafeBuffer view = new UnsafeBuffer(new byte[80]);
        view.putBytes(16, buffer, 0, 64);
        assertEquals(123456789L, Payload.intended(view, 16));
        assertEquals(987654321L, Payload.sent(view, 16));
        assertEquals(3, Payload.publisher(view, 16));
        assertEquals(Tag.RATE, Payload.tag(view, 16));
        assertEquals(4, Payload.echo(view, 16));
        Payload.write(buffer, 1, 1, 1, 0, Tag.MAX, -1);
        assertEquals(-1, Payload.echo(buffer, 0));
    }

    @Test
    void overlayConnectivityAndSymmetry()
    {
        final List<Set<Integer>> chain = List.of(Set.of(1), Set.of(0, 2), Set.of(1));
        assertTrue(Overlay.connected(chain));
        assertTrue(Overlay.symmetric(chain));
        final List<Set<Integer>> oneWay = List.of(Set.of(1), Set.of(2), Set.of(0));
        assertTrue(Overlay.connected(oneWay), "links count in either direction");
        assertFalse(Overlay.symmetric(oneWay));
        assertFalse(Overlay.connected(List.of(Set.of(1), Set.of(0), Set.of(3), Set.of(2))), "two components");
        assertFalse(Overlay.connected(List.of(Set.of(1), Set.of(0), Set.of())), "an isolated node");
        assertEquals("0 2 7", Overlay.describe(Set.of(7, 0, 2)));
    }

    @Test
    void latenciesTravelAsOneLine()
    {
        final LatencyRecorders recorders = new LatencyRecorders();
        LatencyRecorders.record(recorders.rttCorrected, 50_000);
        LatencyRecorders.record(recorders.rttCorrected, 70_000);
        LatencyRecorders.record(recorders.maxRate, -5);
        LatencyRecorders.record(recorders.pacingLag, Long.MAX_VALUE);
        final Latencies taken = new Latencies();
        taken.takeFrom(recorders);
        final String line = taken.encode();
        assertFalse(line.contains("\n"));

        final Latencies parent = new Latencies();
        parent.addEncoded(line);
        parent.addEncoded(line);
        assertEquals(4, parent.rttCorrected.getTotalCount());
        assertEquals(70_000, parent.rttCorrected.getMaxValue(), 70_000 * 0.001);
        assertEquals(0, parent.maxRate.getMaxValue(), "negative clamps to 0");
        assertEquals(LatencyRecorders.HIGHEST, parent.pacingLag.getMaxValue(), LatencyRecorders.HIGHEST * 0.001);
        assertEquals(0, parent.rateCorrected.getTotalCount());
        assertThrows(IllegalArgumentException.class, () -> parent.addEncoded("AAAA"));
    }

    @Test
    void optionsParseAndReproduceTheCommandLine()
    {
        final BenchOptions o = BenchOptions.parse(new String[] {"--nodes", "2", "--size", "128", "--rate", "5_000",
            "--publishers", "2", "--duration", "1.5", "--warmup", "0", "--idle", "busy", "--transport", "nio",
            "--processes", "--preallocate", "--json"});
        assertEquals(2, o.nodes);
        assertEquals(128, o.size);
        assertEquals(5000, o.rate);
        assertEquals(IdleMode.BUSY, o.idle);
        assertTrue(o.processes && o.json && o.preallocate);
        assertEquals("java -jar perf/target/hearsay-perf.jar bench --nodes 2 --size 128 --rate 5000 --publishers 2 "
            + "--duration 1.5 --warmup 0 --idle busy --transport nio --processes --preallocate", o.commandLine());
        assertEquals(0, BenchRun.warmupRounds(o), "no warm-up");
        final BenchOptions defaults = BenchOptions.parse(new String[0]);
        assertEquals(1, BenchRun.rounds(defaults) - 1, "8 s default: 2 rounds");
        assertEquals(3, BenchRun.warmupRounds(defaults), "10 s default warm-up: 3 rounds");
        assertFalse(defaults.preallocate, "the engine's default");
        final BenchOptions onLoop = BenchOptions.parse(new String[] {"--dispatcher", "event-loop"});
        assertTrue(onLoop.transportOptions().dispatcherOnEventLoop());
        assertTrue(onLoop.commandLine().contains(" --dispatcher event-loop"), onLoop.commandLine());
        assertFalse(defaults.transportOptions().dispatcherOnEventLoop());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--dispatcher", "loop"}));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--size", "31"}));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--duration", "0"}));
    }

    @Test
    void goalsAreJudgedOnlyWhereTheRunMatchesTheirSetup()
    {
        final BenchResult r = result(5);
        r.maxWindowNanos = 1_000_000_000L;
        r.maxDeliveriesInWindows = 1_200_000;
        r.maxExpected = 5_000_000;
        r.maxDelivered = 5_000_000;
        r.nettyOneWayNanos = 1_000_000_000L;
        r.nettyFrames = 6_000_000;
        List<Goals.Goal> goals = Goals.judge(r);
        assertEquals(Goals.Verdict.MET, goals.get(0).verdict(), goals.get(0).measured());
        assertTrue(goals.get(0).measured().contains("0.200 x Netty one-way"), goals.get(0).measured());
        assertEquals(Goals.Verdict.MET, goals.get(1).verdict());
        assertEquals(Goals.Verdict.NOT_EVALUATED, goals.get(2).verdict(), "latency needs 2 nodes");
        assertEquals(Goals.Verdict.MET, goals.get(3).verdict(), "no allocation");

        r.maxDelivered--;
        r.maxAllocated[0] = 1_200_000 * 16L;
        goals = Goals.judge(r);
        assertEquals(Goals.Verdict.NOT_MET, goals.get(1).verdict());
        assertTrue(goals.get(1).measured().contains("1 lost"), goals.get(1).measured());
        assertEquals(Goals.Verdict.NOT_MET, goals.get(3).verdict());

        final BenchResult two = result(2);
        for (int i = 0; i < 1000; i++)
        {
            two.latencies.rateOneHop.recordValue(i < 990 ? 30_000 : 100_000);
            two.nettyRtt.recordValue(i < 990 ? 50_000 : 60_000);
        }
        goals = Goals.judge(two);
        assertEquals(Goals.Verdict.NOT_EVALUATED, goals.get(0).verdict());
        // The yardstick is Netty's round trip paced at the same rate; a closed loop alone does not judge.
        assertEquals(Goals.Verdict.NOT_EVALUATED, goals.get(2).verdict(), goals.get(2).measured());
        for (int i = 0; i < 1000; i++)
        {
            two.nettyRttPaced.recordValue(i < 990 ? 100_000 : 400_000);
        }
        // p99 30 us vs paced RTT/2 50 us (x0.60 <= 2); p99.9 100 us vs 200 us (x0.50 <= 4).
        String measured = Goals.judge(two).get(2).measured();
        assertEquals(Goals.Verdict.MET, Goals.judge(two).get(2).verdict(), measured);
        assertTrue(measured.startsWith("p99 30.0 us = 0.60 x (limit 2), p99.9 100.0 us = 0.50 x (limit 4) of paced "
            + "RTT/2 50.0 / 200.1 us"), measured);
        // The closed loop is shown beside it: p99 30 us vs 25 us, p99.9 100 us vs 30 us.
        assertTrue(measured.contains("against Netty's closed-loop RTT/2 (25.0 / 30.0 us): p99 1.20 x, p99.9 3.33 x"),
            measured);
        two.latencies.rateOneHop.recordValue(1_000_000);
        two.latencies.rateOneHop.recordValue(1_000_000);
        assertEquals(Goals.Verdict.NOT_MET, Goals.judge(two).get(2).verdict(), "p99.9 1 ms = 5 x");

        // The bare hand-offs are held to the same limits: p99 40 us = 0.80 x paced RTT/2 p99 (50 us), p99.9 1 ms =
        // 5.00 x paced RTT/2 p99.9 (200 us).
        two.handoffs = 2;
        for (int i = 0; i < 1000; i++)
        {
            two.handoff.recordValue(i < 990 ? 40_000 : 1_000_000);
        }
        measured = Goals.judge(two).get(2).measured();
        assertTrue(measured.contains("2 bare thread hand-offs in the same run (no engine, no sockets): p99 40.0 us = "
            + "0.80 x, p99.9 1000.4 us = 5.00 x of paced RTT/2 (outside the limits alone)"), measured);
        two.handoff.reset();
        two.handoff.recordValue(40_000);
        measured = Goals.judge(two).get(2).measured();
        assertTrue(measured.contains("(within the limits alone)"), measured);
        assertFalse(measured.contains("own lateness"), "no pacing recorded, no ratio to it");

        // The publisher's lateness at its slots, against the same yardstick: p99 50 us = 1.00 x, p99.9 300 us =
        // 1.50 x.
        for (int i = 0; i < 1000; i++)
        {
            two.latencies.pacingLag.recordValue(i < 990 ? 50_000 : 300_000);
        }
        measured = Goals.judge(two).get(2).measured();
        assertTrue(measured.contains("the publisher's own lateness at its slots, before it calls the engine: p99 50.0 us "
            + "= 1.00 x, p99.9 300.0 us = 1.50 x of paced RTT/2"), measured);
    }

    @Test
    void histogramJsonIsInMicroseconds()
    {
        final Histogram h = LatencyRecorders.histogram();
        h.recordValue(12_000);
        final String json = BenchReport.histogramJson(h);
        assertTrue(json.startsWith("{\"samples\":1,\"p50\":12"), json);
        assertTrue(json.contains("\"p99_9\":12"), json);
        assertEquals("12.0", BenchReport.us(12_000));
        assertEquals("1,500", BenchReport.us(1_500_000));
    }

    @Test
    void theDefaultOutputFitsOneScreenAndVerboseHasTheRest()
    {
        final BenchResult r = result(5);
        r.jvm = "JVM";
        r.cpus = 2;
        r.overlayConnected = true;
        r.maxWindowNanos = 1_000_000_000L;
        r.maxDeliveriesInWindows = 2_000_000;
        r.maxExpected = 8_000_000;
        r.maxDelivered = 8_000_000;
        r.nettyOneWayNanos = 1_000_000_000L;
        r.nettyFrames = 20_000_000;
        r.disruptorNanos = 1_000_000_000L;
        r.disruptorEvents = 4_000_000;
        for (int i = 0; i < 1000; i++)
        {
            r.latencies.rateCorrected.recordValue(100_000 + i * 100L);
            r.latencies.rateOneHop.recordValue(90_000 + i * 100L);
            r.nettyRttPaced.recordValue(20_000 + i * 10L);
        }
        final List<Goals.Goal> goals = Goals.judge(r);
        final String summary = BenchSummary.text(r, goals);
        assertTrue(summary.lines().count() <= 30, summary.lines().count() + " lines:\n" + summary);
        for (final String line : summary.lines().toList())
        {
            // The command line is there to be copied whole.
            assertTrue(line.length() <= 120 || line.strip().startsWith("java -jar"), "wider than a screen: " + line);
        }
        assertTrue(summary.contains("2,000,000 msg/s delivered to 4 receivers"), summary);
        assertTrue(summary.contains("reliability 1.000000 (0 lost)"), summary);
        assertTrue(summary.contains("Disruptor 4.00 M events/s x0.50"), summary);
        assertTrue(summary.contains("Netty one-way 20.00 M frames/s x0.100"), summary);
        assertTrue(summary.contains("engine, every receiver"), summary);
        assertTrue(summary.contains("Netty RTT/2 at this rate"), summary);
        for (final Goals.Goal g : goals)
        {
            assertTrue(summary.contains("[" + g.verdict().label + "]") && summary.contains(g.text()), g.text());
        }
        for (final String name : NodeCounters.NAMES)
        {
            r.counters.put(name, 0L);
            r.runCounters.put(name, 0L);
        }
        final String full = BenchReport.text(r, goals);
        assertTrue(full.contains("Protocol and transport during the measurement"), full);
        assertTrue(full.lines().count() > summary.lines().count());
        assertTrue(BenchOptions.parse(new String[] {"--verbose"}).verbose);
        assertFalse(BenchOptions.parse(new String[0]).verbose);
    }

    private static BenchResult result(final int nodes)
    {
        final BenchResult r = new BenchResult();
        r.options = BenchOptions.parse(new String[] {"--nodes", String.valueOf(nodes)});
        return r;
    }
}
