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

    private Tag()
    {
    }
}
