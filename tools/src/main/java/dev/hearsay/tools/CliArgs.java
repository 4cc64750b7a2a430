package dev.hearsay.tools;

/** Option-value parsing shared by the commands that are not the simulator's. Errors are usage errors. */
public final class CliArgs
{
    private CliArgs()
    {
    }

    /** The value after option {@code option} at {@code index}, which must exist and not be another option. */
    public static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length || args[index].startsWith("--"))
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    public static int intValue(final String option, final String value, final int min, final int max)
    {
        final long v = longValue(option, value);
        if (v < min || v > max)
        {
            throw new IllegalArgumentException(option + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return (int)v;
    }

    public static long longValue(final String option, final String value)
    {
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not an integer");
        }
    }
}
