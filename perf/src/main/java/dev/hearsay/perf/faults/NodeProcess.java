package dev.hearsay.perf.faults;

import dev.hearsay.tools.PeerSpec;
import dev.hearsay.NodeId;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A gossip node in a child JVM ({@code hearsay-perf node}), driven through its stdin and watched through its
 * stdout: what it delivered and when, its neighbors, its replies. {@link #kill()} is a SIGKILL: no leave, no
 * flush, sockets reset by the kernel. Close it in a {@code finally}; the child also quits when its stdin ends, so
 * it cannot outlive this JVM by much.
 */
public final class NodeProcess implements AutoCloseable
{
    /** JVM options that keep many small nodes cheap: small heap, serial GC, quick start-up. */
    public static final List<String> SMALL_JVM = List.of("-Xmx64m", "-Xss512k", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto");

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final Thread reader;
    private final long startedNanos = System.nanoTime();
    private final Map<String, Long> firstDelivery = new ConcurrentHashMap<>();
    private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    private final Set<NodeId> neighbors = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> sent = new ConcurrentHashMap<>();
    private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final AtomicLong lastNeighborChangeNanos = new AtomicLong();
    private final Consumer<String> tap;
    private volatile NodeId id;
    private volatile InetSocketAddress address;
    private volatile long readyNanos;
    private volatile long endedNanos;
    private volatile boolean killed;
    private volatile long stoppingNanos;

    private NodeProcess(final String name, final Process process, final Consumer<String> tap)
    {
        this.name = name;
        this.process = process;
        this.tap = tap;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(this::read, "node-reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code hearsay-perf node} in a new JVM.
     *
     * @param name      a label for logs and thread names.
     * @param classpath the classpath holding the perf classes and their dependencies (the fat jar, or a test's).
     * @param netns     a network namespace to run in ({@code ip netns exec}), or null.
     * @param jvmFlags  extra JVM options (for example {@link #SMALL_JVM}).
     * @param nodeArgs  arguments of the node command.
     * @param stderr    file the child's stderr goes to (appended), or null to discard it.
     * @param tap       sees every stdout line of the child, or null.
     */
    public static NodeProcess start(final String name, final String classpath, final String netns,
        final List<String> jvmFlags, final List<String> nodeArgs, final File stderr, final Consumer<String> tap)
    {
        final List<String> cmd = new ArrayList<>();
        if (netns != null)
        {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.add(javaExecutable());
        cmd.add("--add-exports");
        cmd.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add("dev.hearsay.perf.Main");
        cmd.add("node");
        cmd.addAll(nodeArgs);
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(stderr == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(stderr));
        try
        {
            return new NodeProcess(name, pb.start(), tap);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot start node " + name + ": " + cmd, e);
        }
    }

    /** The java launcher of this JVM. */
    public static String javaExecutable()
    {
        return new File(System.getProperty("java.home"), "bin/java").getPath();
    }

    /** The classpath of this JVM (a test's classpath, or the fat jar under {@code java -jar}). */
    public static String currentClasspath()
    {
        return System.getProperty("java.class.path");
    }

    private void read()
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (tap != null)
                {
                    tap.accept(line);
                }
                handle(line);
            }
        }
        catch (final IOException e)
        {
            // The child died: its stdout ended.
        }
        finally
        {
            endedNanos = System.nanoTime();
        }
    }

    private void handle(final String line)
    {
        final long now = System.nanoTime();
        if (line.startsWith("recv "))
        {
            // recv AUTHOR HOPS TEXT
            final int a = line.indexOf(' ', 5);
            final int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (b > 0)
            {
                final String text = line.substring(b + 1);
                firstDelivery.putIfAbsent(text, now);
                deliveries.merge(text, 1, Integer::sum);
            }
        }
        else if (line.startsWith("up "))
        {
            neighbors.add(NodeId.parse(line.substring(3).trim()));
            lastNeighborChangeNanos.set(now);
        }
        else if (line.startsWith("down "))
        {
            neighbors.remove(NodeId.parse(line.substring(5).trim()));
            lastNeighborChangeNanos.set(now);
        }
        else if (line.startsWith("sent "))
        {
            sent.put(line.substring(5), now);
        }
        else if (line.startsWith("error"))
        {
            errors.add(line);
        }
        else if (line.startsWith("ready "))
        {
            final String[] parts = line.split(" ");
            id = NodeId.parse(parts[1]);
            address = PeerSpec.address(parts[2]);
            readyNanos = now;
        }
        else
        {
            replies.add(line);
        }
    }

    /** Waits until the node printed {@code ready}; false on timeout or if it died first. */
    public boolean awaitReady(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (readyNanos == 0)
        {
            if (!process.isAlive() && readyNanos == 0 || System.nanoTime() - deadline > 0)
            {
                return readyNanos != 0;
            }
            Poll.pause();
        }
        return true;
    }

    /** Sends one command line; false if the child is gone. */
    public synchronized boolean send(final String command)
    {
        try
        {
            stdin.write(command);
            stdin.write('\n');
            stdin.flush();
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /** Asks the node to broadcast {@code text} (no spaces needed, no newline allowed). */
    public boolean broadcast(final String text)
    {
        return send("broadcast " + text);
    }

    /** Sends {@code command} and waits for the reply line starting with {@code prefix}; null on timeout. */
    public String request(final String command, final String prefix, final Duration timeout)
    {
        replies.removeIf(l -> l.startsWith(prefix));
        if (!send(command))
        {
            return null;
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        try
        {
            while (true)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    return null;
                }
                final String line = replies.poll(left, TimeUnit.NANOSECONDS);
                if (line != null && line.startsWith(prefix))
                {
                    return line;
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@code stats} parsed into name-value pairs; empty on timeout. */
    public Map<String, Long> stats(final Duration timeout)
    {
        return parsePairs(request("stats", "stats ", timeout));
    }

    /** {@code counters} parsed into name-value pairs; empty on timeout. */
    public Map<String, Long> counters(final Duration timeout)
    {
        return parsePairs(request("counters", "counters ", timeout));
    }

    static Map<String, Long> parsePairs(final String line)
    {
        final Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (line != null)
        {
            for (final String part : line.split(" "))
            {
                final int eq = part.indexOf('=');
                if (eq > 0)
                {
                    out.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
                }
            }
        }
        return out;
    }

    /** SIGKILL: the process dies at once, without leaving its topics. Waits until it is gone. */
    public void kill()
    {
        markStopping();
        killed = true;
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** Polite quit (leave the topic, close), then SIGKILL if it has not exited within {@code timeout}. */
    public void quit(final Duration timeout)
    {
        markStopping();
        send("quit");
        if (!waitFor(timeout))
        {
            kill();
        }
    }

    /** Asks the node to quit politely without waiting; it counts as down from now. */
    public void requestQuit()
    {
        markStopping();
        send("quit");
    }

    private boolean waitFor(final Duration timeout)
    {
        try
        {
            final boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (done)
            {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            }
            return done;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void markStopping()
    {
        if (stoppingNanos == 0)
        {
            stoppingNanos = System.nanoTime();
        }
    }

    /**
     * {@link System#nanoTime()} from which this node no longer counts as up: when it was told to stop, or when its
     * output ended if it died on its own; 0 while it is up.
     */
    public long downSinceNanos()
    {
        final long stopping = stoppingNanos;
        return stopping != 0 ? stopping : endedNanos;
    }

    /** Kills the child if it is still running. */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }

    public String name()
    {
        return name;
    }

    /** The node id (null before ready). */
    public NodeId id()
    {
        return id;
    }

    /** The listening address (null before ready). */
    public InetSocketAddress address()
    {
        return address;
    }

    /** {@code ID@HOST:PORT} of this node, for other nodes' {@code --peer} (null before ready). */
    public PeerSpec peerSpec()
    {
        return id == null ? null : new PeerSpec(id, address);
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** True once {@link #kill()} was called. */
    public boolean wasKilled()
    {
        return killed;
    }

    /** {@link System#nanoTime()} when ready was read; 0 before. */
    public long readyNanos()
    {
        return readyNanos;
    }

    /** {@link System#nanoTime()} when the child's stdout ended; 0 while it runs. */
    public long endedNanos()
    {
        return endedNanos;
    }

    public long startedNanos()
    {
        return startedNanos;
    }

    /** Whether {@code text} was delivered here. */
    public boolean delivered(final String text)
    {
        return deliveries.containsKey(text);
    }

    /** Times {@code text} was delivered here (more than 1 is a duplicate delivery). */
    public int deliveryCount(final String text)
    {
        return deliveries.getOrDefault(text, 0);
    }

    /** When {@code text} was first delivered here, or null. */
    public Long deliveredAt(final String text)
    {
        return firstDelivery.get(text);
    }

    /** All texts delivered here with their counts (live view). */
    public Map<String, Integer> deliveries()
    {
        return deliveries;
    }

    /** When the node confirmed the broadcast of {@code text}, or null. */
    public Long sentAt(final String text)
    {
        return sent.get(text);
    }

    /** The active view as reported by up and down lines (live view). */
    public Set<NodeId> neighbors()
    {
        return neighbors;
    }

    /** When the active view last changed. */
    public long lastNeighborChangeNanos()
    {
        return lastNeighborChangeNanos.get();
    }

    /** Error lines printed by the child. */
    public List<String> errors()
    {
        return errors;
    }

    @Override
    public String toString()
    {
        return name + "(" + (id == null ? "?" : id.shortString()) + ", pid " + process.pid() + ")";
    }
}
