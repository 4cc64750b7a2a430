package dev.hearsay.tools;

import dev.hearsay.engine.NodeCounters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code stat}: prints the live counters of the nodes writing counters files in a directory (engine, protocol and
 * transport counters, each written by its owner thread) and refreshes them, like Aeron's AeronStat. A node writes
 * such a file when its {@code GossipConfig.countersDir} is set; {@code chat} does by default.
 */
public final class StatCommand implements Command
{
    /** A node whose heartbeat is older than this is shown as not running. */
    static final long STALE_MILLIS = 3_000;

    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    public String name()
    {
        return "stat";
    }

    @Override
    public String summary()
    {
        return "print the live counters of running nodes, refreshed (like AeronStat)";
    }

    @Override
    public String usage()
    {
        return """
            stat [--dir D] [--interval MS] [--count N | --once] [--node PREFIX]
              --dir D          directory of the counters files (default %s)
              --interval MS    refresh period (default 1000)
              --count N        refreshes before exiting (default 0: until interrupted); --once is --count 1
              --node PREFIX    only nodes whose id starts with this hex prefix""".formatted(
            NodeCounters.defaultDirectory());
    }

    @Override
    public int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        Path dir = NodeCounters.defaultDirectory();
        long interval = 1000;
        long count = 0;
        String prefix = "";
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--dir" -> dir = Path.of(value(args, ++i, "--dir"));
                    case "--interval" -> interval = number(value(args, ++i, "--interval"), "--interval", 10, 3_600_000);
                    case "--count" -> count = number(value(args, ++i, "--count"), "--count", 0, Long.MAX_VALUE);
                    case "--once" -> count = 1;
                    case "--node" -> prefix = value(args, ++i, "--node").toLowerCase();
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
        }
        catch (final IllegalArgumentException e)
        {
            err.println("stat: " + e.getMessage());
            err.println();
            err.println("usage: java -jar hearsay-tools.jar " + usage());
            return Main.EXIT_USAGE;
        }

        int shown = 0;
        for (long n = 0; count == 0 || n < count; n++)
        {
            if (n > 0)
            {
                LockSupport.parkNanos(Duration.ofMillis(interval).toNanos());
                if (Thread.currentThread().isInterrupted())
                {
                    break;
                }
            }
            shown = print(dir, prefix, out);
        }
        return shown > 0 ? 0 : Main.EXIT_FAILURE;
    }

    /** One refresh: every matching counters file in {@code dir}. Returns how many nodes were shown. */
    static int print(final Path dir, final String prefix, final PrintStream out)
    {
        final long now = System.currentTimeMillis();
        out.println("==== hearsay stat " + TIME.format(Instant.ofEpochMilli(now)) + " - " + dir);
        int shown = 0;
        for (final Path file : counterFiles(dir))
        {
            final NodeCounters.View view;
            try
            {
                view = NodeCounters.View.open(file);
            }
            catch (final RuntimeException e)
            {
                continue; // deleted meanwhile, or not a counters file
            }
            try
            {
                final String id = view.nodeId().toString();
                if (!id.startsWith(prefix))
                {
                    continue;
                }
                shown++;
                final long age = now - view.heartbeatMillis();
                out.printf("node %s  pid %d  up %s  %s%n", id, view.pid(),
                    duration(now - view.startMillis()),
                    age > STALE_MILLIS ? "NOT RUNNING (last heartbeat " + duration(age) + " ago)" :
                    "heartbeat " + Math.max(0, age) + " ms ago");
                final int[] lastType = {-1};
                view.reader().forEach((counterId, typeId, keyBuffer, label) ->
                {
                    if (typeId != lastType[0])
                    {
                        lastType[0] = typeId;
                        out.println("  " + typeName(typeId));
                    }
                    out.printf("  %3d: %,20d - %s%n", counterId, view.reader().getCounterValue(counterId), label);
                });
            }
            finally
            {
                view.close();
            }
        }
        if (shown == 0)
        {
            out.println("no hearsay node writes counters in " + dir
                + " (a node does when GossipConfig.countersDir is set; chat does by default)");
        }
        out.flush();
        return shown;
    }

    private static List<Path> counterFiles(final Path dir)
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return files;
        }
        try (Stream<Path> list = Files.list(dir))
        {
            list.filter(p -> p.getFileName().toString().endsWith(NodeCounters.FILE_SUFFIX)).sorted()
                .forEach(files::add);
        }
        catch (final IOException e)
        {
            // An unreadable directory shows no node.
        }
        return files;
    }

    private static String typeName(final int typeId)
    {
        return switch (typeId)
        {
            case NodeCounters.TYPE_ENGINE -> "engine (dispatcher)";
            case NodeCounters.TYPE_PROTOCOL -> "protocol (HyParView + PlumTree)";
            case NodeCounters.TYPE_TRANSPORT -> "transport (TCP)";
            default -> "type " + typeId;
        };
    }

    private static String duration(final long millis)
    {
        final long s = Math.max(0, millis) / 1000;
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long number(final String value, final String option, final long min, final long max)
    {
        final long v;
        try
        {
            v = Long.parseLong(value);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not an integer");
        }
        if (v < min || v > max)
        {
            throw new IllegalArgumentException(option + ": " + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }
}
