package dev.hearsay.perf.faults;

import dev.hearsay.tools.PeerSpec;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A set of {@link NodeProcess}es on one topic, the broadcasts made through them, and the check that counts who
 * delivered what. Every process it started is killed by {@link #close()}.
 */
public final class ProcessCluster implements AutoCloseable
{
    private final String classpath;
    private final String topic;
    private final File logDir;
    private final IntFunction<String> netnsOf;
    private final IntFunction<String> bindOf;
    private final List<String> jvmFlags;
    private List<String> nodeArgs = List.of();
    private final Consumer<String> log;
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<Broadcast> broadcasts = new CopyOnWriteArrayList<>();
    private final AtomicLong nextMessage = new AtomicLong();
    private final Random random;

    /**
     * @param classpath classpath of the child JVMs.
     * @param topic     topic name every node subscribes to.
     * @param logDir    where each child's stderr goes ({@code node-N.log}), or null to discard.
     * @param netnsOf   network namespace of node index i, or null for none.
     * @param bindOf    bind address ({@code HOST:PORT}) of node index i.
     * @param seed      seed of the cluster's random choices (bootstrap peers, victims).
     * @param log       progress lines, or null.
     */
    public ProcessCluster(final String classpath, final String topic, final File logDir,
        final IntFunction<String> netnsOf, final IntFunction<String> bindOf, final long seed,
        final Consumer<String> log)
    {
        this.classpath = classpath;
        this.topic = topic;
        this.logDir = logDir;
        this.netnsOf = netnsOf;
        this.bindOf = bindOf;
        this.jvmFlags = NodeProcess.SMALL_JVM;
        this.random = new Random(seed);
        this.log = log != null ? log : s -> { };
        if (logDir != null)
        {
            logDir.mkdirs();
        }
    }

    /** A cluster on loopback, no namespaces. */
    public static ProcessCluster loopback(final String classpath, final String topic, final File logDir,
        final long seed, final Consumer<String> log)
    {
        return new ProcessCluster(classpath, topic, logDir, i -> null, i -> "127.0.0.1:0", seed, log);
    }

    /** Gives every node started from now on these extra arguments of the {@code node} command; returns this. */
    public ProcessCluster withNodeArgs(final List<String> args)
    {
        nodeArgs = List.copyOf(args);
        return this;
    }

    /** The cluster's random source (victim choice and the like), seeded. */
    public Random random()
    {
        return random;
    }

    /** Starts node number {@code index} joining through {@code bootstrap} (not waiting for it). */
    public NodeProcess start(final int index, final Collection<PeerSpec> bootstrap)
    {
        final List<String> args = new ArrayList<>(List.of("--bind", bindOf.apply(index), "--seed",
            Long.toString(1_000_003L * (index + 1) + random.nextInt(1 << 20)), "--topic", topic));
        args.addAll(nodeArgs);
        for (final PeerSpec p : bootstrap)
        {
            args.add("--peer");
            args.add(p.toString());
        }
        final File stderr = logDir == null ? null : new File(logDir, "node-" + index + ".log");
        final NodeProcess node = NodeProcess.start("n" + index, classpath, netnsOf.apply(index), jvmFlags, args,
            stderr, null);
        nodes.add(node);
        return node;
    }

    /**
     * Starts {@code count} nodes in waves (one, then up to four, then the rest), each joining through up to two
     * random nodes that were ready before it, and waits until all are ready.
     *
     * @throws IllegalStateException if a node is not ready within {@code timeout}.
     */
    public List<NodeProcess> startAll(final int count, final Duration timeout)
    {
        final List<NodeProcess> started = new ArrayList<>();
        int index = nodes.size();
        final int end = index + count;
        int wave = 1;
        while (index < end)
        {
            final List<NodeProcess> ready = readyLive();
            final List<NodeProcess> batch = new ArrayList<>();
            for (int i = 0; i < wave && index < end; i++, index++)
            {
                batch.add(start(index, pickBootstrap(ready, 2)));
            }
            for (final NodeProcess n : batch)
            {
                if (!n.awaitReady(timeout))
                {
                    throw new IllegalStateException(n + " not ready within " + timeout + " (alive " + n.isAlive()
                        + ")");
                }
            }
            started.addAll(batch);
            wave = wave == 1 ? 4 : end - index;
        }
        log.accept("started " + count + " nodes");
        return started;
    }

    /** Up to {@code count} distinct random peers among {@code candidates}. */
    public List<PeerSpec> pickBootstrap(final List<NodeProcess> candidates, final int count)
    {
        final List<NodeProcess> pool = new ArrayList<>(candidates);
        java.util.Collections.shuffle(pool, random);
        final List<PeerSpec> out = new ArrayList<>();
        for (int i = 0; i < pool.size() && out.size() < count; i++)
        {
            out.add(pool.get(i).peerSpec());
        }
        return out;
    }

    /** Every node ever started. */
    public List<NodeProcess> all()
    {
        return nodes;
    }

    /** Nodes that are ready and neither stopped nor dead. */
    public List<NodeProcess> readyLive()
    {
        final List<NodeProcess> out = new ArrayList<>();
        for (final NodeProcess n : nodes)
        {
            if (n.readyNanos() != 0 && n.downSinceNanos() == 0 && n.isAlive())
            {
                out.add(n);
            }
        }
        return out;
    }

    /** Makes {@code author} broadcast a new unique message tagged {@code tag}; returns its record. */
    public Broadcast broadcast(final NodeProcess author, final String tag)
    {
        final String text = tag + "-" + author.name() + "-" + nextMessage.incrementAndGet();
        final Broadcast b = new Broadcast(text, author, System.nanoTime());
        broadcasts.add(b);
        author.broadcast(text);
        return b;
    }

    /** Every broadcast made through this cluster. */
    public List<Broadcast> broadcasts()
    {
        return broadcasts;
    }

    /**
     * Waits until every receiver that {@link DeliveryCheck} expects for {@code messages} has delivered them (or the
     * timeout passes), then returns the check.
     *
     * @param settle how long after its broadcast a message may take to reach everyone: a node counts as a
     *               receiver only if it was up from before the broadcast until this long after it.
     */
    public DeliveryCheck await(final Collection<Broadcast> messages, final Duration settle, final Duration timeout)
    {
        return await(messages, nodes, settle, timeout);
    }

    /** As {@link #await(Collection, Duration, Duration)}, counting only the deliveries at {@code receivers}. */
    public DeliveryCheck await(final Collection<Broadcast> messages, final Collection<NodeProcess> receivers,
        final Duration settle, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        DeliveryCheck check = DeliveryCheck.of(messages, receivers, settle.toNanos());
        while (!check.complete() && System.nanoTime() - deadline < 0)
        {
            Poll.pause();
            check = DeliveryCheck.of(messages, receivers, settle.toNanos());
        }
        return check;
    }

    /** Kills every process still running. */
    @Override
    public void close()
    {
        for (final NodeProcess n : nodes)
        {
            // SIGKILL to all first, then reap: faster than one by one.
            if (n.isAlive())
            {
                try
                {
                    ProcessHandle.of(n.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
                catch (final RuntimeException e)
                {
                    // Already gone.
                }
            }
        }
        for (final NodeProcess n : nodes)
        {
            n.close();
        }
    }

    /**
     * One broadcast.
     *
     * @param text        its unique payload.
     * @param author      the node asked to broadcast it.
     * @param issuedNanos when the command was sent.
     */
    public record Broadcast(String text, NodeProcess author, long issuedNanos)
    {
    }
}
