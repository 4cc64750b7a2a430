package dev.hearsay.engine;

/**
 * The thread that runs one engine's dispatcher, for a debug check of the engine's threading rule: protocol state, and
 * the transport methods the {@link Transport} interface reserves for the dispatcher, are used by that thread alone.
 * The thread is whichever runs the duty cycle: the engine's own, the transport's event loop, or the application's
 * thread calling {@link DispatcherInvoker#invoke()}. Before the first duty cycle (set-up on the constructing thread)
 * and after the dispatcher stopped (close) any thread passes.
 *
 * <p>Checked when the JVM runs with assertions on for this package ({@code -ea}, as the tests do) or with
 * {@code -Dhearsay.checkThreads=true}; otherwise {@link #ENABLED} is false and every method is a no-op that the JIT
 * removes. A failed check throws {@link IllegalStateException} naming both threads.
 */
public final class DispatcherThread
{
    /** Whether the checks run: {@code -Dhearsay.checkThreads=true}, or assertions on. */
    public static final boolean ENABLED = Boolean.getBoolean("hearsay.checkThreads") || assertionsOn();

    /** A check that never fails, for transports used without an engine (their own tests, tools). */
    public static final DispatcherThread ANY = new DispatcherThread();

    private volatile Thread thread;

    @SuppressWarnings({"AssertWithSideEffects", "java:S3346"})
    private static boolean assertionsOn()
    {
        boolean on = false;
        assert on = true;
        return on;
    }

    /** The calling thread runs the duty cycle from now on. */
    void enter()
    {
        if (ENABLED && this != ANY)
        {
            thread = Thread.currentThread();
        }
    }

    /** The dispatcher stopped: any thread may close what it owned. */
    void release()
    {
        if (ENABLED)
        {
            thread = null;
        }
    }

    /**
     * Throws {@link IllegalStateException} if checks are on, the dispatcher is running, and the caller is not its
     * thread.
     *
     * @param what the method being called, for the message.
     */
    public void check(final String what)
    {
        if (ENABLED)
        {
            final Thread owner = thread;
            final Thread caller = Thread.currentThread();
            if (owner != null && owner != caller)
            {
                throw new IllegalStateException(what + " is for the dispatcher thread (" + owner.getName()
                    + ") only; called on " + caller.getName());
            }
        }
    }
}
