package dev.hearsay.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Result of one scenario run. Totals cover the measured rounds only (warm-up rounds are listed apart). A plain
 * holder filled by {@link ScenarioRunner}; {@link #equals} is not defined, compare {@link #fingerprint()}.
 */
public final class SimReport
{
    /** Scenario run. */
    public Scenario scenario;
    /** Nodes bootstrapped. */
    public int nodes;
    /** Seed of the run. */
    public long seed;
    /** Fraction of nodes crashed at once (mass failure) or churned per round (churn); 0 otherwise. */
    public double failFraction;
    /** Loss rate of the network model. */
    public double lossRate;
    /** Nodes crashed by the mass failure, or churned in total. */
    public int failedNodes;
    /** Partition: nodes cut off from the others. */
    public int partitionedNodes;
    /** Partition: how long the network was cut, nanoseconds. */
    public long partitionNanos;
    /** Partition: connected components of the live active-view graph just before the heal. */
    public long componentsBeforeHeal;
    /** Partition: virtual time from the heal until the overlay was one component, nanoseconds; -1 if not seen. */
    public long healNanos;
    /** Partition: virtual time from the heal to the first measured broadcast, nanoseconds. */
    public long firstBroadcastAfterHealNanos;

    /** Measured rounds, in order. */
    public final List<RoundReport> rounds = new ArrayList<>();
    /** Warm-up rounds (not in the totals). */
    public final List<RoundReport> warmup = new ArrayList<>();

    /** Broadcasts in the measured rounds. */
    public long broadcasts;
    /** Expected deliveries in the measured rounds. */
    public long expected;
    /** Expected deliveries that happened. */
    public long delivered;
    /** All first deliveries by non-authors (for RMR). */
    public long deliveries;
    /** Gossip (payload) messages of the measured broadcasts. */
    public long payloadMessages;
    /** PlumTree control messages (IHave, Graft, Prune) sent during the measured rounds. */
    public long controlMessages;
    /** HyParView messages sent during the measured rounds. */
    public long membershipMessages;
    /** Largest delivery hop count over the measured rounds. */
    public int ldh;
    /** Largest per-round RMR over the measured rounds. */
    public double maxRoundRmr;

    /** Simulated delivery latency percentiles over the measured rounds, microseconds. */
    public long latencyP50Micros;
    /** 99th percentile, microseconds. */
    public long latencyP99Micros;
    /** Maximum, microseconds. */
    public long latencyMaxMicros;

    /** Reliability of the first measured round (the first broadcast after the crash, for mass failure). */
    public double firstReliability;
    /**
     * Mass failure: share of the surviving nodes (the sender aside) connected to the sender by live active-view
     * links right after the crash, before any repair; the most a first broadcast can reach before the membership
     * repairs. NaN for the other scenarios.
     */
    public double reachableAfterCrash = Double.NaN;
    /**
     * Mass failure: share of the surviving nodes (the sender aside) that a flood from the sender over those same
     * links reaches within {@link SimConfig#promptNanos()}, at the links' latencies with no processing and no repair.
     * NaN for the other scenarios.
     */
    public double floodedPromptlyAfterCrash = Double.NaN;
    /** Share of the first measured round's expected deliveries made within {@link SimConfig#promptNanos()}. */
    public double firstPromptReliability;
    /** Virtual time from the first measured round's start to its last expected delivery, nanoseconds. */
    public long firstCompletionNanos;
    /** Measured rounds after the first until one reaches 100% (0 if the first does; -1 if none does). */
    public int roundsToHeal;

    /** Overlay check at the end: asymmetric active-view pairs among live nodes. */
    public long asymmetricPairs;
    /** Active-view entries pointing at stopped nodes. */
    public long danglingLinks;
    /** Live nodes with an empty active view. */
    public long isolatedNodes;
    /** Connected components of the live active-view graph (1 when connected). */
    public long components;
    /** Mean active view size of the live nodes. */
    public double meanActiveView;
    /** Overlay check right after bootstrap and stabilisation: asymmetric pairs. */
    public long bootstrapAsymmetricPairs;
    /** Right after bootstrap: connected components. */
    public long bootstrapComponents;

    /** Nodes delivering a broadcast twice (must be 0). */
    public long duplicateDeliveries;
    /** Messages the receiver could not decode (must be 0). */
    public long decodeErrors;
    /** First decode error, or null. */
    public String firstDecodeError;
    /** Messages dropped by the loss model. */
    public long lostMessages;
    /** Timer wake-ups whose next deadline did not advance. */
    public long timerSpins;
    /** Peer-down notifications handed to the protocol. */
    public long peerDownCalls;
    /** Deliveries after their round closed (not counted in reliability). */
    public long lateDeliveries;

    /** Virtual time of bootstrap and stabilisation, nanoseconds. */
    public long bootstrapVirtualNanos;
    /** Total virtual time, nanoseconds. */
    public long virtualNanos;
    /** Events handled. */
    public long events;
    /** Wall-clock time of bootstrap and stabilisation, nanoseconds. */
    public long bootstrapWallNanos;
    /** Wall-clock time of the whole run, nanoseconds. */
    public long wallNanos;

    /** Expected deliveries that did not happen in the measured rounds. */
    public long missed()
    {
        return expected - delivered;
    }

    /** Delivered / expected over the measured rounds. */
    public double reliability()
    {
        return expected == 0 ? 1.0 : (double)delivered / expected;
    }

    /** RMR over the measured rounds: payload / deliveries - 1. */
    public double rmr()
    {
        return deliveries == 0 ? Double.NaN : (double)payloadMessages / deliveries - 1.0;
    }

    /** Every simulated quantity (nothing wall-clock): equal for equal seeds. */
    public String fingerprint()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(scenario).append('|').append(nodes).append('|').append(seed).append('|').append(failedNodes)
            .append('|').append(broadcasts).append('|').append(expected).append('|').append(delivered).append('|')
            .append(deliveries).append('|').append(payloadMessages).append('|').append(controlMessages).append('|')
            .append(membershipMessages).append('|').append(ldh).append('|').append(latencyP50Micros).append('|')
            .append(latencyP99Micros).append('|').append(latencyMaxMicros).append('|').append(asymmetricPairs)
            .append('|').append(danglingLinks).append('|').append(components).append('|').append(lostMessages)
            .append('|').append(peerDownCalls).append('|').append(virtualNanos).append('|').append(events)
            .append('|').append(partitionedNodes).append('|').append(componentsBeforeHeal).append('|')
            .append(healNanos);
        for (final RoundReport r : warmup)
        {
            sb.append("|w").append(r);
        }
        for (final RoundReport r : rounds)
        {
            sb.append("|r").append(r);
        }
        return sb.toString();
    }
}
