package dev.hearsay.perf;

import dev.hearsay.perf.bench.BenchCommand;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line entry point of the Hearsay perf harness: {@code hearsay-perf [COMMAND] [options]}; without a
 * command it runs the first one, {@code bench}. Each command is a class of its own; {@link #run} returns the exit
 * code so that tests drive it without {@code System.exit}.
 */
public final class Main
{
    /** Exit code of a run that failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad arguments (usage printed on stderr). */
    public static final int EXIT_USAGE = 2;

    /** The first command is the default: it runs when no command is given. */
    private static final List<Command> COMMANDS = List.of(new BenchCommand(), new SimCommand(), new NodeCommand(),
        new FaultsCommand(), new ChatCommand(), new StatCommand(), new IdleCommand());

    private Main()
    {
    }

    /** Runs the command line and exits with its code. */
    public static void main(final String[] args)
    {
        final int code = run(args, System.out, System.err);
        System.out.flush();
        if (code != 0)
        {
            System.exit(code);
        }
    }

    /** Runs the command line, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final String word = args.length == 0 ? null : args[0];
        if ("-h".equals(word) || "--help".equals(word) || "help".equals(word))
        {
            usage(out);
            return 0;
        }
        if (word == null || word.startsWith("--"))
        {
            // No command word: the default command, with any options given.
            return COMMANDS.get(0).run(args, out, err);
        }
        for (final Command command : COMMANDS)
        {
            if (command.name().equals(word))
            {
                return command.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            }
        }
        err.println("unknown command: " + word);
        usage(err);
        return EXIT_USAGE;
    }

    static void usage(final PrintStream stream)
    {
        stream.println("usage: java -jar hearsay-perf.jar [COMMAND] [options]    (no command: "
            + COMMANDS.get(0).name() + ")");
        stream.println();
        stream.println("commands:");
        for (final Command command : COMMANDS)
        {
            stream.printf("  %-6s %s%n", command.name(), command.summary());
        }
        for (final Command command : COMMANDS)
        {
            stream.println();
            stream.println(command.usage());
        }
    }
}
