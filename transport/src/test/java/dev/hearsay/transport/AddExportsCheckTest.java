package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program that starts a node in a JVM without Agrona's {@code --add-exports} fails at once with an
 * {@link IllegalStateException} that names the option, instead of an {@link IllegalAccessError} from inside Agrona;
 * the same program with the option starts its node.
 */
@Timeout(120)
class AddExportsCheckTest
{
    private static final String OPTION = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    @TempDir
    Path dir;

    @Test
    void withoutTheOptionStartFailsAtOnceNamingIt() throws Exception
    {
        final Result r = run(List.of());
        assertEquals(StartOneNode.REFUSED, r.exitCode, r.output);
        assertTrue(r.output.contains("refused: Hearsay needs the JVM option " + OPTION + " "), r.output);
        assertFalse(r.output.contains("IllegalAccessError"), r.output);
        assertFalse(r.output.contains("NoClassDefFoundError"), r.output);
    }

    @Test
    void withTheOptionTheSameProgramStartsItsNode() throws Exception
    {
        final Result r = run(List.of(OPTION.split(" ")));
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.startsWith("started "), r.output);
    }

    private record Result(int exitCode, String output)
    {
    }

    private Result run(final List<String> jvmOptions) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(testClassPath());
        command.add(StartOneNode.class.getName());
        final File log = dir.resolve("child.log").toFile();
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        // Nothing from the environment may hand the child the option this test leaves out.
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Process process = builder.start();
        try
        {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
            return new Result(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** The test class path: Surefire's own property (its launcher jar hides the real one from java.class.path). */
    private static String testClassPath()
    {
        final String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isEmpty() ? surefire : System.getProperty("java.class.path");
    }
}
