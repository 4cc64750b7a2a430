package dev.hearsay.sim;

import dev.hearsay.proto.MessageType;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Runs a {@link Scenario} on a fresh {@link Simulator}: bootstrap, warm-up rounds, then the measured rounds, and
 * collects a {@link SimReport}.
 * <p>
 * Bootstrap: node 0 starts the topic alone; node i joins through a node chosen at random among 0..i-1, joins
 * spaced by {@link SimConfig#joinIntervalNanos()}; then the overlay runs for {@link SimConfig#stabiliseNanos()}.
 * A round starts its broadcasts at one instant, runs until every expected delivery happened (or the round timeout),
 * then settles so late duplicates, IHaves and Prunes are counted in it. Warm-up rounds build the PlumTree (the
 * first broadcast floods the active views and prunes the redundant edges); they are reported apart, not hidden.
 */
public final class ScenarioRunner
{
    /** Virtual time between a churn round's departures and joins and its broadcast, so that joins complete. */
    static final long CHURN_JOIN_SETTLE_NANOS = 1_000_000_000L;
    /** Partition: virtual time from the heal to the first measured broadcast. */
    public static final long PARTITION_FIRST_BROADCAST_NANOS = 2_000_000_000L;
    /** Partition: how long after the heal the overlay is watched for becoming one component. */
    static final long HEAL_WATCH_NANOS = 120_000_000_000L;

    private final SimConfig config;
    private final Consumer<String> log;

    /** A runner that logs progress to {@code log} (may be null). */
    public ScenarioRunner(final SimConfig config, final Consumer<String> log)
    {
        this.config = config;
        this.log = log;
    }

    /**
     * Runs {@code scenario} for {@code rounds} measured rounds. {@code failFraction} is the fraction of live nodes
     * crashed at once (mass failure), churned per round (churn; at least one node) or cut off (partition); ignored
     * otherwise.
     */
    public SimReport run(final Scenario scenario, final int rounds, final double failFraction)
    {
        if (rounds < 1)
        {
            throw new IllegalArgumentException("rounds: must be at least 1, got " + rounds);
        }
        if (failFraction < 0 || failFraction >= 1)
        {
            throw new IllegalArgumentException("failFraction: must be in [0, 1), got " + failFraction);
        }
        final long wallStart = System.nanoTime();
        final Simulator sim = new Simulator(config);
        final SimReport report = new SimReport();
        report.scenario = scenario;
        report.nodes = config.nodes();
        report.seed = config.seed();
        report.lossRate = config.lossRate();
        report.failFraction = scenario == Scenario.MASS_FAILURE || scenario == Scenario.CHURN
            || scenario == Scenario.PARTITION ? failFraction : 0;

        bootstrap(sim);
        final long[] overlay = sim.checkOverlay();
        report.bootstrapAsymmetricPairs = overlay[0];
        report.bootstrapComponents = overlay[3];
        report.bootstrapVirtualNanos = sim.now();
        report.bootstrapWallNanos = System.nanoTime() - wallStart;
        log("bootstrap: " + config.nodes() + " nodes, " + sim.now() / 1_000_000 + " ms virtual, "
            + sim.eventsProcessed() + " events, " + report.bootstrapWallNanos / 1_000_000 + " ms wall, asymmetric "
            + overlay[0] + ", components " + overlay[3] + ", isolated " + overlay[2]);

        final int fixedSender = pickLive(sim);
        for (int w = 1; w <= config.warmupRounds(); w++)
        {
            final RoundReport r = round(sim, w, senders(sim, scenario, fixedSender));
            report.warmup.add(r);
            log("warm-up " + w + ": " + describe(r));
        }

        if (scenario == Scenario.MASS_FAILURE)
        {
            report.failedNodes = crashFraction(sim, failFraction, fixedSender);
            final int others = sim.liveCount() - 1;
            report.reachableAfterCrash = others == 0 ? 1.0 : (double)sim.reachableFrom(fixedSender) / others;
            report.floodedPromptlyAfterCrash = others == 0 ? 1.0
                : (double)sim.floodedWithin(fixedSender, config.promptNanos()) / others;
            log("crashed " + report.failedNodes + " nodes at " + sim.now() / 1_000_000 + " ms");
        }
        else if (scenario == Scenario.PARTITION)
        {
            partitionAndHeal(sim, failFraction, report);
        }

        final LatencyHistogram latency = new LatencyHistogram();
        sim.latencyTarget(latency);
        report.maxRoundRmr = Double.NaN;
        for (int i = 1; i <= rounds; i++)
        {
            if (scenario == Scenario.CHURN)
            {
                report.failedNodes += churn(sim, failFraction);
                sim.runUntil(sim.now() + CHURN_JOIN_SETTLE_NANOS);
            }
            final RoundReport r = round(sim, i, senders(sim, scenario, fixedSender));
            report.rounds.add(r);
            accumulate(report, r);
            if (log != null && (rounds <= 50 || i % 10 == 0 || r.missed() > 0))
            {
                log("round " + i + ": " + describe(r));
            }
        }
        sim.latencyTarget(null);

        report.latencyP50Micros = latency.percentile(50);
        report.latencyP99Micros = latency.percentile(99);
        report.latencyMaxMicros = latency.max();
        report.firstReliability = report.rounds.get(0).reliability();
        report.firstPromptReliability = report.rounds.get(0).promptReliability();
        report.firstCompletionNanos = report.rounds.get(0).completionNanos();
        report.roundsToHeal = -1;
        for (int i = 0; i < report.rounds.size(); i++)
        {
            if (report.rounds.get(i).missed() == 0)
            {
                report.roundsToHeal = i;
                break;
            }
        }

        final long[] end = sim.checkOverlay();
        report.asymmetricPairs = end[0];
        report.danglingLinks = end[1];
        report.isolatedNodes = end[2];
        report.components = end[3];
        report.meanActiveView = sim.liveCount() == 0 ? 0 : (double)sim.activeViewTotal() / sim.liveCount();
        report.duplicateDeliveries = sim.duplicateDeliveries();
        report.decodeErrors = sim.decodeErrors();
        report.firstDecodeError = sim.firstDecodeError();
        report.lostMessages = sim.lostMessages();
        report.timerSpins = sim.timerSpins();
        report.peerDownCalls = sim.peerDownCalls();
        report.lateDeliveries = sim.broadcasts().lateDeliveries;
        report.virtualNanos = sim.now();
        report.events = sim.eventsProcessed();
        report.wallNanos = System.nanoTime() - wallStart;
        return report;
    }

    /**
     * Cuts {@code fraction} of the live nodes (chosen at random, at least one, not all) off from the others for
     * {@link SimConfig#partitionNanos()}, heals, watches the overlay until it is one component (checked every 10 ms
     * for the first 2 s, then every 100 ms, for up to {@link #HEAL_WATCH_NANOS}), and runs on until
     * {@link #PARTITION_FIRST_BROADCAST_NANOS} after the heal if that is later.
     */
    private void partitionAndHeal(final Simulator sim, final double fraction, final SimReport report)
    {
        final int[] live = liveNodes(sim);
        final int count = Math.min(live.length - 1, Math.max(1, (int)Math.round(live.length * fraction)));
        shuffle(sim, live);
        sim.partition(Arrays.copyOf(live, count));
        report.partitionedNodes = count;
        report.partitionNanos = config.partitionNanos();
        log("cut " + count + " of " + live.length + " nodes off at " + sim.now() / 1_000_000 + " ms");
        sim.runUntil(sim.now() + config.partitionNanos());
        report.componentsBeforeHeal = sim.checkOverlay()[3];
        sim.heal();
        final long healedAt = sim.now();
        log("healed at " + healedAt / 1_000_000 + " ms; components before the heal " + report.componentsBeforeHeal);
        report.healNanos = -1;
        while (sim.now() - healedAt <= HEAL_WATCH_NANOS)
        {
            if (sim.checkOverlay()[3] == 1)
            {
                report.healNanos = sim.now() - healedAt;
                break;
            }
            sim.runUntil(sim.now() + (sim.now() - healedAt < 2_000_000_000L ? 10_000_000L : 100_000_000L));
        }
        log(report.healNanos < 0 ? "not one component within " + HEAL_WATCH_NANOS / 1_000_000_000 + " s"
            : "one component " + report.healNanos / 1_000_000 + " ms after the heal");
        sim.runUntil(Math.max(sim.now(), healedAt + PARTITION_FIRST_BROADCAST_NANOS));
        report.firstBroadcastAfterHealNanos = sim.now() - healedAt;
    }

    /** Adds {@link SimConfig#nodes()} nodes, joins them in order through random earlier nodes, then stabilises. */
    public static void bootstrap(final Simulator sim)
    {
        final SimConfig config = sim.config();
        final int n = config.nodes();
        final long start = sim.now();
        sim.join(sim.addNode(), -1);
        for (int i = 1; i < n; i++)
        {
            sim.scheduleJoin(i, sim.random().nextInt(i), start + i * config.joinIntervalNanos());
        }
        sim.runUntil(start + (n - 1) * config.joinIntervalNanos() + config.stabiliseNanos());
    }

    /**
     * Runs one round: each node of {@code senders} broadcasts now; runs until all expected deliveries or the
     * round timeout, then settles; closes the round's broadcasts and returns its metrics.
     */
    public static RoundReport round(final Simulator sim, final int index, final int[] senders)
    {
        final SimConfig config = sim.config();
        final Broadcasts broadcasts = sim.broadcasts();
        final long start = sim.now();
        final long control0 = controlSent(sim);
        final long membership0 = membershipSent(sim);
        final int first = broadcasts.count();
        for (final int sender : senders)
        {
            sim.broadcast(sender);
        }
        sim.runUntilDelivered(start + config.roundTimeoutNanos());
        sim.runUntil(sim.now() + config.settleNanos());

        long expected = 0;
        long delivered = 0;
        long prompt = 0;
        long lastDelivery = start;
        long deliveries = 0;
        long payload = 0;
        int ldh = 0;
        for (int b = first; b < broadcasts.count(); b++)
        {
            broadcasts.close(b);
            expected += broadcasts.expected(b);
            delivered += broadcasts.deliveredExpected(b);
            prompt += broadcasts.promptDelivered(b);
            lastDelivery = Math.max(lastDelivery, broadcasts.lastDelivery(b));
            deliveries += broadcasts.deliveries(b);
            payload += broadcasts.payloadMessages(b);
            ldh = Math.max(ldh, broadcasts.maxHops(b));
        }
        return new RoundReport(index, senders.length, expected, delivered, prompt, deliveries, payload,
            controlSent(sim) - control0, membershipSent(sim) - membership0, ldh, lastDelivery - start,
            sim.now() - start);
    }

    /**
     * Crashes {@code fraction} of the live nodes, chosen at random but sparing {@code spared} (negative: none);
     * returns how many.
     */
    public static int crashFraction(final Simulator sim, final double fraction, final int spared)
    {
        final int[] live = liveNodes(sim);
        final int count = (int)Math.round(live.length * fraction);
        shuffle(sim, live);
        int crashed = 0;
        for (int i = 0; i < live.length && crashed < count; i++)
        {
            if (live[i] != spared)
            {
                sim.crash(live[i]);
                crashed++;
            }
        }
        return crashed;
    }

    private static int churn(final Simulator sim, final double fraction)
    {
        final int[] live = liveNodes(sim);
        final int count = Math.min(live.length - 1, Math.max(1, (int)Math.round(live.length * fraction)));
        shuffle(sim, live);
        // Half the departures are silent crashes, half graceful leaves, so both repair paths run every round.
        for (int i = 0; i < count; i++)
        {
            if ((i & 1) == 0)
            {
                sim.crash(live[i]);
            }
            else
            {
                sim.leave(live[i]);
            }
        }
        final int[] contacts = liveNodes(sim);
        for (int i = 0; i < count; i++)
        {
            final int node = sim.addNode();
            sim.join(node, contacts[sim.random().nextInt(contacts.length)]);
        }
        return count;
    }

    private static int[] senders(final Simulator sim, final Scenario scenario, final int fixedSender)
    {
        switch (scenario)
        {
            case SINGLE_SENDER:
            case MASS_FAILURE:
            case PARTITION:
                return new int[]{sim.isLive(fixedSender) ? fixedSender : pickLive(sim)};
            case ALL_SEND:
                return liveNodes(sim);
            default:
                return new int[]{pickLive(sim)};
        }
    }

    private static int pickLive(final Simulator sim)
    {
        final int[] live = liveNodes(sim);
        return live[sim.random().nextInt(live.length)];
    }

    private static int[] liveNodes(final Simulator sim)
    {
        final int[] live = new int[sim.liveCount()];
        int k = 0;
        for (int i = 0; i < sim.nodeCount(); i++)
        {
            if (sim.isLive(i))
            {
                live[k++] = i;
            }
        }
        return live;
    }

    private static void shuffle(final Simulator sim, final int[] values)
    {
        for (int i = values.length - 1; i > 0; i--)
        {
            final int j = sim.random().nextInt(i + 1);
            final int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    private static long controlSent(final Simulator sim)
    {
        return sim.sent(MessageType.IHAVE) + sim.sent(MessageType.GRAFT) + sim.sent(MessageType.PRUNE);
    }

    private static long membershipSent(final Simulator sim)
    {
        long total = 0;
        for (final MessageType type : MessageType.values())
        {
            if (type.code() < MessageType.GOSSIP.code())
            {
                total += sim.sent(type);
            }
        }
        return total;
    }

    private static void accumulate(final SimReport report, final RoundReport r)
    {
        report.broadcasts += r.broadcasts();
        report.expected += r.expected();
        report.delivered += r.delivered();
        report.deliveries += r.deliveries();
        report.payloadMessages += r.payload();
        report.controlMessages += r.control();
        report.membershipMessages += r.membership();
        report.ldh = Math.max(report.ldh, r.ldh());
        final double rmr = r.rmr();
        if (!Double.isNaN(rmr) && (Double.isNaN(report.maxRoundRmr) || rmr > report.maxRoundRmr))
        {
            report.maxRoundRmr = rmr;
        }
    }

    /** One line for logs. */
    public static String describe(final RoundReport r)
    {
        return String.format(Locale.ROOT,
            "broadcasts %d, delivered %d/%d (%.2f%%, %.2f%% prompt), RMR %.3f, LDH %d, payload %d, control %d, "
            + "membership %d, complete at %d ms",
            r.broadcasts(), r.delivered(), r.expected(), 100.0 * r.reliability(), 100.0 * r.promptReliability(),
            r.rmr(), r.ldh(), r.payload(), r.control(), r.membership(), r.completionNanos() / 1_000_000);
    }

    private void log(final String line)
    {
        if (log != null)
        {
            log.accept(line);
        }
    }
}
