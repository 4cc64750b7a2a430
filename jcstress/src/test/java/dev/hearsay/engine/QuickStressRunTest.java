package dev.hearsay.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every jcstress test of this module, in jcstress's quick mode cut to one JVM configuration and one iteration: a
 * test whose outcome is forbidden, that errs, or that does not run fails the build. This proves the tests run and
 * catches gross breakage; finding rare interleavings takes the full run of docs/concurrency-tests.md.
 */
class QuickStressRunTest
{
    /** The JVM option the forked test JVMs need (Agrona); jcstress passes its own JVM's options on to them. */
    private static final String AGRONA_EXPORT = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final long RUN_LIMIT_SECONDS = 150;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyStressTestPassesAQuickRun() throws Exception
    {
        // jcstress leaves out a test with more actor threads than CPUs, and these have two.
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "jcstress needs 2 CPUs for two-actor tests");
        final int tests = testCount();
        assertTrue(tests > 0, "no jcstress test in META-INF/TestList");
        final Path dir = Path.of("target", "jcstress-quick").toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        final Path output = dir.resolve("output.txt");
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            AGRONA_EXPORT,
            "-cp", System.getProperty("java.class.path"),
            "org.openjdk.jcstress.Main",
            "-t", "^dev\\.hearsay\\.",
            "-m", "quick",
            // One iteration, one JVM configuration (the default mixed-mode JIT), compiled as a whole: a fork per
            // test rather than one per compiler combination and iteration.
            "-iters", "1",
            "-jvmArgs", "-Xmixed",
            "-sc", "false",
            "-r", dir.resolve("report").toString()));
        final Process process = new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        try
        {
            if (!process.waitFor(RUN_LIMIT_SECONDS, TimeUnit.SECONDS))
            {
                fail("jcstress still running after " + RUN_LIMIT_SECONDS + " s; output in " + output);
            }
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        final String text = Files.readString(output);
        assertEquals(0, process.exitValue(), () -> "jcstress failed:\n" + text);
        assertTrue(text.contains("Failed tests: No matches."), () -> "forbidden outcomes:\n" + text);
        assertTrue(text.contains("Error tests: No matches."), () -> "tests that erred:\n" + text);
        final Matcher passed = Pattern.compile("All remaining tests: (\\d+) matching test results").matcher(text);
        assertTrue(passed.find(), () -> "no summary:\n" + text);
        assertEquals(tests, Integer.parseInt(passed.group(1)), () -> "not every test ran:\n" + text);
    }

    /** The tests jcstress's annotation processor listed for this module, one per line. */
    private static int testCount() throws IOException
    {
        try (InputStream in = QuickStressRunTest.class.getResourceAsStream("/META-INF/TestList"))
        {
            assertNotNull(in, "META-INF/TestList missing: was the jcstress annotation processor run?");
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return (int)reader.lines().filter(line -> !line.isBlank()).count();
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> paths = Files.walk(dir))
            {
                for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
                {
                    Files.delete(p);
                }
            }
        }
    }
}
