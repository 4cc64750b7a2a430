package dev.hearsay.perf.faults;

import dev.hearsay.TopicId;
import dev.hearsay.transport.SocketFuzzer;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@link SocketFuzzer} against a node in its own process, while it and an honest peer (another process) broadcast
 * to each other: the node must survive, close and count every bad connection (refused by its connection admission,
 * or closed as bad input), release what they held, and the honest peer must get every broadcast made meanwhile, and
 * the node every one of the peer's. The honest traffic's delivery latency (both directions) has a goal of its own:
 * p99 at most {@value #GOAL_P99_MS} ms.
 */
public final class LiveFuzzScenario
{
    /** Goal: the honest traffic's p99 delivery latency during the fuzzing, in milliseconds. */
    public static final double GOAL_P99_MS = 100;

    /**
     * Outcome.
     *
     * @param fuzz     the fuzzer's view.
     * @param delivery broadcasts between the node and its honest peer during the fuzzing.
     * @param alive    the node survived.
     * @param counters the node's counters at the end.
     * @param stats    the node's resources at the end (after the fuzzer's connections are gone).
     */
    public record Result(SocketFuzzer.Result fuzz, DeliveryCheck delivery, boolean alive, Map<String, Long> counters,
        Map<String, Long> stats)
    {
        /** The honest traffic's p99 delivery latency was within {@link #GOAL_P99_MS}. */
        public boolean latencyGoalMet()
        {
            return delivery.latencyMs(99) <= GOAL_P99_MS;
        }

        /** The goal line: honest latency percentiles against the goal, and what the node refused. */
        public String goal()
        {
            return String.format(java.util.Locale.ROOT, "honest traffic during the fuzzing: p50 %.1f ms, p99 %.1f ms, "
                    + "max %.1f ms (%d deliveries); goal p99 <= %.0f ms: %s; refused before a handshake: %d (source "
                    + "rate %d, unauthenticated limit %d, connection limit %d, handshake threads busy %d)",
                delivery.latencyMs(50), delivery.latencyMs(99), delivery.latencyMs(100), delivery.delivered(),
                GOAL_P99_MS, latencyGoalMet() ? "PASS" : "FAIL", counter("refusedTotal"),
                counter("connectionsRefusedSourceRate"), counter("connectionsRefusedUnauthenticated"),
                counter("connectionsRefused"), counter("handshakesRefusedBusy"));
        }

        private long counter(final String name)
        {
            return counters.getOrDefault(name, -1L);
        }

        /** Survived, closed every fuzzed connection, served the honest peer, released the fuzzers' state. */
        public boolean passed()
        {
            return alive && fuzz.passed() && delivery.complete() && delivery.duplicates() == 0
                && stats.getOrDefault("channels", -1L) == 1 && stats.getOrDefault("links", -1L) <= 1
                && counters.getOrDefault("dialled", -1L) == 0;
        }

        @Override
        public String toString()
        {
            return fuzz + "; node alive " + alive + ", refused " + counters.get("refusedTotal")
                + ", bad input counted " + counters.get("badInputTotal")
                + " (handshake " + counters.get("handshakeFailures") + ", oversized " + counters.get("oversizedFrames")
                + ", truncated " + counters.get("truncated") + "), invalid frames dropped by the engine "
                + counters.get("framesInvalid") + ", dialled out " + counters.get("dialled")
                + "; after: channels " + stats.get("channels") + ", links " + stats.get("links") + ", heap "
                + stats.getOrDefault("heapUsed", 0L) / 1_000_000 + " MB, direct "
                + stats.getOrDefault("directUsed", 0L) / 1_000_000 + " MB, threads " + stats.get("threads")
                + ", fds " + stats.get("fds") + "; honest peer during the fuzzing: " + delivery;
        }
    }

    private LiveFuzzScenario()
    {
    }

    /** Fuzzes {@code connections} connections, {@code parallelism} at a time, at a node with default options. */
    public static Result run(final int connections, final int parallelism, final long seed, final String classpath,
        final File logDir, final Consumer<String> log)
    {
        return run(connections, parallelism, seed, classpath, logDir, log, List.of());
    }

    /**
     * Fuzzes {@code connections} connections, {@code parallelism} at a time, at a node started with
     * {@code targetOptions} (more {@code node} options, such as {@code --source-rate 0}).
     */
    public static Result run(final int connections, final int parallelism, final long seed, final String classpath,
        final File logDir, final Consumer<String> log, final List<String> targetOptions)
    {
        final String topic = "livefuzz";
        if (logDir != null)
        {
            logDir.mkdirs();
        }
        final List<String> fast = List.of("--quiet", "--handshake-timeout-ms", "1000", "--linger-ms", "500");
        final List<String> targetArgs = new ArrayList<>(List.of("--topic", topic, "--seed", Long.toString(seed)));
        targetArgs.addAll(fast);
        targetArgs.addAll(targetOptions);
        try (NodeProcess target = NodeProcess.start("target", classpath, null, NodeProcess.SMALL_JVM, targetArgs,
            logDir == null ? null : new File(logDir, "target.log"), null))
        {
            if (!target.awaitReady(Duration.ofSeconds(30)))
            {
                throw new IllegalStateException("fuzz target did not start");
            }
            final List<String> honestArgs = new ArrayList<>(List.of("--topic", topic, "--peer",
                target.peerSpec().toString()));
            honestArgs.addAll(fast);
            try (NodeProcess honest = NodeProcess.start("honest", classpath, null, NodeProcess.SMALL_JVM, honestArgs,
                logDir == null ? null : new File(logDir, "honest.log"), null))
            {
                if (!honest.awaitReady(Duration.ofSeconds(30)) || honest.neighbors().isEmpty())
                {
                    throw new IllegalStateException("honest peer did not join the fuzz target");
                }
                final List<ProcessCluster.Broadcast> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
                final AtomicBoolean fuzzing = new AtomicBoolean(true);
                final Thread traffic = new Thread(() ->
                {
                    int i = 0;
                    while (fuzzing.get())
                    {
                        final NodeProcess author = (i & 1) == 0 ? target : honest;
                        final String text = "live-" + author.name() + "-" + i++;
                        sent.add(new ProcessCluster.Broadcast(text, author, System.nanoTime()));
                        author.broadcast(text);
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
                    }
                }, "live-fuzz-traffic");
                traffic.setDaemon(true);
                traffic.start();
                final SocketFuzzer.Result fuzz;
                try
                {
                    fuzz = new SocketFuzzer(target.address(), target.id(), TopicId.of(topic), seed)
                        .run(connections, parallelism, Duration.ofSeconds(10));
                }
                finally
                {
                    fuzzing.set(false);
                }
                log.accept(fuzz.toString());
                final List<NodeProcess> pair = List.of(target, honest);
                DeliveryCheck delivery = DeliveryCheck.of(sent, pair, 0);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!delivery.complete() && System.nanoTime() - deadline < 0)
                {
                    Poll.pause();
                    delivery = DeliveryCheck.of(sent, pair, 0);
                }
                final boolean alive = target.isAlive();
                final Map<String, Long> counters = target.counters(Duration.ofSeconds(10));
                // The fuzzer's connections are gone; their links go once idle for a few seconds.
                final java.util.concurrent.atomic.AtomicReference<Map<String, Long>> stats =
                    new java.util.concurrent.atomic.AtomicReference<>(Map.of());
                Poll.until(() ->
                {
                    final Map<String, Long> s = target.stats(Duration.ofSeconds(10));
                    stats.set(s);
                    return s.getOrDefault("channels", -1L) == 1 && s.getOrDefault("links", -1L) <= 1;
                }, Duration.ofSeconds(20));
                return new Result(fuzz, delivery, alive, counters, stats.get());
            }
        }
    }
}
