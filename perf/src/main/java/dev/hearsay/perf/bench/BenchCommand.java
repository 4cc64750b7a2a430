package dev.hearsay.perf.bench;

import dev.hearsay.tools.Command;
import dev.hearsay.perf.Main;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code bench}, the default command: a real cluster on loopback measured against raw Disruptor and Netty baselines
 * from the same run, with the goals of the harness judged at the end. A table by default, one JSON object with
 * {@code --json}; progress on stderr.
 */
public final class BenchCommand implements Command
{
    @Override
    public String name()
    {
        return "bench";
    }

    @Override
    public String summary()
    {
        return "loopback cluster: throughput, latency, allocation vs Disruptor, Netty and thread hand-off baselines "
            + "(default)";
    }

    @Override
    public String usage()
    {
        return BenchOptions.USAGE;
    }

    @Override
    public int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final BenchOptions options;
        try
        {
            options = BenchOptions.parse(args);
        }
        catch (final IllegalArgumentException e)
        {
            err.println("bench: " + e.getMessage());
            err.println();
            err.println("usage: java -jar hearsay-perf.jar " + usage());
            return Main.EXIT_USAGE;
        }
        final Progress progress = new Progress(err, !options.quiet,
            4 + options.warmupSeconds * 1.3 + options.durationSeconds * 1.2
                + (options.peer == null ? 0 : 3 + options.warmupSeconds * 0.75 + options.durationSeconds * 0.5)
                + options.secureVariants().size() * (5 + options.warmupSeconds * 0.6 + options.durationSeconds * 0.8));
        final String leakDetection = NettyLeakDetection.defaultToDisabled();
        final LogLimiter logs = LogLimiter.install();
        if (options.slowPeer || options.slowSubscriber)
        {
            return runSlowScenario(options, progress, logs, out, err);
        }
        final BenchResult result;
        try
        {
            result = new BenchRun(options, progress).run();
            result.nettyLeakDetection = leakDetection;
        }
        catch (final RuntimeException e)
        {
            progress.done();
            err.println("bench: run failed: " + e);
            e.printStackTrace(err);
            return Main.EXIT_FAILURE;
        }
        finally
        {
            logs.summarize(err);
        }
        final List<Goals.Goal> goals = Goals.judge(result);
        if (options.reportDir != null)
        {
            try
            {
                HtmlReport.write(options.reportDir, result, goals);
            }
            catch (final IOException e)
            {
                err.println("bench: cannot write the report to " + options.reportDir + ": " + e);
                return Main.EXIT_FAILURE;
            }
        }
        out.println(options.json ? BenchReport.json(result, goals)
            : options.verbose ? BenchReport.text(result, goals) : BenchSummary.text(result, goals));
        return 0;
    }

    /** {@code --slow-peer} or {@code --slow-subscriber}: see {@link SlowScenarioRun}. */
    private static int runSlowScenario(final BenchOptions options, final Progress progress, final LogLimiter logs,
        final PrintStream out, final PrintStream err)
    {
        final SlowScenarioResult result;
        try
        {
            result = new SlowScenarioRun(options, progress).run();
        }
        catch (final RuntimeException e)
        {
            progress.done();
            err.println("bench: run failed: " + e);
            e.printStackTrace(err);
            return Main.EXIT_FAILURE;
        }
        finally
        {
            logs.summarize(err);
        }
        final List<Goals.Goal> goals = result.goals();
        out.println(options.json ? result.json(goals) : result.text(goals));
        return 0;
    }
}
