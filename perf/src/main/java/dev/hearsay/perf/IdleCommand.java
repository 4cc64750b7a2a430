package dev.hearsay.perf;

import dev.hearsay.tools.Command;
import dev.hearsay.Subscription;
import dev.hearsay.ThreadingMode;
import dev.hearsay.TopicId;
import dev.hearsay.transport.GossipNode;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle}: what a joined node costs when nothing is published. Starts N nodes in this JVM on loopback, joins them
 * to one topic, lets them settle, then measures the process's CPU time over a window: heartbeats, timers and the
 * dispatchers' and event loops' wake-ups, the JVM's own threads included.
 */
public final class IdleCommand implements Command
{
    @Override
    public String name()
    {
        return "idle";
    }

    @Override
    public String summary()
    {
        return "CPU used by idle joined nodes (the cost of timers, heartbeats and wake-ups)";
    }

    @Override
    public String usage()
    {
        return """
            usage: java -jar hearsay-perf.jar idle [options]
              --nodes N              nodes in this JVM, joined to one topic (default 5)
              --seconds S            measured window after 3 s of settling (default 10)
              --threading MODE       dedicated | event-loop (default dedicated)
              --json                 print exactly one JSON object""";
    }

    @Override
    public int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        int nodes = 5;
        int seconds = 10;
        ThreadingMode mode = ThreadingMode.DEDICATED;
        boolean json = false;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--nodes" -> nodes = intArg(args, ++i, "--nodes", 1, 64);
                    case "--seconds" -> seconds = intArg(args, ++i, "--seconds", 1, 3600);
                    case "--threading" ->
                    {
                        final String v = i + 1 < args.length ? args[++i] : "";
                        mode = switch (v)
                        {
                            case "dedicated" -> ThreadingMode.DEDICATED;
                            case "event-loop" -> ThreadingMode.EVENT_LOOP;
                            default -> throw new IllegalArgumentException(
                                "--threading: dedicated or event-loop, not '" + v + "'");
                        };
                    }
                    case "--json" -> json = true;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
        }
        catch (final IllegalArgumentException e)
        {
            err.println("idle: " + e.getMessage());
            err.println(usage());
            return Main.EXIT_USAGE;
        }
        final double cores;
        try
        {
            cores = measure(nodes, seconds, mode);
        }
        catch (final Exception e)
        {
            err.println("idle: " + e);
            return Main.EXIT_FAILURE;
        }
        final String modeName = mode == ThreadingMode.DEDICATED ? "dedicated" : "event-loop";
        if (json)
        {
            out.println(new Json().field("nodes", nodes).field("seconds", seconds).field("threading", modeName)
                .field("cores", cores).field("goalCores", 0.05).field("goalMet", cores <= 0.05));
        }
        else
        {
            out.printf(Locale.ROOT, "%d idle nodes (%s), %d s: %.4f of a core in all, JVM included; goal <= 0.05: %s%n",
                nodes, modeName, seconds, cores, cores <= 0.05 ? "met" : "NOT MET");
        }
        return 0;
    }

    private static double measure(final int count, final int seconds, final ThreadingMode mode) throws Exception
    {
        final TopicId topic = TopicId.of("idle");
        final List<GossipNode> nodes = new ArrayList<>();
        try
        {
            final List<Subscription> subs = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final GossipNode node = GossipNode.builder().threadingMode(mode)
                    .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
                nodes.add(node);
                if (i > 0)
                {
                    node.addPeer(nodes.get(0).addr());
                }
                subs.add(node.subscribe(topic, i == 0 ? List.of() : List.of(nodes.get(0).id())));
            }
            for (int i = 1; i < count; i++)
            {
                subs.get(i).joined().get(30, TimeUnit.SECONDS);
            }
            TimeUnit.SECONDS.sleep(3); // the measured window starts once joins and their repairs have settled
            final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
            final long cpu0 = os.getProcessCpuTime();
            final long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            return (double)(os.getProcessCpuTime() - cpu0) / (System.nanoTime() - t0);
        }
        finally
        {
            for (final GossipNode node : nodes)
            {
                node.close();
            }
        }
    }

    private static int intArg(final String[] args, final int index, final String name, final int min, final int max)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(name + " needs a value");
        }
        final int v;
        try
        {
            v = Integer.parseInt(args[index]);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + ": '" + args[index] + "' is not an integer");
        }
        if (v < min || v > max)
        {
            throw new IllegalArgumentException(name + ": " + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }
}
