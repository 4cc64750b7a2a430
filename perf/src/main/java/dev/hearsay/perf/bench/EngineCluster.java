package dev.hearsay.perf.bench;

import java.util.List;

/** The gossip nodes under test, in this JVM or in child JVMs, with their publishers and receivers. */
interface EngineCluster extends AutoCloseable
{
    /** Number of nodes. */
    int size();


    /** Waits until every node has a neighbor and the overlay is connected; false if not by the deadline. */
    boolean awaitOverlay(long timeoutNanos);

    /** One line per node: its neighbors (indexes). */
    List<String> overlay();

    /** True if the overlay (union of the neighbor sets) was connected at the last look. */
    boolean connected();

    /**
     * Starts the first {@code publishers} nodes publishing messages tagged {@code tag}, together
     * {@code totalRate} messages per second, or as fast as accepted when it is 0; then, if {@code window} is not 0,
     * only while fewer than {@code window} broadcasts are still on their way (in one JVM only).
     */
    void startPublishing(int tag, long totalRate, int publishers, long window);

    /** Stops the publishers; returns the broadcasts they had accepted since they started. */
    long stopPublishing();

    /** Attempts refused with back-pressure so far, all publishers. */
    long backPressured();

    /** The counters now (reads every thread's counters: for window edges, not for polling). */
    Snapshot snapshot();

    /** Deliveries of messages tagged {@code tag} so far, all nodes: cheap, for progress and drains. */
    long delivered(int tag);

    /** Moves the latency recorded since the last call into {@code into} (null: discard). */
    void takeLatency(Latencies into);

    @Override
    void close();
}
