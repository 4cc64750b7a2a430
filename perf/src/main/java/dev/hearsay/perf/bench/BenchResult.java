package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every figure of one bench run, filled in by {@link BenchRun}; rendered by {@link BenchReport}. */
final class BenchResult
{
    /** Figures of one interleaved round: engine and baselines measured back to back. */
    static final class Round
    {
        double engineDeliveriesPerSecond;
        double disruptorPerSecond;
        double nettyOneWayPerSecond;
        double nettyRttP50Micros;
        double engineRateP50Micros;
        /** Bytes allocated per delivery in this round's max-rate window, all thread groups. */
        double engineBytesPerDelivery;
    }

    BenchOptions options;
    String ioMode;
    /** Netty's leak detection level in the run (see {@link NettyLeakDetection}). */
    String nettyLeakDetection;
    String jvm;
    int cpus;
    double loadBefore;
    double loadAfter;
    double setupSeconds;
    /** Extra warm-up spent filling the bounded caches. */
    double cacheFillSeconds;
    double wallSeconds;
    boolean overlayConnected;
    List<String> overlay = new ArrayList<>();
    int rounds;

    // Engine at max rate, over all measured windows.
    long maxWindowNanos;
    long maxDeliveriesInWindows;
    long[] perNodeDeliveries;
    long[] perNodeNanos;
    long maxAccepted;
    long maxExpected;
    long maxDelivered;
    long backPressuredAttempts;

    // Engine at a fixed rate.
    long rateAccepted;
    long rateExpected;
    long rateDelivered;
    long rateWindowNanos;
    long echoesSent;

    // Allocation and GC in the max-rate windows (steady state under load) and the fixed-rate windows.
    long[] maxAllocated = new long[ThreadMeter.GROUPS.length];
    /** CPU nanoseconds per thread group in the max-rate windows. */
    long[] maxCpu = new long[ThreadMeter.GROUPS.length];
    long[] rateCpu = new long[ThreadMeter.GROUPS.length];
    /** Involuntary context switches (preemptions) per thread group in the max-rate and fixed-rate windows. */
    long[] maxPreempted = new long[ThreadMeter.GROUPS.length];
    long[] ratePreempted = new long[ThreadMeter.GROUPS.length];
    /** Voluntary context switches (parks, blocking waits) per thread group in the fixed-rate windows. */
    long[] rateParked = new long[ThreadMeter.GROUPS.length];
    long[] rateAllocated = new long[ThreadMeter.GROUPS.length];
    long rateDeliveriesInWindows;
    long gcCount;
    long gcMillis;
    /** Safepoints in the fixed-rate windows and the time they stopped the process; -1: not measured. */
    long rateSafepoints;
    long rateSafepointMillis;
    /** JIT compilation time inside the fixed-rate windows (all compiler threads); -1: not measured. */
    long rateCompileMillis;
    /**
     * The dispatchers' busy duty cycles in the fixed-rate windows, all nodes: in all, then those of at least 32.8 us,
     * 131 us, 524 us, 8.4 ms and 67 ms (powers of two).
     */
    final long[] rateDutyCycles = new long[RATE_DUTY_CYCLE_NAMES.length];
    static final String[] RATE_DUTY_CYCLE_NAMES = {"dutyCycles", "dutyCyclesOver64us", "dutyCyclesOver256us",
        "dutyCyclesOver1ms", "dutyCyclesOver10ms", "dutyCyclesOver100ms"};
    /** Collections in the fixed-rate windows (also counted in {@link #gcCount}). */
    long rateGcCount;

    // Baselines.
    int disruptorProducers;
    long disruptorNanos;
    double disruptorEvents;
    long nettyOneWayNanos;
    double nettyFrames;
    final Histogram nettyRtt = LatencyRecorders.histogram();
    /** Netty ping-pong paced at the bench's fixed rate, measured from each ping's slot (see NettyBaseline). */
    final Histogram nettyRttPaced = LatencyRecorders.histogram();
    /** Thread hand-offs alone at the fixed rate (see {@link HandoffBaseline}), and how many the chain has. */
    final Histogram handoff = LatencyRecorders.histogram();
    int handoffs;
    /** The threads a hop crosses, for the report. */
    String handoffPath = "";
    /** The CPU stalls a spinning thread saw, probed in every measured round. */
    final StallProbe stalls = new StallProbe();
    /** The kernel timer slack the pacers run with, ns: {@link KernelTimerSlack#PACER_NANOS}, or -1 if not settable. */
    long pacerTimerSlackNanos = -1;

    /** The peer baseline's figures ({@code --peer}), or null. */
    PeerResult peer;
    /** The secure configurations' figures ({@code --sign}, {@code --tls}); empty without them. */
    final java.util.List<SecureResult> secure = new java.util.ArrayList<>();

    final Latencies latencies = new Latencies();
    final List<Round> roundFigures = new ArrayList<>();
    /** {@link NodeCounters} over the measured rounds. */
    Map<String, Long> counters = new LinkedHashMap<>();
    /** {@link NodeCounters} from the formed overlay to the end, warm-up included. */
    Map<String, Long> runCounters = new LinkedHashMap<>();
    /** The same per node. */
    List<Map<String, Long>> nodeRunCounters = new ArrayList<>();

    double deliveriesPerSecond()
    {
        return maxWindowNanos == 0 ? 0 : maxDeliveriesInWindows * 1e9 / maxWindowNanos;
    }

    double perNodeDeliveriesPerSecond(final int node)
    {
        return perNodeNanos == null || perNodeNanos[node] == 0 ? 0 : perNodeDeliveries[node] * 1e9 / perNodeNanos[node];
    }

    double maxReliability()
    {
        return maxExpected == 0 ? Double.NaN : (double)maxDelivered / maxExpected;
    }

    double rateReliability()
    {
        return rateExpected == 0 ? Double.NaN : (double)rateDelivered / rateExpected;
    }

    double achievedRate()
    {
        return rateWindowNanos == 0 ? 0 : rateAccepted * 1e9 / rateWindowNanos;
    }

    double disruptorPerSecond()
    {
        return disruptorNanos == 0 ? 0 : disruptorEvents * 1e9 / disruptorNanos;
    }

    double nettyOneWayPerSecond()
    {
        return nettyOneWayNanos == 0 ? 0 : nettyFrames * 1e9 / nettyOneWayNanos;
    }

    static long total(final long[] values)
    {
        long n = 0;
        for (final long v : values)
        {
            n += v;
        }
        return n;
    }

    /** Heap bytes allocated per delivery in the max-rate windows (all threads but the controller). */
    double bytesPerDelivery()
    {
        return maxDeliveriesInWindows == 0 ? Double.NaN : (double)total(maxAllocated) / maxDeliveriesInWindows;
    }

    double rateBytesPerDelivery()
    {
        return rateDeliveriesInWindows == 0 ? Double.NaN : (double)total(rateAllocated) / rateDeliveriesInWindows;
    }

    /** The engine's one-hop or round-trip/2 histogram used against Netty's RTT/2 (see {@link BenchReport}). */
    Histogram engineLatencyForGoal()
    {
        return latencies.rttCorrected.getTotalCount() > 0 ? latencies.rttCorrected : latencies.rateOneHop;
    }
}
