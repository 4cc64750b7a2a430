package dev.hearsay.perf;

/** Command-line entry point of the Hearsay perf harness. */
public final class Main
{
    private Main()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("hearsay-perf");
    }
}
