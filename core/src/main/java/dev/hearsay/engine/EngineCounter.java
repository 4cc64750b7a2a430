package dev.hearsay.engine;

/**
 * Counters of one {@link GossipEngine}, read with {@link GossipEngine#counter(EngineCounter)}. Every drop,
 * rejection and overflow in the engine increments one of these: nothing is lost silently.
 */
public enum EngineCounter
{
    /** Ring events handled by the dispatcher. */
    EVENTS_DISPATCHED("events dispatched"),
    /** Frames received from transports and handed to the protocol. */
    FRAMES_RECEIVED("frames received"),
    /** Frames the transport could not publish: ring full, or maxInFlightFrameBytes waiting (the transport retries). */
    FRAMES_RING_FULL("frames refused: ring full"),
    /** Frames longer than the maximum frame length, discarded on arrival. */
    FRAMES_OVERSIZE("frames discarded: oversize"),
    /** Frames the decoder rejected; the sending peer is disconnected. */
    FRAMES_INVALID("frames discarded: invalid"),
    /** Frames handed to the transport. */
    FRAMES_SENT("frames sent"),
    /** Peers disconnected because their outbound queue was over its bound. */
    PEERS_DROPPED_SLOW("peers dropped: outbound queue full"),
    /** Peer-connected events. */
    PEERS_CONNECTED("peers connected"),
    /** Peer-disconnected events. */
    PEERS_DISCONNECTED("peers disconnected"),
    /** Dial-failed events. */
    DIALS_FAILED("dials failed"),
    /** Broadcasts accepted onto the ring. */
    BROADCASTS_PUBLISHED("broadcasts published"),
    /** Broadcasts refused with BACK_PRESSURED because the ring was full. */
    BROADCASTS_BACK_PRESSURED("broadcasts back-pressured"),
    /** Broadcasts held by the protocol until the topic has a neighbor. */
    BROADCASTS_HELD("broadcasts held until a neighbor"),
    /** Broadcasts rejected by the protocol (no neighbor and hold queue full, or topic not joined). */
    BROADCASTS_REJECTED("broadcasts rejected"),
    /** Messages delivered into subscription buffers. */
    MESSAGES_DELIVERED("messages delivered to subscriptions"),
    /** Events dropped because a subscription buffer was full (reported to it as Lagged). */
    SUBSCRIBER_DROPPED("subscriber events dropped (lagged)"),
    /** Subscriptions refused by the dispatcher (for example beyond maxTopics). */
    SUBSCRIPTIONS_FAILED("subscriptions failed"),
    /** Protocol timer runs. */
    TIMER_RUNS("timer runs"),
    /** Unexpected exceptions caught on the dispatcher (each also goes to the error handler). */
    DISPATCH_ERRORS("dispatch errors"),
    /** Received messages dropped because they carried no signature while verifySignatures is on. */
    SIGNATURES_MISSING("messages dropped: signature missing"),
    /** Received messages dropped because their signature did not verify (forged or altered). */
    SIGNATURES_INVALID("messages dropped: signature invalid"),
    /** Gaps reported to FIFO subscriptions (a gap timed out, or was given up to make room). */
    FIFO_GAPS("fifo gaps reported"),
    /** FIFO gaps given up before their timeout because a reorder buffer was full. */
    FIFO_OVERFLOWS("fifo gaps given up: reorder buffer full"),
    /** Messages dropped by FIFO subscriptions because they arrived after their place (late or older epoch). */
    FIFO_LATE("fifo messages dropped: late"),
    /** Frame bytes received from transports (without length prefixes). */
    BYTES_RECEIVED("bytes received"),
    /** Frame bytes handed to the transport (without length prefixes). */
    BYTES_SENT("bytes sent"),
    /** Gauge: neighbors summed over the joined topics (refreshed about every 50 ms). */
    NEIGHBORS("neighbors (sum over topics)"),
    /** Gauge: topics joined (refreshed about every 50 ms). */
    TOPICS("topics joined"),
    /** Exceptions thrown by subscriptions' dispatcher handlers (see SubscriptionOptions), caught and ignored. */
    HANDLER_ERRORS("dispatcher handler errors"),
    /**
     * Times a lossless subscription's nearly full buffer made the dispatcher stop taking events from its ring until
     * the reader made room (see {@code OverflowPolicy.LOSSLESS}).
     */
    SUBSCRIBER_HOLDS("holds: lossless subscription full"),
    /** Lossless subscriptions whose reader stayed behind for its slow-subscriber timeout: cut over to dropping. */
    SLOW_SUBSCRIBER_CUTOVERS("slow subscribers cut over to dropping"),
    /** Gauge: the slowest busy duty cycle since the previous refresh (about every 50 ms), microseconds. */
    SLOWEST_CYCLE_MICROS("gauge: slowest duty cycle lately, us"),
    /** Gauge: ring events that cycle handled. */
    SLOWEST_CYCLE_EVENTS("gauge: slowest duty cycle lately, ring events"),
    /** Gauge: what else that cycle ran, a sum of DutyCycles.RAN_* flags (1 protocol timers, 2 FIFO, 4 refresh). */
    SLOWEST_CYCLE_PARTS("gauge: slowest duty cycle lately, timers run (1 protocol, 2 fifo, 4 refresh)"),
    /** Gauge: peer links that cycle flushed. */
    SLOWEST_CYCLE_LINKS_FLUSHED("gauge: slowest duty cycle lately, links flushed"),
    /**
     * Gossip signatures verified before the frame entered the ring, on the thread that handed it over (a transport
     * I/O thread), with verifySignatures on: valid and invalid ones alike.
     */
    SIGNATURES_VERIFIED("signatures verified off the dispatcher"),
    /**
     * Gossip signatures the dispatcher verified itself: a copy whose check was skipped as a duplicate turned out
     * not to be one for the protocol (a race with the verified copy, or a lost table entry), or a frame that
     * reached the ring unchecked.
     */
    SIGNATURES_VERIFIED_BY_DISPATCHER("signatures verified on the dispatcher"),
    /** Gossip copies whose verification was skipped because a copy with the same id had already verified. */
    SIGNATURES_SKIPPED_DUPLICATE("signature checks skipped: duplicate"),
    /** Peers disconnected for relaying more than invalidSignatureLimit missing or invalid signatures. */
    PEERS_DROPPED_INVALID_SIGNATURES("peers dropped: invalid signatures"),
    /** Messages this node authored and signed on the publishing thread (signMessages). */
    MESSAGES_SIGNED("messages signed"),
    /** Received messages a validator judged, before the frame entered the ring (on the I/O thread). */
    MESSAGES_VALIDATED("messages validated"),
    /** Received copies not validated because their id was settled lately (duplicates, never delivered). */
    VALIDATIONS_SKIPPED_DUPLICATE("validations skipped: duplicate"),
    /** Received messages a validator rejected: neither delivered nor relayed, counted against the sender. */
    MESSAGES_REJECTED("messages dropped: validator rejected"),
    /** Received messages a validator ignored (or failed on): neither delivered nor relayed, nobody penalised. */
    MESSAGES_IGNORED("messages dropped: validator ignored"),
    /** Validator calls that threw or returned null (each counted as an ignore). */
    VALIDATOR_ERRORS("validator errors"),
    /** Peers disconnected for sending more than rejectedMessageLimit messages a validator rejected. */
    PEERS_DROPPED_REJECTED_MESSAGES("peers dropped: rejected messages"),
    /**
     * Messages the node never received and gave up waiting for (their author's stream moved a whole dedupe window
     * past them); reported to the topic's subscriptions as Lagged (FIFO ones as a Gap).
     */
    MESSAGES_GIVEN_UP("messages given up, reported as lagged"),
    /**
     * Signatures the dispatcher made over runs of this node's own broadcasts that their publishers left unsigned
     * (signMessages with maxMessagesPerSignature over 1): one per run.
     */
    RUN_SIGNATURES("run signatures made by the dispatcher"),
    /** This node's broadcasts the dispatcher signed in runs (the messages behind {@link #RUN_SIGNATURES}). */
    MESSAGES_SIGNED_IN_RUNS("messages signed in runs"),
    /**
     * Received batch-signed messages whose path led to a root this node had verified already: checked with
     * SHA-256 only, no Ed25519 verification.
     */
    SIGNATURES_SHARED_ROOT("signature checks by a verified batch root");

    private final String label;

    EngineCounter(final String label)
    {
        this.label = label;
    }

    /** Human-readable label. */
    public String label()
    {
        return label;
    }
}
