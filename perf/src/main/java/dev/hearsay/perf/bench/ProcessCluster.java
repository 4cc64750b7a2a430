package dev.hearsay.perf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every node in a JVM of its own ({@link BenchChild}), on loopback, driven over the children's stdin and stdout.
 * Commands go to all children first and the replies are read after, so the children act within a millisecond or
 * so of each other. There is no common clock: each child times its own windows, and latency is a round trip (a
 * fixed-rate message names another node, which broadcasts it back; the publisher's process times it).
 */
final class ProcessCluster implements EngineCluster
{
    private static final long REPLY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final BenchOptions options;
    private final List<Child> children = new ArrayList<>();
    private int activePublishers;
    private boolean connected;

    ProcessCluster(final BenchOptions options)
    {
        this.options = options;
        try
        {
            for (int i = 0; i < options.nodes; i++)
            {
                children.add(new Child(i, spawn(i)));
            }
            final String[] ids = new String[options.nodes];
            final String[] ports = new String[options.nodes];
            for (final Child child : children)
            {
                final String[] ready = child.expect("ready").split(" ");
                ids[child.index] = ready[1];
                ports[child.index] = ready[2];
            }
            for (final Child child : children)
            {
                for (int j = 0; j < options.nodes; j++)
                {
                    child.send("peer " + j + " " + ids[j] + " " + ports[j]);
                }
            }
            for (final Child child : children)
            {
                for (int j = 0; j < options.nodes; j++)
                {
                    child.expect("ok");
                }
            }
            for (final Child child : children)
            {
                // The same overlay as in one JVM: see LocalCluster.bootstrap.
                final List<String> bootstrap = LocalCluster.bootstrap(List.of(ids), child.index, options.nodes);
                child.send("join " + (bootstrap.isEmpty() ? "-" : String.join(",", bootstrap)));
                child.expect("ok");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private Process spawn(final int index)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-Xmx1g");
        // A node that allocates nothing in steady state leaves a collector nothing to do, and G1's concurrent threads
        // and heavier write barriers cost each of the children (5 JVMs on 2 vCPUs): with G1, 5 nodes delivered
        // 0.64-0.66 M/s here, with the serial collector 0.93-1.31 M/s (2 interleaved pairs).
        command.add("-XX:+UseSerialGC");
        // The children run with the controller's leak detection level (see NettyLeakDetection).
        command.add("-D" + NettyLeakDetection.PROPERTY + "=" + NettyLeakDetection.level());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchChild.class.getName());
        command.add(String.valueOf(index));
        command.add("--nodes");
        command.add(String.valueOf(options.nodes));
        command.add("--size");
        command.add(String.valueOf(options.size));
        command.add("--idle");
        command.add(options.idle.cliName());
        command.add("--receiver-idle");
        command.add(options.receiverIdle().cliName());
        command.add("--subscription-capacity");
        command.add(String.valueOf(options.subscriptionCapacity));
        command.add("--outbound-queue");
        command.add(String.valueOf(options.outboundQueueBytes));
        if (options.preallocate)
        {
            command.add("--preallocate");
        }
        if (options.dispatcherOnEventLoop)
        {
            command.add("--dispatcher");
            command.add("event-loop");
        }
        if (options.ioMode != dev.hearsay.transport.IoMode.AUTO)
        {
            command.add("--transport");
            command.add(options.ioMode.name().toLowerCase(java.util.Locale.ROOT));
        }
        try
        {
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start child JVM " + index, ex);
        }
    }

    @Override
    public int size()
    {
        return children.size();
    }

    @Override
    public boolean awaitOverlay(final long timeoutNanos)
    {
        connected = Overlay.await(this::views, timeoutNanos, TimeUnit.MILLISECONDS.toNanos(50));
        return connected;
    }

    @Override
    public List<String> overlay()
    {
        final List<Set<Integer>> views = views();
        connected = Overlay.connected(views);
        return Overlay.describeAll(views);
    }

    private List<Set<Integer>> views()
    {
        for (final Child child : children)
        {
            child.send("neighbors");
        }
        final List<Set<Integer>> views = new ArrayList<>();
        for (final Child child : children)
        {
            final String[] words = child.expect("neighbors").split(" ");
            final Set<Integer> view = new HashSet<>();
            for (int i = 1; i < words.length; i++)
            {
                view.add(Integer.parseInt(words[i]));
            }
            views.add(view);
        }
        return views;
    }

    @Override
    public boolean connected()
    {
        return connected;
    }

    @Override
    public void startPublishing(final int tag, final long totalRate, final int publishers, final long window)
    {
        if (window > 0)
        {
            throw new IllegalArgumentException("no window across processes");
        }
        activePublishers = Math.min(publishers, children.size());
        final long interval = totalRate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * activePublishers / totalRate;
        for (int i = 0; i < activePublishers; i++)
        {
            final long offset = TimeUnit.MILLISECONDS.toNanos(1) + (interval / activePublishers) * i;
            children.get(i).send("start " + tag + " " + interval + " " + offset);
        }
        for (int i = 0; i < activePublishers; i++)
        {
            children.get(i).expect("ok");
        }
    }

    @Override
    public long stopPublishing()
    {
        for (int i = 0; i < activePublishers; i++)
        {
            children.get(i).send("stop");
        }
        long accepted = 0;
        for (int i = 0; i < activePublishers; i++)
        {
            accepted += Long.parseLong(children.get(i).expect("stopped").split(" ")[1]);
        }
        activePublishers = 0;
        return accepted;
    }

    @Override
    public long backPressured()
    {
        long n = 0;
        for (final String[] words : snapshotReplies())
        {
            n += Long.parseLong(words[2 + Tag.COUNT + ThreadMeter.FIELDS * ThreadMeter.GROUPS.length + 2]);
        }
        return n;
    }

    @Override
    public Snapshot snapshot()
    {
        final int n = children.size();
        final long[] nanos = new long[n];
        final long[] delivered = new long[n * Tag.COUNT];
        final long[] threads = new long[ThreadMeter.FIELDS * ThreadMeter.GROUPS.length];
        long gcCount = 0;
        long gcMillis = 0;
        final List<Map<String, Long>> counters = new ArrayList<>();
        int i = 0;
        for (final String[] words : snapshotReplies())
        {
            int w = 1;
            nanos[i] = Long.parseLong(words[w++]);
            for (int tag = 0; tag < Tag.COUNT; tag++)
            {
                delivered[i * Tag.COUNT + tag] = Long.parseLong(words[w++]);
            }
            for (int g = 0; g < threads.length; g++)
            {
                threads[g] += Long.parseLong(words[w++]);
            }
            gcCount += Long.parseLong(words[w++]);
            gcMillis += Long.parseLong(words[w++]);
            w++; // back-pressured attempts
            final Map<String, Long> node = new LinkedHashMap<>();
            for (final String name : NodeCounters.NAMES)
            {
                node.put(name, Long.parseLong(words[w++]));
            }
            counters.add(node);
            i++;
        }
        return new Snapshot(nanos, delivered, threads, gcCount, gcMillis, counters);
    }

    @Override
    public long delivered(final int tag)
    {
        for (final Child child : children)
        {
            child.send("delivered " + tag);
        }
        long n = 0;
        for (final Child child : children)
        {
            n += Long.parseLong(child.expect("delivered").split(" ")[1]);
        }
        return n;
    }

    private List<String[]> snapshotReplies()
    {
        for (final Child child : children)
        {
            child.send("snapshot");
        }
        final List<String[]> replies = new ArrayList<>();
        for (final Child child : children)
        {
            replies.add(child.expect("snapshot").split(" "));
        }
        return replies;
    }

    @Override
    public void takeLatency(final Latencies into)
    {
        for (final Child child : children)
        {
            child.send(into == null ? "reset" : "latency");
        }
        for (final Child child : children)
        {
            if (into == null)
            {
                child.expect("ok");
            }
            else
            {
                into.addEncoded(child.expect("latency").substring("latency ".length()));
            }
        }
    }

    @Override
    public void close()
    {
        for (final Child child : children)
        {
            child.quit();
        }
        for (final Child child : children)
        {
            child.awaitExit();
        }
    }

    /** The parent's end of one child JVM's pipes. */
    private static final class Child
    {
        final int index;
        final Process process;
        final PrintWriter in;
        final BufferedReader out;

        Child(final int index, final Process process)
        {
            this.index = index;
            this.process = process;
            this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        void send(final String command)
        {
            in.println(command);
            if (in.checkError())
            {
                throw new IllegalStateException("child " + index + " is gone (exit " + exitCode() + ")");
            }
        }

        /** Reads the next line, which must start with {@code word}. */
        String expect(final String word)
        {
            final long deadline = System.nanoTime() + REPLY_TIMEOUT_NANOS;
            try
            {
                while (!out.ready())
                {
                    if (!process.isAlive() && !out.ready())
                    {
                        throw new IllegalStateException("child " + index + " exited (" + exitCode() + ") before "
                            + "replying '" + word + "'");
                    }
                    if (System.nanoTime() - deadline > 0)
                    {
                        throw new IllegalStateException("child " + index + " did not reply '" + word + "' in time");
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                }
                final String line = out.readLine();
                if (line == null || !line.startsWith(word))
                {
                    throw new IllegalStateException("child " + index + " replied '" + line + "' instead of '" + word
                        + "'");
                }
                return line;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("child " + index, ex);
            }
        }

        void quit()
        {
            if (process.isAlive())
            {
                in.println("quit");
            }
        }

        void awaitExit()
        {
            try
            {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }

        private String exitCode()
        {
            return process.isAlive() ? "running" : String.valueOf(process.exitValue());
        }
    }
}
