package dev.hearsay.engine;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.TimeoutBlockingWaitStrategy;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Exchanger;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The single-dispatcher rule, enforced on the main classes of the engine, protocol and codec packages: no
 * synchronized method or block, no lock, no blocking queue or blocking synchronizer, no monitor wait/notify, no
 * blocking Disruptor wait strategy, no Netty.
 * <p>
 * Documented allowance: {@link java.util.concurrent.locks.LockSupport} (park/unpark, not a lock) may be used by
 * {@link EngineSubscription}, where a user thread waits in {@code next(timeout)}, and by the dispatcher's default
 * idle strategy: {@link SignalledIdleStrategy} parks the dispatcher only when the ring is empty (as Agrona's
 * backoff does), and {@link DispatcherWakeup}, the ring's publish hook, unparks it. Nothing else parks.
 * <p>
 * Synchronized blocks are invisible to ArchUnit (they are bytecode instructions, not dependencies), so the class
 * files are also disassembled with the JDK's {@code javap} and searched for {@code monitorenter}; a fixture with a
 * synchronized block proves that search finds one.
 */
final class ArchitectureTest
{
    private static final String[] PACKAGES = {"dev.hearsay.engine", "dev.hearsay.proto", "dev.hearsay.codec"};
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses()
    {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(PACKAGES);
        for (final String pkg : PACKAGES)
        {
            assertTrue(classes.stream().anyMatch(c -> c.getPackageName().equals(pkg)), "no classes found in " + pkg);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noSynchronizedMethods()
    {
        check(noMethods().that().areDeclaredInClassesThat().resideInAnyPackage(PACKAGES)
            .should().haveModifier(JavaModifier.SYNCHRONIZED));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noLocksExceptTheDocumentedLockSupportAllowance()
    {
        final DescribedPredicate<JavaClass> locks = new DescribedPredicate<>("a java.util.concurrent.locks type "
            + "other than LockSupport")
        {
            @Override
            public boolean test(final JavaClass c)
            {
                return c.getPackageName().equals("java.util.concurrent.locks")
                    && !c.getSimpleName().equals("LockSupport");
            }
        };
        check(noClasses().that().resideInAnyPackage(PACKAGES).should().dependOnClassesThat(locks));
        check(noClasses().that().resideInAnyPackage(PACKAGES)
            .and().doNotHaveFullyQualifiedName(EngineSubscription.class.getName())
            .and().doNotHaveFullyQualifiedName(SignalledIdleStrategy.class.getName())
            .and().doNotHaveFullyQualifiedName(DispatcherWakeup.class.getName())
            .should().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.locks.LockSupport")
            .because("only a user thread waiting in Subscription.next, and an idle dispatcher, park; see "
                + "EngineSubscription and SignalledIdleStrategy"));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noBlockingQueuesOrBlockingSynchronizers()
    {
        check(noClasses().that().resideInAnyPackage(PACKAGES)
            .should().dependOnClassesThat().areAssignableTo(BlockingQueue.class));
        check(noClasses().that().resideInAnyPackage(PACKAGES)
            .should().dependOnClassesThat().belongToAnyOf(CountDownLatch.class, CyclicBarrier.class, Semaphore.class,
                Phaser.class, Exchanger.class));
        check(noClasses().that().resideInAnyPackage(PACKAGES)
            .should().dependOnClassesThat().belongToAnyOf(BlockingWaitStrategy.class, LiteBlockingWaitStrategy.class,
                TimeoutBlockingWaitStrategy.class, LiteTimeoutBlockingWaitStrategy.class)
            .because("a blocking wait strategy takes a lock on every publish"));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noMonitorWaitOrNotify()
    {
        check(noClasses().that().resideInAnyPackage(PACKAGES).should().callMethod(Object.class, "wait"));
        check(noClasses().that().resideInAnyPackage(PACKAGES).should().callMethod(Object.class, "wait", long.class));
        check(noClasses().that().resideInAnyPackage(PACKAGES).should().callMethod(Object.class, "notify"));
        check(noClasses().that().resideInAnyPackage(PACKAGES).should().callMethod(Object.class, "notifyAll"));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noNetty()
    {
        check(noClasses().that().resideInAnyPackage(PACKAGES)
            .should().dependOnClassesThat().resideInAPackage("io.netty.."));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noSynchronizedBlocksInTheBytecode() throws Exception
    {
        final Path root = Path.of(GossipEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final List<Path> files = new ArrayList<>();
        for (final String pkg : PACKAGES)
        {
            final Path dir = root.resolve(pkg.replace('.', '/'));
            try (Stream<Path> walk = Files.walk(dir))
            {
                final List<Path> found = walk.filter(p -> p.toString().endsWith(".class")).toList();
                assertTrue(!found.isEmpty(), "no class files in " + dir);
                files.addAll(found);
            }
        }
        final List<String> offenders = monitorEnters(files);
        assertEquals(List.of(), offenders, "synchronized blocks (monitorenter) in " + offenders);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void bytecodeCheckFindsASynchronizedBlock() throws Exception
    {
        final Path fixture = Path.of(SynchronizedBlockFixture.class.getProtectionDomain().getCodeSource()
            .getLocation().toURI()).resolve(SynchronizedBlockFixture.class.getName().replace('.', '/') + ".class");
        assertEquals(List.of(fixture.toString()), monitorEnters(List.of(fixture)));
        assertEquals(1, SynchronizedBlockFixture.increment());
    }

    /** Class files among {@code files} whose disassembly contains a monitorenter instruction. */
    private static List<String> monitorEnters(final List<Path> files) throws IOException
    {
        final ToolProvider javap = ToolProvider.findFirst("javap")
            .orElseThrow(() -> new IllegalStateException("javap is not available: run the tests on a JDK"));
        final List<String> offenders = new ArrayList<>();
        for (final Path file : files)
        {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int rc = javap.run(new PrintWriter(out), new PrintWriter(err), "-c", "-p", file.toString());
            if (rc != 0)
            {
                throw new IOException("javap failed on " + file + ": " + err);
            }
            if (out.toString().contains("monitorenter"))
            {
                offenders.add(file.toString());
            }
        }
        return offenders;
    }

    private static void check(final ArchRule rule)
    {
        rule.check(classes);
    }

    /** A class with a synchronized block, to prove the bytecode search is not vacuous. */
    static final class SynchronizedBlockFixture
    {
        private static final Object LOCK = new Object();
        private static int counter;

        static int increment()
        {
            synchronized (LOCK)
            {
                return ++counter;
            }
        }
    }
}
