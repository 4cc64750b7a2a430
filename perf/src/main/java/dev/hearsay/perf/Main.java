package dev.hearsay.perf;

import dev.hearsay.perf.bench.BenchCommand;
import dev.hearsay.tools.ChatCommand;
import dev.hearsay.tools.Command;
import dev.hearsay.tools.NodeCommand;
import dev.hearsay.tools.StatCommand;

import java.io.PrintStream;
import java.util.List;

/**
 * Command-line entry point of the Hearsay perf harness: {@code hearsay-perf [COMMAND] [options]}; without a
 * command it runs the first one, {@code bench}. Each command is a class of its own; {@link #run} returns the exit
 * code so that tests drive it without {@code System.exit}. The tools' commands ({@code node}, {@code chat},
 * {@code stat}) are here too: the fault suite starts nodes from this jar.
 */
public final class Main
{
    /** Exit code of a run that failed. */
    public static final int EXIT_FAILURE = dev.hearsay.tools.Main.EXIT_FAILURE;
    /** Exit code of bad arguments (usage printed on stderr). */
    public static final int EXIT_USAGE = dev.hearsay.tools.Main.EXIT_USAGE;

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
        return dev.hearsay.tools.Main.dispatch("hearsay-perf.jar", COMMANDS, COMMANDS.get(0), args, out, err);
    }
}
