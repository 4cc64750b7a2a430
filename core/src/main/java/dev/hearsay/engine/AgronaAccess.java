package dev.hearsay.engine;

/**
 * The one JVM option Hearsay needs: Agrona 2 (the buffers, counters and queues of every node) calls
 * {@code jdk.internal.misc.Unsafe} directly, and java.base exports that package to nobody unless the JVM is told to.
 * Without the export, Agrona's first buffer fails with an {@link IllegalAccessError} deep inside its own static
 * initialisation, and every later use of it with a {@link NoClassDefFoundError}. {@link #require()} checks the
 * export up front (without touching Agrona's {@code Unsafe}) and fails at once with the option to add.
 * <p>
 * Any thread, lock-free: the only state is a flag that goes from false to true once the check has passed; a thread
 * that reads a stale false only repeats the check.
 */
public final class AgronaAccess
{
    /** The package of java.base that Agrona reaches. */
    public static final String PACKAGE = "jdk.internal.misc";

    private static volatile boolean exported;

    private AgronaAccess()
    {
    }

    /** Whether java.base exports {@value #PACKAGE} to the module that holds Agrona in this JVM. */
    public static boolean granted()
    {
        if (!exported)
        {
            exported = Object.class.getModule().isExported(PACKAGE, agronaModule());
        }
        return exported;
    }

    /**
     * Throws {@link IllegalStateException} naming the JVM option to add when java.base does not export
     * {@value #PACKAGE} to Agrona; returns at once when it does.
     */
    public static void require()
    {
        if (!granted())
        {
            throw new IllegalStateException("Hearsay needs the JVM option " + jvmOption()
                + " (Agrona, which Hearsay's buffers and queues are built on, uses jdk.internal.misc.Unsafe, and this"
                + " JVM does not export it). Add it to the java command line, to JDK_JAVA_OPTIONS, or to the test"
                + " runner's JVM arguments (Maven Surefire's argLine); an executable jar can carry"
                + " 'Add-Exports: java.base/" + PACKAGE + "' in its manifest instead.");
        }
    }

    /**
     * The option for this JVM: {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} when Agrona is on the
     * class path, {@code =org.agrona} when it is a named module on the module path.
     */
    public static String jvmOption()
    {
        final Module agrona = agronaModule();
        return "--add-exports java.base/" + PACKAGE + "=" + (agrona.isNamed() ? agrona.getName() : "ALL-UNNAMED");
    }

    private static Module agronaModule()
    {
        // A class literal loads the class without initialising it: Agrona's Unsafe is not touched here.
        return org.agrona.UnsafeApi.class.getModule();
    }
}
