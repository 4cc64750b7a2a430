package dev.hearsay.perf;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line entry point of the Hearsay perf harness: {@code hearsay-perf COMMAND [options]}. Each command is a
 * class of its own; {@link #run} returns the exit code so that tests drive it without {@code System.exit}.
 */
public final class Main
{
    /** Exit code of a run that failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad arguments (usage printed on stderr). */
    public static final int EXIT_USAGE = 2;

    private static final List<Command> COMMANDS = List.of(new SimCommand(), new NodeCommand(), new FaultsCommand());

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
        if (args.length == 0)
        {
            usage(err);
            return EXIT_USAGE;
        }
        final String word = args[0];
        if ("-h".equals(word) || "--help".equals(word) || "help".equals(word))
        {
            usage(out);
            return 0;
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
        stream.println("usage: java -jar hearsay-perf.jar COMMAND [options]");
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
