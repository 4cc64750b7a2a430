package dev.hearsay.perf.bench;

import dev.hearsay.engine.EngineCounter;
import dev.hearsay.proto.ProtocolStats;
import dev.hearsay.transport.GossipNode;
import dev.hearsay.transport.TransportCounters;

import java.util.Map;

/** Engine, protocol and transport counters of a node that explain a bench result, summed into one map. */
final class NodeCounters
{
    /** Counter names, in report order. */
    static final String[] NAMES = {
        "framesSent", "framesReceived", "gossipSent", "controlSent", "duplicates", "graftsSent", "prunesSent",
        "graftsDeferred", "windowSkipped", "subscriberDropped", "ringFullRefusals", "readPauses", "readHolds",
        "slowPeerDisconnects",
        "peersDisconnected", "broadcastsBackPressured", "broadcastsRejected", "dispatchErrors", "subscriberHolds",
        "slowSubscriberCutovers", "peersConvicted", "peersIsolated", "slowPeerWaits", "slowPeersSpared",
        "readThrottleWaits", "missingDropped", "graftsMissed", "payloadCacheEvictedEarly",
        "dutyCycles", "dutyCyclesOver64us", "dutyCyclesOver256us", "dutyCyclesOver1ms", "dutyCyclesOver10ms",
        "dutyCyclesOver100ms",
        "signaturesVerified", "signaturesVerifiedByDispatcher", "signatureChecksSkipped", "signaturesInvalid",
        "signatureChecksBySharedRoot", "messagesSignedAlone", "messagesSignedInRuns", "runSignatures",
        "neighborsLost", "neighborsReplaced", "neighborRequestsRefused"};

    private NodeCounters()
    {
    }

    /** Adds {@code node}'s counters to {@code into} (racy reads of live counters: a moment's view). */
    static void addTo(final GossipNode node, final Map<String, Long> into)
    {
        final ProtocolStats p = node.protocolStats();
        final TransportCounters t = node.transport().counters();
        final long[] values = {
            node.counter(EngineCounter.FRAMES_SENT),
            node.counter(EngineCounter.FRAMES_RECEIVED),
            p.gossipSent,
            p.controlSent,
            p.duplicates,
            p.graftsSent,
            p.prunesSent,
            p.graftsDeferred,
            p.windowSkipped,
            node.counter(EngineCounter.SUBSCRIBER_DROPPED),
            node.counter(EngineCounter.FRAMES_RING_FULL),
            t.readPauses.get(),
            t.readHolds.get(),
            t.slowPeerDisconnects.get(),
            node.counter(EngineCounter.PEERS_DISCONNECTED),
            node.counter(EngineCounter.BROADCASTS_BACK_PRESSURED),
            node.counter(EngineCounter.BROADCASTS_REJECTED),
            // A failing handler (--delivery dispatcher) would otherwise look like silent loss.
            node.counter(EngineCounter.DISPATCH_ERRORS) + node.counter(EngineCounter.HANDLER_ERRORS),
            node.counter(EngineCounter.SUBSCRIBER_HOLDS),
            node.counter(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS),
            t.peersConvicted.get(),
            t.peersIsolated.get(),
            t.slowPeerWaits.get(),
            p.slowPeersSpared,
            t.readThrottleWaits.get(),
            p.missingDropped,
            p.graftsMissed,
            p.payloadCacheEvictedEarly,
            // Busy dispatcher cycles, and those this long or longer (to the power of two below: 32.8 us, 131 us,
            // 524 us, 8.4 ms, 67 ms): whether a latency tail is the dispatcher's own work.
            node.dutyCycles().atLeast(0),
            node.dutyCycles().atLeast(64_000),
            node.dutyCycles().atLeast(256_000),
            node.dutyCycles().atLeast(1_000_000),
            node.dutyCycles().atLeast(10_000_000),
            node.dutyCycles().atLeast(100_000_000),
            node.counter(EngineCounter.SIGNATURES_VERIFIED),
            node.counter(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER),
            node.counter(EngineCounter.SIGNATURES_SKIPPED_DUPLICATE),
            node.counter(EngineCounter.SIGNATURES_INVALID) + node.counter(EngineCounter.SIGNATURES_MISSING),
            node.counter(EngineCounter.SIGNATURES_SHARED_ROOT),
            node.counter(EngineCounter.MESSAGES_SIGNED),
            node.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS),
            node.counter(EngineCounter.RUN_SIGNATURES),
            p.neighborsLost,
            p.neighborsReplaced,
            p.neighborRequestsRefused,
        };
        for (int i = 0; i < NAMES.length; i++)
        {
            into.merge(NAMES[i], values[i], Long::sum);
        }
    }
}
