package dev.hearsay.perf.bench;

import java.util.List;

final class ProcessCluster implements EngineCluster
{
    ProcessCluster(final BenchOptions options)
    {
        throw new UnsupportedOperationException("todo");
    }
    public int size() { return 0; }
    public boolean oneWayLatency() { return false; }
    public boolean awaitOverlay(long t) { return false; }
    public List<String> overlay() { return List.of(); }
    public boolean connected() { return false; }
    public void startPublishing(int tag, long totalRate, int publishers) { }
    public long stopPublishing() { return 0; }
    public long backPressured() { return 0; }
    public Snapshot snapshot() { return null; }
    public void takeLatency(Latencies into) { }
    public void close() { }
}
