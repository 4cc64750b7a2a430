package dev.hearsay.tools;

import java.io.PrintStream;

/**
 * A subcommand of a Hearsay command line ({@code hearsay-tools.jar}, {@code hearsay-perf.jar}). Returns an exit code
 * instead of exiting, so tests can run it in-process.
 */
public interface Command
{
    /** The word that selects it, e.g. {@code sim}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Its options, for usage messages. */
    String usage();

    /** Runs with the arguments after the command word: 0 on success, {@link Main#EXIT_USAGE} on bad arguments. */
    int run(String[] args, PrintStream out, PrintStream err);
}
