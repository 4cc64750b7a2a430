package dev.hearsay.tools;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line entry point of the Hearsay tools: {@code hearsay-tools [COMMAND] [options]}, with {@code chat} (a
 * chat room on a topic), {@code stat} (the counters of running nodes) and {@code node} (one node driven by line
 * commands on stdin). {@link #run} returns the exit code so that tests drive it without {@code System.exit};
 * {@link #dispatch} is the same for any list of commands (the perf harness uses it with its own).
 */
public final class Main
{
    /** Exit code of a run that failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad arguments (usage printed on stderr). */
    public static final int EXIT_USAGE = 2;

    private static final List<Command> COMMANDS = List.of(new ChatCommand(), new StatCommand(), new NodeCommand());

    private Main()
    {
    }

    /** The tools' commands: {@code chat}, {@code stat}, {@code node}. */
    public static List<Command> commands()
    {
        return COMMANDS;
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
        return dispatch("hearsay-tools.jar", COMMANDS, null, args, out, err);
    }

    /**
     * Runs the command named by {@code args[0]} among {@code commands} with the arguments after it. Without a command
     * word (no arguments, or options only) it runs {@code defaultCommand} with all of them, or, when that is null,
     * prints the usage and returns {@link #EXIT_USAGE}. {@code -h}, {@code --help} and {@code help} print the usage
     * of every command and return 0; an unknown word prints it on {@code err} and returns {@link #EXIT_USAGE}.
     */
    public static int dispatch(final String jar, final List<Command> commands, final Command defaultCommand,
        final String[] args, final PrintStream out, final PrintStream err)
    {
        final String word = args.length == 0 ? null : args[0];
        if ("-h".equals(word) || "--help".equals(word) || "help".equals(word))
        {
            usage(jar, commands, defaultCommand, out);
            return 0;
        }
        if (word == null || word.startsWith("--"))
        {
            if (defaultCommand == null)
            {
                usage(jar, commands, null, err);
                return EXIT_USAGE;
            }
            return defaultCommand.run(args, out, err);
        }
        for (final Command command : commands)
        {
            if (command.name().equals(word))
            {
                return command.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            }
        }
        err.println("unknown command: " + word);
        usage(jar, commands, defaultCommand, err);
        return EXIT_USAGE;
    }

    private static void usage(final String jar, final List<Command> commands, final Command defaultCommand,
        final PrintStream stream)
    {
        stream.println("usage: java -jar " + jar + " " + (defaultCommand == null ? "COMMAND" : "[COMMAND]")
            + " [options]" + (defaultCommand == null ? "" : "    (no command: " + defaultCommand.name() + ")"));
        stream.println();
        stream.println("commands:");
        for (final Command command : commands)
        {
            stream.printf("  %-6s %s%n", command.name(), command.summary());
        }
        for (final Command command : commands)
        {
            stream.println();
            stream.println(command.usage());
        }
    }
}
