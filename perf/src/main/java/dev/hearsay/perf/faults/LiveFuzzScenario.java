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
 * to each other: the node must survive, close and count every bad connection, release what they held, and the
 * honest peer must get every broadcast made meanwhile, and the node every one of the peer's.
 */
public final class LiveFuzzScenario
{
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
            return fuzz + "; node alive " + alive + ", bad input counted " + counters.get("badInputTotal")
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

    /** Fuzzes {@code connections} connections, {@code parallelism} at a time. */
    public static Result run(final int connections, final int parallelism, final long seed, final String classpath,
        final File logDir, final Consumer<String> log)
    {
        final String topic = "livefuzz";
        if (logDir != null)
        {
            logDir.mkdirs();
        }
        final List<String> fast = List.of("--quiet", "--handshake-timeout-ms", "1000", "--linger-ms", "500");
        final List<String> targetArgs = new ArrayList<>(List.of("--topic", topic, "--seed", Long.toString(seed)));
        targetArgs.addAll(fast);
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
