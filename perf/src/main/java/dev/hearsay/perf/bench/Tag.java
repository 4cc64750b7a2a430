package dev.hearsay.perf.bench;

/** What a bench message belongs to, carried in its payload so that late deliveries are still counted right. */
final class Tag
{
    /** Warm-up traffic: counted for nothing. */
    static final int WARMUP = 0;
    /** Publishers at maximum rate. */
    static final int MAX = 1;
    /** Publishers at a fixed rate (latency). */
    static final int RATE = 2;
    /** An echo of a RATE message (multi-process round trips). */
    static final int ECHO = 3;
    /** Number of tags. */
    static final int COUNT = 4;
    /**
     * Flag on {@link #MAX}, {@link #RATE} or {@link #ECHO}: warm-up traffic of that phase. Counted as {@link #WARMUP}
     * (echoes as {@link #ECHO}: they are no warm-up broadcast whose deliveries the warm-up's drain expects), but
     * recorded and echoed like its phase (the warm-up's recordings are dropped when it ends), so that the measured
     * phases run code the JIT compiled for them: with a tag of its own, the warm-up never took the recording and echo
     * branches, and the first measured round deoptimised and compiled them anew (or, in a child JVM, ran them
     * interpreted).
     */
    static final int WARM = 0x40;

    /** The tag a delivery of a message tagged {@code tag} is counted under. */
    static int counted(final int tag)
    {
        if ((tag & WARM) == 0)
        {
            return tag;
        }
        return (tag & ~WARM) == ECHO ? ECHO : WARMUP;
    }

    private Tag()
    {
    }
}
