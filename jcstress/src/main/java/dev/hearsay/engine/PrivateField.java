package dev.hearsay.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Access to a private field of the engine, for the tests that must observe what the engine keeps to itself: whether
 * a producer will unpark a sleeper is the value of the sleeper field at the moment it looks (an unpark leaves no
 * trace a test could read), and what a reader of a {@link VerifiedIds} slot sees takes one read of the slot. The
 * tests sit in the engine's package on the class path (one unnamed module), so a private lookup is allowed; a
 * renamed field fails the test at once, in its static initialiser.
 */
final class PrivateField
{
    private PrivateField()
    {
    }

    static VarHandle of(final Class<?> owner, final String name, final Class<?> type)
    {
        try
        {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
