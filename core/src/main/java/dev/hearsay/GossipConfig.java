package dev.hearsay;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of a node: HyParView and PlumTree parameters (defaults as in the HyParView and Plumtree reports
 * and iroh-gossip), plus the bounds of every queue and cache. Immutable; build with {@link #builder()}. Protocol
 * parameters are expected to be equal network-wide.
 */
public final class GossipConfig
{
    // Named defaults, grouped by what they govern as in docs/configuration.md; each setting is documented on its
    // Builder method.

    // ---- membership: HyParView, per topic

    /** Default of {@link Builder#activeViewCapacity(int)}. */
    public static final int DEFAULT_ACTIVE_VIEW_CAPACITY = 5;
    /** Default of {@link Builder#passiveViewCapacity(int)}. */
    public static final int DEFAULT_PASSIVE_VIEW_CAPACITY = 30;
    /** Default of {@link Builder#activeRandomWalkLength(int)}. */
    public static final int DEFAULT_ACTIVE_RANDOM_WALK_LENGTH = 6;
    /** Default of {@link Builder#passiveRandomWalkLength(int)}. */
    public static final int DEFAULT_PASSIVE_RANDOM_WALK_LENGTH = 3;
    /** Default of {@link Builder#shuffleRandomWalkLength(int)}. */
    public static final int DEFAULT_SHUFFLE_RANDOM_WALK_LENGTH = 6;
    /** Default of {@link Builder#shuffleActiveViewCount(int)}. */
    public static final int DEFAULT_SHUFFLE_ACTIVE_VIEW_COUNT = 3;
    /** Default of {@link Builder#shufflePassiveViewCount(int)}. */
    public static final int DEFAULT_SHUFFLE_PASSIVE_VIEW_COUNT = 4;
    /** Default of {@link Builder#shuffleInterval(Duration)}. */
    public static final Duration DEFAULT_SHUFFLE_INTERVAL = Duration.ofSeconds(60);
    /** Default of {@link Builder#neighborRequestTimeout(Duration)}. */
    public static final Duration DEFAULT_NEIGHBOR_REQUEST_TIMEOUT = Duration.ofMillis(500);
    /** Default of {@link Builder#disconnectContactCount(int)}. */
    public static final int DEFAULT_DISCONNECT_CONTACT_COUNT = 4;
    /** Default of {@link Builder#failedContactCapacity(int)}. */
    public static final int DEFAULT_FAILED_CONTACT_CAPACITY = 16;
    /** Default of {@link Builder#failedContactRetention(Duration)}. */
    public static final Duration DEFAULT_FAILED_CONTACT_RETENTION = Duration.ofMinutes(10);
    /** Default of {@link Builder#failedContactProbeInterval(Duration)}. */
    public static final Duration DEFAULT_FAILED_CONTACT_PROBE_INTERVAL = Duration.ofSeconds(1);

    // ---- failure detection, per link

    /** Default of {@link Builder#failureDetectionTimeout(Duration)}. */
    public static final Duration DEFAULT_FAILURE_DETECTION_TIMEOUT = Duration.ofSeconds(2);

    // ---- broadcast: PlumTree, per topic

    /** Default of {@link Builder#ihaveInterval(Duration)}. */
    public static final Duration DEFAULT_IHAVE_INTERVAL = Duration.ofMillis(5);
    /** Default of {@link Builder#graftTimeout1(Duration)}. */
    public static final Duration DEFAULT_GRAFT_TIMEOUT1 = Duration.ofMillis(80);
    /** Default of {@link Builder#graftTimeout2(Duration)}. */
    public static final Duration DEFAULT_GRAFT_TIMEOUT2 = Duration.ofMillis(40);
    /** Default of {@link Builder#optimizationThreshold(int)}. */
    public static final int DEFAULT_OPTIMIZATION_THRESHOLD = 7;
    /** Default of {@link Builder#repairPush(boolean)}. */
    public static final boolean DEFAULT_REPAIR_PUSH = true;
    /** Default of {@link Builder#messageCacheRetention(Duration)}. */
    public static final Duration DEFAULT_MESSAGE_CACHE_RETENTION = Duration.ofSeconds(30);
    /** Default of {@link Builder#messageIdRetention(Duration)}. */
    public static final Duration DEFAULT_MESSAGE_ID_RETENTION = Duration.ofSeconds(90);
    /** Default of {@link Builder#cacheEvictInterval(Duration)}. */
    public static final Duration DEFAULT_CACHE_EVICT_INTERVAL = Duration.ofSeconds(1);
    /** Default of {@link Builder#neighborCatchUpWindow(Duration)}. */
    public static final Duration DEFAULT_NEIGHBOR_CATCH_UP_WINDOW = Duration.ofSeconds(5);

    // ---- limits: sizes and bounds of every queue and cache

    /** Default of {@link Builder#maxMessageSize(int)}. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 4096;
    /** Default of {@link Builder#maxPeerDataSize(int)}. */
    public static final int DEFAULT_MAX_PEER_DATA_SIZE = 512;
    /** Default of {@link Builder#subscriptionCapacity(int)}. */
    public static final int DEFAULT_SUBSCRIPTION_CAPACITY = 2048;
    /** Default of {@link Builder#ringSize(int)}. */
    public static final int DEFAULT_RING_SIZE = 8192;
    /** Default of {@link Builder#maxTopics(int)}. */
    public static final int DEFAULT_MAX_TOPICS = 1024;
    /** Default of {@link Builder#maxAuthors(int)}. */
    public static final int DEFAULT_MAX_AUTHORS = 65536;
    /** Default of {@link Builder#payloadCacheEntries(int)}. */
    public static final int DEFAULT_PAYLOAD_CACHE_ENTRIES = 262144;
    /** Default of {@link Builder#payloadCacheBytes(long)}. */
    public static final long DEFAULT_PAYLOAD_CACHE_BYTES = 64L << 20;
    /** Default of {@link Builder#missingCapacity(int)}. */
    public static final int DEFAULT_MISSING_CAPACITY = 4096;
    /** Default of {@link Builder#lazyQueueCapacity(int)}. */
    public static final int DEFAULT_LAZY_QUEUE_CAPACITY = 8192;
    /** Default of {@link Builder#preallocate(boolean)}. */
    public static final boolean DEFAULT_PREALLOCATE = false;
    /** Default of {@link Builder#pendingBroadcastCapacity(int)}. */
    public static final int DEFAULT_PENDING_BROADCAST_CAPACITY = 1024;
    /** Default of {@link Builder#maxInFlightBroadcastBytes(long)}. */
    public static final long DEFAULT_MAX_IN_FLIGHT_BROADCAST_BYTES = 1L << 20;
    /** Default of {@link Builder#maxInFlightFrameBytes(long)}. */
    public static final long DEFAULT_MAX_IN_FLIGHT_FRAME_BYTES = 1L << 20;

    // ---- node: engine and security

    /** Default of {@link Builder#signMessages(boolean)}. */
    public static final boolean DEFAULT_SIGN_MESSAGES = false;
    /** Default of {@link Builder#verifySignatures(boolean)}. */
    public static final boolean DEFAULT_VERIFY_SIGNATURES = false;
    /** Default of {@link Builder#maxMessagesPerSignature(int)}. */
    public static final int DEFAULT_MAX_MESSAGES_PER_SIGNATURE = 64;
    /** Default of {@link Builder#signatureLinger(Duration)}: no waiting. */
    public static final Duration DEFAULT_SIGNATURE_LINGER = Duration.ZERO;
    /** Default of {@link Builder#invalidSignatureLimit(int)}. */
    public static final int DEFAULT_INVALID_SIGNATURE_LIMIT = 16;
    /** Default of {@link Builder#rejectedMessageLimit(int)}. */
    public static final int DEFAULT_REJECTED_MESSAGE_LIMIT = 16;

    private static final GossipConfig DEFAULTS = builder().build();
    private final int activeViewCapacity;
    private final int passiveViewCapacity;
    private final int activeRandomWalkLength;
    private final int passiveRandomWalkLength;
    private final int shuffleRandomWalkLength;
    private final int shuffleActiveViewCount;
    private final int shufflePassiveViewCount;
    private final Duration shuffleInterval;
    private final Duration neighborRequestTimeout;
    private final Duration failureDetectionTimeout;
    private final int disconnectContactCount;
    private final int failedContactCapacity;
    private final Duration failedContactRetention;
    private final Duration failedContactProbeInterval;
    private final Duration ihaveInterval;
    private final Duration graftTimeout1;
    private final Duration graftTimeout2;
    private final int optimizationThreshold;
    private final boolean repairPush;
    private final Duration messageCacheRetention;
    private final Duration messageIdRetention;
    private final Duration cacheEvictInterval;
    private final int maxMessageSize;
    private final int subscriptionCapacity;
    private final int ringSize;
    private final int maxTopics;
    private final int payloadCacheEntries;
    private final int maxAuthors;
    private final long payloadCacheBytes;
    private final int missingCapacity;
    private final int lazyQueueCapacity;
    private final int pendingBroadcastCapacity;
    private final int maxPeerDataSize;
    private final long maxInFlightBroadcastBytes;
    private final long maxInFlightFrameBytes;
    private final Duration neighborCatchUpWindow;
    private final IdleStrategy idleStrategy;
    private final boolean signMessages;
    private final boolean verifySignatures;
    private final SignatureScheme signatureScheme;
    private final int maxMessagesPerSignature;
    private final Duration signatureLinger;
    private final int invalidSignatureLimit;
    private final int rejectedMessageLimit;
    private final boolean preallocate;
    private final Path countersDir;

    private GossipConfig(final Builder b)
    {
        this.activeViewCapacity = b.activeViewCapacity;
        this.passiveViewCapacity = b.passiveViewCapacity;
        this.activeRandomWalkLength = b.activeRandomWalkLength;
        this.passiveRandomWalkLength = b.passiveRandomWalkLength;
        this.shuffleRandomWalkLength = b.shuffleRandomWalkLength;
        this.shuffleActiveViewCount = b.shuffleActiveViewCount;
        this.shufflePassiveViewCount = b.shufflePassiveViewCount;
        this.shuffleInterval = b.shuffleInterval;
        this.neighborRequestTimeout = b.neighborRequestTimeout;
        this.failureDetectionTimeout = b.failureDetectionTimeout;
        this.disconnectContactCount = b.disconnectContactCount;
        this.failedContactCapacity = b.failedContactCapacity;
        this.failedContactRetention = b.failedContactRetention;
        this.failedContactProbeInterval = b.failedContactProbeInterval;
        this.ihaveInterval = b.ihaveInterval;
        this.graftTimeout1 = b.graftTimeout1;
        this.graftTimeout2 = b.graftTimeout2;
        this.optimizationThreshold = b.optimizationThreshold;
        this.repairPush = b.repairPush;
        this.messageCacheRetention = b.messageCacheRetention;
        this.messageIdRetention = b.messageIdRetention;
        this.cacheEvictInterval = b.cacheEvictInterval;
        this.maxMessageSize = b.maxMessageSize;
        this.subscriptionCapacity = b.subscriptionCapacity;
        this.ringSize = b.ringSize;
        this.maxTopics = b.maxTopics;
        this.payloadCacheEntries = b.payloadCacheEntries;
        this.maxAuthors = b.maxAuthors;
        this.payloadCacheBytes = b.payloadCacheBytes;
        this.missingCapacity = b.missingCapacity;
        this.lazyQueueCapacity = b.lazyQueueCapacity;
        this.pendingBroadcastCapacity = b.pendingBroadcastCapacity;
        this.maxPeerDataSize = b.maxPeerDataSize;
        this.maxInFlightBroadcastBytes = b.maxInFlightBroadcastBytes;
        this.maxInFlightFrameBytes = b.maxInFlightFrameBytes;
        this.neighborCatchUpWindow = b.neighborCatchUpWindow;
        this.idleStrategy = b.idleStrategy;
        this.signMessages = b.signMessages;
        this.verifySignatures = b.verifySignatures;
        this.signatureScheme = b.signatureScheme;
        this.maxMessagesPerSignature = b.maxMessagesPerSignature;
        this.signatureLinger = b.signatureLinger;
        this.invalidSignatureLimit = b.invalidSignatureLimit;
        this.rejectedMessageLimit = b.rejectedMessageLimit;
        this.preallocate = b.preallocate;
        this.countersDir = b.countersDir;
    }

    /** The default configuration. */
    public static GossipConfig defaults()
    {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.activeViewCapacity = activeViewCapacity;
        b.passiveViewCapacity = passiveViewCapacity;
        b.activeRandomWalkLength = activeRandomWalkLength;
        b.passiveRandomWalkLength = passiveRandomWalkLength;
        b.shuffleRandomWalkLength = shuffleRandomWalkLength;
        b.shuffleActiveViewCount = shuffleActiveViewCount;
        b.shufflePassiveViewCount = shufflePassiveViewCount;
        b.shuffleInterval = shuffleInterval;
        b.neighborRequestTimeout = neighborRequestTimeout;
        b.failureDetectionTimeout = failureDetectionTimeout;
        b.disconnectContactCount = disconnectContactCount;
        b.failedContactCapacity = failedContactCapacity;
        b.failedContactRetention = failedContactRetention;
        b.failedContactProbeInterval = failedContactProbeInterval;
        b.ihaveInterval = ihaveInterval;
        b.graftTimeout1 = graftTimeout1;
        b.graftTimeout2 = graftTimeout2;
        b.optimizationThreshold = optimizationThreshold;
        b.repairPush = repairPush;
        b.messageCacheRetention = messageCacheRetention;
        b.messageIdRetention = messageIdRetention;
        b.cacheEvictInterval = cacheEvictInterval;
        b.maxMessageSize = maxMessageSize;
        b.subscriptionCapacity = subscriptionCapacity;
        b.ringSize = ringSize;
        b.maxTopics = maxTopics;
        b.payloadCacheEntries = payloadCacheEntries;
        b.maxAuthors = maxAuthors;
        b.payloadCacheBytes = payloadCacheBytes;
        b.missingCapacity = missingCapacity;
        b.lazyQueueCapacity = lazyQueueCapacity;
        b.pendingBroadcastCapacity = pendingBroadcastCapacity;
        b.maxPeerDataSize = maxPeerDataSize;
        b.maxInFlightBroadcastBytes = maxInFlightBroadcastBytes;
        b.maxInFlightFrameBytes = maxInFlightFrameBytes;
        b.neighborCatchUpWindow = neighborCatchUpWindow;
        b.idleStrategy = idleStrategy;
        b.signMessages = signMessages;
        b.verifySignatures = verifySignatures;
        b.signatureScheme = signatureScheme;
        b.maxMessagesPerSignature = maxMessagesPerSignature;
        b.signatureLinger = signatureLinger;
        b.invalidSignatureLimit = invalidSignatureLimit;
        b.rejectedMessageLimit = rejectedMessageLimit;
        b.preallocate = preallocate;
        b.countersDir = countersDir;
        return b;
    }

    /** HyParView active view size (neighbors per topic). */
    public int activeViewCapacity()
    {
        return activeViewCapacity;
    }

    /** HyParView passive view size (backup contacts per topic). */
    public int passiveViewCapacity()
    {
        return passiveViewCapacity;
    }

    /** ForwardJoin time-to-live (ARWL). */
    public int activeRandomWalkLength()
    {
        return activeRandomWalkLength;
    }

    /** ForwardJoin hop at which the joiner enters the passive view (PRWL); at most activeRandomWalkLength. */
    public int passiveRandomWalkLength()
    {
        return passiveRandomWalkLength;
    }

    /** Shuffle time-to-live. */
    public int shuffleRandomWalkLength()
    {
        return shuffleRandomWalkLength;
    }

    /** Active peers sent in a Shuffle. */
    public int shuffleActiveViewCount()
    {
        return shuffleActiveViewCount;
    }

    /** Passive peers sent in a Shuffle. */
    public int shufflePassiveViewCount()
    {
        return shufflePassiveViewCount;
    }

    /** How often a topic starts a Shuffle. */
    public Duration shuffleInterval()
    {
        return shuffleInterval;
    }

    /** {@link #shuffleInterval()} in nanoseconds. */
    public long shuffleIntervalNanos()
    {
        return shuffleInterval.toNanos();
    }

    /** How long a Neighbor request waits for its reply before the next passive candidate is tried. */
    public Duration neighborRequestTimeout()
    {
        return neighborRequestTimeout;
    }

    /** {@link #neighborRequestTimeout()} in nanoseconds. */
    public long neighborRequestTimeoutNanos()
    {
        return neighborRequestTimeout.toNanos();
    }

    /**
     * How long a connected peer may stay silent before it is reported down to the protocol, exactly as if its
     * connection had closed: the failure detector of every link. Default 2 s.
     *
     * <p>TCP reports only what the kernel sees (a reset, a refused dial). A frozen process, a powered-off host, a
     * pulled cable or a dropped NAT mapping sends nothing, and a frozen process's kernel even keeps acknowledging
     * data, so neither keepalive nor {@code TCP_USER_TIMEOUT} notices it. Each link therefore carries liveness:
     * every frame counts as a sign of life, and a link that has carried nothing for a quarter of this timeout
     * gets a heartbeat (a 4-byte empty frame). A peer is convicted after this much silence; a frozen peer leaves
     * every active view within the timeout plus a tick (an eighth of it). A node that was itself stalled (GC,
     * SIGSTOP, a starved VM) convicts nobody for the silence of its own stall.
     *
     * <p>A plain timeout rather than an accrual detector: on a LAN the gaps between heartbeats are set by the
     * sender's scheduling, not the network, so a history-based suspicion level reads a first GC pause as a huge
     * outlier unless a minimum deviation is configured, which turns it back into a fixed timeout. Keep it above
     * the longest pause a healthy process may take (GC, a busy event loop): a few hundred ms is the floor for
     * well-tuned JVMs. The simulator uses it as its crash-detection delay.
     */
    public Duration failureDetectionTimeout()
    {
        return failureDetectionTimeout;
    }

    /** {@link #failureDetectionTimeout()} in nanoseconds. */
    public long failureDetectionTimeoutNanos()
    {
        return failureDetectionTimeout.toNanos();
    }

    /** Passive contacts handed to a peer in the Disconnect that drops it. */
    public int disconnectContactCount()
    {
        return disconnectContactCount;
    }

    /**
     * Contacts a topic remembers as failed (a neighbor reported down, a Neighbor request or Join that timed out, a
     * dial that failed), to probe them until they answer; default 16, 0 turns re-merging off. A crash and a
     * partition look alike from one side, and HyParView drops the contact either way: without this list, two sides
     * of a healed partition, or two parts of an overlay split by lost messages, each with full active views, never
     * ask each other again. A contact that answers a probe is linked at once with a high-priority Neighbor request,
     * which joins its part of the overlay to this one. When the list is full the oldest failure is forgotten.
     */
    public int failedContactCapacity()
    {
        return failedContactCapacity;
    }

    /**
     * How long a failed contact is remembered and probed, counted from its failure; default 10 minutes. It bounds
     * what a silent peer costs (a probe now and then for this long; a peer that refuses probes outright, as a crashed
     * process on a live host does, is forgotten after two) and is the longest partition that heals without
     * help (a longer one needs a new Join, for example a subscribe with bootstrap peers).
     */
    public Duration failedContactRetention()
    {
        return failedContactRetention;
    }

    /** {@link #failedContactRetention()} in nanoseconds. */
    public long failedContactRetentionNanos()
    {
        return failedContactRetention.toNanos();
    }

    /**
     * How often a topic with failed contacts probes one of them (one probe in flight, jittered by half either way);
     * default 1 s. Each contact's own wait starts at this interval and doubles after every unanswered probe, up to
     * 32 intervals, so a peer that stays dead is probed rarely while a large overlay, whose many nodes probe at
     * different times, still notices a heal within about one interval. A topic with no failed contact never probes.
     */
    public Duration failedContactProbeInterval()
    {
        return failedContactProbeInterval;
    }

    /** {@link #failedContactProbeInterval()} in nanoseconds. */
    public long failedContactProbeIntervalNanos()
    {
        return failedContactProbeInterval.toNanos();
    }

    /** Lazy push batching window: IHave announcements are flushed this often (0: immediately). */
    public Duration ihaveInterval()
    {
        return ihaveInterval;
    }

    /** {@link #ihaveInterval()} in nanoseconds. */
    public long ihaveIntervalNanos()
    {
        return ihaveInterval.toNanos();
    }

    /** Wait after the first IHave for an unknown message before sending Graft. */
    public Duration graftTimeout1()
    {
        return graftTimeout1;
    }

    /** {@link #graftTimeout1()} in nanoseconds. */
    public long graftTimeout1Nanos()
    {
        return graftTimeout1.toNanos();
    }

    /** Wait before grafting from each further advertiser. */
    public Duration graftTimeout2()
    {
        return graftTimeout2;
    }

    /** {@link #graftTimeout2()} in nanoseconds. */
    public long graftTimeout2Nanos()
    {
        return graftTimeout2.toNanos();
    }

    /** Hop difference between an IHave and the eager delivery that triggers tree optimisation. */
    public int optimizationThreshold()
    {
        return optimizationThreshold;
    }

    /**
     * Whether the loss of a tree edge within a second of a message pushes that message at once over the lazy links,
     * marked as a repair copy that its receivers pass on the same way (GOSSIP flag bit 3), so that the part of the
     * tree the failure cut off gets it at a flood's pace instead of link by link through announcements and grafts.
     * It costs flood-like redundancy in the first two messages after a failure. Off, a node never sends repair
     * copies (it still accepts them): for a network that still has nodes that reject flag bit 3.
     */
    public boolean repairPush()
    {
        return repairPush;
    }

    /** How long payloads are kept to answer Grafts. */
    public Duration messageCacheRetention()
    {
        return messageCacheRetention;
    }

    /** {@link #messageCacheRetention()} in nanoseconds. */
    public long messageCacheRetentionNanos()
    {
        return messageCacheRetention.toNanos();
    }

    /** How long delivered message ids are remembered for deduplication. */
    public Duration messageIdRetention()
    {
        return messageIdRetention;
    }

    /** {@link #messageIdRetention()} in nanoseconds. */
    public long messageIdRetentionNanos()
    {
        return messageIdRetention.toNanos();
    }

    /** How often the caches are swept. */
    public Duration cacheEvictInterval()
    {
        return cacheEvictInterval;
    }

    /** {@link #cacheEvictInterval()} in nanoseconds. */
    public long cacheEvictIntervalNanos()
    {
        return cacheEvictInterval.toNanos();
    }

    /** Largest payload a user may broadcast, in bytes. */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    /** Events buffered per subscription before Lagged; rounded to a power of two. */
    public int subscriptionCapacity()
    {
        return subscriptionCapacity;
    }

    /** Dispatcher ring slots; a power of two. */
    public int ringSize()
    {
        return ringSize;
    }

    /** Topics a node may join at once; subscribing beyond it throws. */
    public int maxTopics()
    {
        return maxTopics;
    }

    /**
     * Authors whose seen-sequence windows a topic keeps (message deduplication); beyond it the least recently
     * heard author is forgotten early.
     */
    public int maxAuthors()
    {
        return maxAuthors;
    }

    /** Payloads cached per topic to answer Grafts; when full the oldest is evicted early. */
    public int payloadCacheEntries()
    {
        return payloadCacheEntries;
    }

    /** Payload bytes kept per topic to answer Grafts; when full the oldest is evicted early. */
    public long payloadCacheBytes()
    {
        return payloadCacheBytes;
    }

    /**
     * Runs of announced-but-missing messages tracked per topic (a run: consecutive sequences of one author's stream,
     * however many). When full, a new gap widens the nearest run of its stream, or two runs of another stream merge
     * to make room; only when every run belongs to a different stream is the announcement ignored (counted).
     */
    public int missingCapacity()
    {
        return missingCapacity;
    }

    /**
     * Runs of ids queued per topic for the next IHave flush (a run: consecutive messages of one author with the same
     * recipients, up to 65,535); when full the queue is flushed at once.
     */
    public int lazyQueueCapacity()
    {
        return lazyQueueCapacity;
    }

    /** Broadcasts held per topic while it has no neighbor; when full further ones are rejected and counted. */
    public int pendingBroadcastCapacity()
    {
        return pendingBroadcastCapacity;
    }

    /** Largest contact data (addresses) a node attaches to its id in membership messages. */
    public int maxPeerDataSize()
    {
        return maxPeerDataSize;
    }

    /**
     * Idle strategy of the dispatcher thread when it has no work. Idle strategies hold state: when none was set,
     * each call returns a fresh {@link dev.hearsay.engine.SignalledIdleStrategy} (spin, yield, then park until an
     * event is published or its next timer is due), so one configuration can serve several nodes; a strategy that was set is
     * returned as is and must then serve one node only.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy != null ? idleStrategy : new dev.hearsay.engine.SignalledIdleStrategy();
    }

    /**
     * Payload bytes of local broadcasts accepted but not yet handled by the dispatcher; beyond it broadcast returns
     * BACK_PRESSURED. Keeps a publishing burst from outrunning the per-peer outbound queues.
     */
    public long maxInFlightBroadcastBytes()
    {
        return maxInFlightBroadcastBytes;
    }

    /**
     * Bytes of received frames on the ring not yet handled by the dispatcher; beyond it the transport stops reading
     * (the frame waits, nothing is dropped). With the transport's congestion threshold it bounds how much a relay
     * can still forward into a congested peer's queue after it stopped reading: the frames already on the ring.
     */
    public long maxInFlightFrameBytes()
    {
        return maxInFlightFrameBytes;
    }

    /**
     * How far back a node announces its cached messages (one IHave) to a new neighbor, so that a node cut off for
     * a moment grafts what it missed. Zero disables the catch-up.
     */
    public Duration neighborCatchUpWindow()
    {
        return neighborCatchUpWindow;
    }

    /** {@link #neighborCatchUpWindow()} in nanoseconds. */
    public long neighborCatchUpWindowNanos()
    {
        return neighborCatchUpWindow.toNanos();
    }

    /**
     * True if this node signs every message it authors (Ed25519 by its key, over topic, id, scope and payload).
     * Off by default: signing costs the author tens of microseconds per broadcast.
     */
    public boolean signMessages()
    {
        return signMessages;
    }

    /**
     * True if this node checks the author's signature of every received message before delivering or forwarding
     * it; a message without a valid signature is dropped and counted. Off by default. Turn it on only when every
     * author signs.
     */
    public boolean verifySignatures()
    {
        return verifySignatures;
    }

    /**
     * The Ed25519 implementation that signs and verifies messages, or null when none was chosen: a
     * {@code GossipEngine} then uses {@link SignatureScheme#jdk()}, and a {@code GossipNode} the faster one its
     * transport module carries. Only used with {@link #signMessages()} or {@link #verifySignatures()}.
     */
    public SignatureScheme signatureScheme()
    {
        return signatureScheme;
    }

    /**
     * With {@link #signMessages()}: the most of its own messages this node covers with one signature. A message
     * published while the dispatcher is idle is signed on its own, by the publishing thread, as soon as it is
     * published. Messages published while the dispatcher still has events to handle would wait for it anyway; they
     * go into the ring unsigned, and the dispatcher signs each run of up to this many that it finds there at once:
     * one Ed25519 signature over the Merkle root of their hashes, each message carrying its path to the root (a
     * batch proof of 66 + 32 x ceil(log2(run)) bytes instead of a 64-byte signature). Receivers then verify one
     * signature per run, and check each message's path with a few SHA-256 hashes. 1 turns batching off: every
     * message is signed on its own by its publishing thread. 1 to 256; default 64.
     */
    public int maxMessagesPerSignature()
    {
        return maxMessagesPerSignature;
    }

    /**
     * With {@link #signMessages()} and {@link #maxMessagesPerSignature()} over 1: how long the dispatcher may wait
     * for a run to grow. A thread publishing again within this time of its previous broadcast leaves the new one
     * unsigned for a run, and the dispatcher, finding such a broadcast at the head of the ring with fewer than
     * {@code maxMessagesPerSignature} behind it, handles nothing until the run is full or its first message is this
     * old. So a steady stream of R messages a second is signed in runs of about R x linger, each receiver verifies
     * that many times fewer signatures, and every message waits up to the linger more (the first of a run the
     * most); events behind the run wait too. 0 (the default) never waits: runs then form only from bursts and
     * backlog, and a steady stream slower than one message per 50 us is signed message by message. 0 to 100 ms.
     */
    public Duration signatureLinger()
    {
        return signatureLinger;
    }

    /**
     * With {@link #verifySignatures()}: how many messages with a missing or invalid signature a peer may relay
     * before this node disconnects it (the next one disconnects it; 0: the first one does). Counted per
     * connection, from the moment it comes up. An honest peer that verifies never relays one; a peer that does not
     * verify relays whatever a forger sent it. Default 16.
     */
    public int invalidSignatureLimit()
    {
        return invalidSignatureLimit;
    }

    /**
     * How many messages a peer may send that a {@link MessageValidator} of this node rejects before this node
     * disconnects it (the next one disconnects it; 0: the first one does). Counted per connection, from the moment
     * it comes up, over all topics. A peer that runs the same validators never relays one; one that does not
     * relays whatever it was sent. Default 16.
     */
    public int rejectedMessageLimit()
    {
        return rejectedMessageLimit;
    }

    /**
     * True if every per-topic table is allocated at its bound when the topic is created, so that nothing of the
     * topic allocates later, whatever the load: the payload cache ({@link #payloadCacheBytes()} and
     * {@link #payloadCacheEntries()}), the missing runs ({@link #missingCapacity()}, with their graft timer queues
     * and wait lists) and the IHave queue ({@link #lazyQueueCapacity()}). With the defaults that is about
     * 77 MiB of heap per topic. False (the default): the tables start small and double up to their bounds as load
     * requires, so an idle topic costs little, and a node allocates again whenever a backlog reaches a new
     * high-water mark.
     */
    public boolean preallocate()
    {
        return preallocate;
    }

    /**
     * Directory of the node's live counters file (memory-mapped, read by {@code hearsay-perf.jar stat}); null (the
     * default) keeps the counters in memory only.
     */
    public Path countersDir()
    {
        return countersDir;
    }

    @Override
    public String toString()
    {
        return "GossipConfig{"
            + "activeViewCapacity=" + activeViewCapacity
            + ", passiveViewCapacity=" + passiveViewCapacity
            + ", activeRandomWalkLength=" + activeRandomWalkLength
            + ", passiveRandomWalkLength=" + passiveRandomWalkLength
            + ", shuffleRandomWalkLength=" + shuffleRandomWalkLength
            + ", shuffleActiveViewCount=" + shuffleActiveViewCount
            + ", shufflePassiveViewCount=" + shufflePassiveViewCount
            + ", shuffleInterval=" + shuffleInterval
            + ", neighborRequestTimeout=" + neighborRequestTimeout
            + ", failureDetectionTimeout=" + failureDetectionTimeout
            + ", disconnectContactCount=" + disconnectContactCount
            + ", failedContactCapacity=" + failedContactCapacity
            + ", failedContactRetention=" + failedContactRetention
            + ", failedContactProbeInterval=" + failedContactProbeInterval
            + ", ihaveInterval=" + ihaveInterval
            + ", graftTimeout1=" + graftTimeout1
            + ", graftTimeout2=" + graftTimeout2
            + ", optimizationThreshold=" + optimizationThreshold
            + ", repairPush=" + repairPush
            + ", messageCacheRetention=" + messageCacheRetention
            + ", messageIdRetention=" + messageIdRetention
            + ", cacheEvictInterval=" + cacheEvictInterval
            + ", maxMessageSize=" + maxMessageSize
            + ", subscriptionCapacity=" + subscriptionCapacity
            + ", ringSize=" + ringSize
            + ", maxTopics=" + maxTopics
            + ", payloadCacheEntries=" + payloadCacheEntries + ", maxAuthors=" + maxAuthors
            + ", payloadCacheBytes=" + payloadCacheBytes
            + ", missingCapacity=" + missingCapacity
            + ", lazyQueueCapacity=" + lazyQueueCapacity
            + ", pendingBroadcastCapacity=" + pendingBroadcastCapacity
            + ", maxPeerDataSize=" + maxPeerDataSize
            + ", maxInFlightBroadcastBytes=" + maxInFlightBroadcastBytes
            + ", maxInFlightFrameBytes=" + maxInFlightFrameBytes
            + ", neighborCatchUpWindow=" + neighborCatchUpWindow
            + ", idleStrategy=" + (idleStrategy == null ? "signalled" : idleStrategy.getClass().getSimpleName())
            + ", signMessages=" + signMessages
            + ", verifySignatures=" + verifySignatures
            + ", signatureScheme=" + (signatureScheme == null ? "default" : signatureScheme.name())
            + ", maxMessagesPerSignature=" + maxMessagesPerSignature
            + ", signatureLinger=" + signatureLinger
            + ", invalidSignatureLimit=" + invalidSignatureLimit
            + ", rejectedMessageLimit=" + rejectedMessageLimit
            + ", preallocate=" + preallocate
            + ", countersDir=" + countersDir
            + "}";
    }

    /** Builder of {@link GossipConfig}; {@link #build()} validates every field. */
    public static final class Builder
    {
        private int activeViewCapacity = DEFAULT_ACTIVE_VIEW_CAPACITY;
        private int passiveViewCapacity = DEFAULT_PASSIVE_VIEW_CAPACITY;
        private int activeRandomWalkLength = DEFAULT_ACTIVE_RANDOM_WALK_LENGTH;
        private int passiveRandomWalkLength = DEFAULT_PASSIVE_RANDOM_WALK_LENGTH;
        private int shuffleRandomWalkLength = DEFAULT_SHUFFLE_RANDOM_WALK_LENGTH;
        private int shuffleActiveViewCount = DEFAULT_SHUFFLE_ACTIVE_VIEW_COUNT;
        private int shufflePassiveViewCount = DEFAULT_SHUFFLE_PASSIVE_VIEW_COUNT;
        private Duration shuffleInterval = DEFAULT_SHUFFLE_INTERVAL;
        private Duration neighborRequestTimeout = DEFAULT_NEIGHBOR_REQUEST_TIMEOUT;
        private Duration failureDetectionTimeout = DEFAULT_FAILURE_DETECTION_TIMEOUT;
        private int disconnectContactCount = DEFAULT_DISCONNECT_CONTACT_COUNT;
        private int failedContactCapacity = DEFAULT_FAILED_CONTACT_CAPACITY;
        private Duration failedContactRetention = DEFAULT_FAILED_CONTACT_RETENTION;
        private Duration failedContactProbeInterval = DEFAULT_FAILED_CONTACT_PROBE_INTERVAL;
        private Duration ihaveInterval = DEFAULT_IHAVE_INTERVAL;
        private Duration graftTimeout1 = DEFAULT_GRAFT_TIMEOUT1;
        private Duration graftTimeout2 = DEFAULT_GRAFT_TIMEOUT2;
        private int optimizationThreshold = DEFAULT_OPTIMIZATION_THRESHOLD;
        private boolean repairPush = DEFAULT_REPAIR_PUSH;
        private Duration messageCacheRetention = DEFAULT_MESSAGE_CACHE_RETENTION;
        private Duration messageIdRetention = DEFAULT_MESSAGE_ID_RETENTION;
        private Duration cacheEvictInterval = DEFAULT_CACHE_EVICT_INTERVAL;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int subscriptionCapacity = DEFAULT_SUBSCRIPTION_CAPACITY;
        private int ringSize = DEFAULT_RING_SIZE;
        private int maxTopics = DEFAULT_MAX_TOPICS;
        private int payloadCacheEntries = DEFAULT_PAYLOAD_CACHE_ENTRIES;
        private int maxAuthors = DEFAULT_MAX_AUTHORS;
        private long payloadCacheBytes = DEFAULT_PAYLOAD_CACHE_BYTES;
        private int missingCapacity = DEFAULT_MISSING_CAPACITY;
        private int lazyQueueCapacity = DEFAULT_LAZY_QUEUE_CAPACITY;
        private int pendingBroadcastCapacity = DEFAULT_PENDING_BROADCAST_CAPACITY;
        private int maxPeerDataSize = DEFAULT_MAX_PEER_DATA_SIZE;
        private long maxInFlightBroadcastBytes = DEFAULT_MAX_IN_FLIGHT_BROADCAST_BYTES;
        private long maxInFlightFrameBytes = DEFAULT_MAX_IN_FLIGHT_FRAME_BYTES;
        private Duration neighborCatchUpWindow = DEFAULT_NEIGHBOR_CATCH_UP_WINDOW;
        private IdleStrategy idleStrategy = null;
        private boolean signMessages = DEFAULT_SIGN_MESSAGES;
        private boolean verifySignatures = DEFAULT_VERIFY_SIGNATURES;
        private SignatureScheme signatureScheme = null;
        private int maxMessagesPerSignature = DEFAULT_MAX_MESSAGES_PER_SIGNATURE;
        private Duration signatureLinger = DEFAULT_SIGNATURE_LINGER;
        private int invalidSignatureLimit = DEFAULT_INVALID_SIGNATURE_LIMIT;
        private int rejectedMessageLimit = DEFAULT_REJECTED_MESSAGE_LIMIT;
        private boolean preallocate = DEFAULT_PREALLOCATE;
        private Path countersDir = null;

        private Builder()
        {
        }

        /** HyParView active view size (neighbors per topic). */
        public Builder activeViewCapacity(final int value)
        {
            this.activeViewCapacity = value;
            return this;
        }

        /** HyParView passive view size (backup contacts per topic). */
        public Builder passiveViewCapacity(final int value)
        {
            this.passiveViewCapacity = value;
            return this;
        }

        /** ForwardJoin time-to-live (ARWL). */
        public Builder activeRandomWalkLength(final int value)
        {
            this.activeRandomWalkLength = value;
            return this;
        }

        /** ForwardJoin hop at which the joiner enters the passive view (PRWL); at most activeRandomWalkLength. */
        public Builder passiveRandomWalkLength(final int value)
        {
            this.passiveRandomWalkLength = value;
            return this;
        }

        /** Shuffle time-to-live. */
        public Builder shuffleRandomWalkLength(final int value)
        {
            this.shuffleRandomWalkLength = value;
            return this;
        }

        /** Active peers sent in a Shuffle. */
        public Builder shuffleActiveViewCount(final int value)
        {
            this.shuffleActiveViewCount = value;
            return this;
        }

        /** Passive peers sent in a Shuffle. */
        public Builder shufflePassiveViewCount(final int value)
        {
            this.shufflePassiveViewCount = value;
            return this;
        }

        /** How often a topic starts a Shuffle. */
        public Builder shuffleInterval(final Duration value)
        {
            this.shuffleInterval = value;
            return this;
        }

        /** How long a Neighbor request waits for its reply before the next passive candidate is tried. */
        public Builder neighborRequestTimeout(final Duration value)
        {
            this.neighborRequestTimeout = value;
            return this;
        }

        /**
         * Silence after which a connected peer is reported down (default 2 s, at least 100 ms; see
         * {@link GossipConfig#failureDetectionTimeout()}).
         */
        public Builder failureDetectionTimeout(final Duration value)
        {
            this.failureDetectionTimeout = value;
            return this;
        }

        /** Passive contacts handed to a peer in the Disconnect that drops it. */
        public Builder disconnectContactCount(final int value)
        {
            this.disconnectContactCount = value;
            return this;
        }

        /** Contacts per topic remembered as failed and probed until they answer (0: no re-merging). */
        public Builder failedContactCapacity(final int value)
        {
            this.failedContactCapacity = value;
            return this;
        }

        /** How long a failed contact is remembered and probed, counted from its failure. */
        public Builder failedContactRetention(final Duration value)
        {
            this.failedContactRetention = value;
            return this;
        }

        /** How often a topic with failed contacts probes one of them (each contact's wait doubles from it). */
        public Builder failedContactProbeInterval(final Duration value)
        {
            this.failedContactProbeInterval = value;
            return this;
        }

        /** Lazy push batching window: IHave announcements are flushed this often (0: immediately). */
        public Builder ihaveInterval(final Duration value)
        {
            this.ihaveInterval = value;
            return this;
        }

        /** Wait after the first IHave for an unknown message before sending Graft. */
        public Builder graftTimeout1(final Duration value)
        {
            this.graftTimeout1 = value;
            return this;
        }

        /** Wait before grafting from each further advertiser. */
        public Builder graftTimeout2(final Duration value)
        {
            this.graftTimeout2 = value;
            return this;
        }

        /** Hop difference between an IHave and the eager delivery that triggers tree optimisation. */
        public Builder optimizationThreshold(final int value)
        {
            this.optimizationThreshold = value;
            return this;
        }

        /** See {@link GossipConfig#repairPush()}; default true. */
        public Builder repairPush(final boolean value)
        {
            this.repairPush = value;
            return this;
        }

        /** How long payloads are kept to answer Grafts. */
        public Builder messageCacheRetention(final Duration value)
        {
            this.messageCacheRetention = value;
            return this;
        }

        /** How long delivered message ids are remembered for deduplication. */
        public Builder messageIdRetention(final Duration value)
        {
            this.messageIdRetention = value;
            return this;
        }

        /** How often the caches are swept. */
        public Builder cacheEvictInterval(final Duration value)
        {
            this.cacheEvictInterval = value;
            return this;
        }

        /** Largest payload a user may broadcast, in bytes. */
        public Builder maxMessageSize(final int value)
        {
            this.maxMessageSize = value;
            return this;
        }

        /** Events buffered per subscription before Lagged; rounded to a power of two. */
        public Builder subscriptionCapacity(final int value)
        {
            this.subscriptionCapacity = value;
            return this;
        }

        /** Dispatcher ring slots; a power of two. */
        public Builder ringSize(final int value)
        {
            this.ringSize = value;
            return this;
        }

        /** Topics a node may join at once; subscribing beyond it throws. */
        public Builder maxTopics(final int value)
        {
            this.maxTopics = value;
            return this;
        }

        /** Authors whose seen-sequence windows a topic keeps; beyond it the least recent is forgotten. */
        public Builder maxAuthors(final int value)
        {
            this.maxAuthors = value;
            return this;
        }

        /** Payloads cached per topic to answer Grafts; when full the oldest is evicted early. */
        public Builder payloadCacheEntries(final int value)
        {
            this.payloadCacheEntries = value;
            return this;
        }

        /** Payload bytes kept per topic to answer Grafts; when full the oldest is evicted early. */
        public Builder payloadCacheBytes(final long value)
        {
            this.payloadCacheBytes = value;
            return this;
        }

        /**
         * Runs of announced-but-missing messages tracked per topic (16 to 1,048,576); see
         * {@link GossipConfig#missingCapacity()} for the policy when full.
         */
        public Builder missingCapacity(final int value)
        {
            this.missingCapacity = value;
            return this;
        }

        /**
         * Runs of ids queued per topic for the next IHave flush (a run: consecutive messages of one author with the
         * same recipients, up to 65,535); when full the queue is flushed at once.
         */
        public Builder lazyQueueCapacity(final int value)
        {
            this.lazyQueueCapacity = value;
            return this;
        }

        /** Broadcasts held per topic while it has no neighbor; when full further ones are rejected and counted. */
        public Builder pendingBroadcastCapacity(final int value)
        {
            this.pendingBroadcastCapacity = value;
            return this;
        }

        /** Largest contact data (addresses) a node attaches to its id in membership messages. */
        public Builder maxPeerDataSize(final int value)
        {
            this.maxPeerDataSize = value;
            return this;
        }

        /** How far back cached messages are announced to a new neighbor (zero: no catch-up). */
        public Builder neighborCatchUpWindow(final Duration value)
        {
            this.neighborCatchUpWindow = value;
            return this;
        }

        /** Bytes of received frames the dispatcher may have on its ring before the transport stops reading. */
        public Builder maxInFlightFrameBytes(final long value)
        {
            this.maxInFlightFrameBytes = value;
            return this;
        }

        /** Payload bytes of local broadcasts the dispatcher may have on its ring before publishers are held back. */
        public Builder maxInFlightBroadcastBytes(final long value)
        {
            this.maxInFlightBroadcastBytes = value;
            return this;
        }

        /** Idle strategy of the dispatcher (busy-spin for lowest latency; backoff by default). */
        public Builder idleStrategy(final IdleStrategy value)
        {
            this.idleStrategy = value;
            return this;
        }

        /** Sign every message this node authors (off by default). */
        public Builder signMessages(final boolean value)
        {
            this.signMessages = value;
            return this;
        }

        /** Drop received messages without a valid author signature (off by default). */
        public Builder verifySignatures(final boolean value)
        {
            this.verifySignatures = value;
            return this;
        }

        /** The Ed25519 implementation for message signatures (null, the default: the host's choice). */
        public Builder signatureScheme(final SignatureScheme value)
        {
            this.signatureScheme = value;
            return this;
        }

        /** Most own messages one signature covers (1 to 256; 64; 1: every message signed on its own). */
        public Builder maxMessagesPerSignature(final int value)
        {
            this.maxMessagesPerSignature = value;
            return this;
        }

        /** How long the dispatcher may wait for a run of messages to sign at once to grow (0 to 100 ms; 0). */
        public Builder signatureLinger(final Duration value)
        {
            this.signatureLinger = value;
            return this;
        }

        /** Missing or invalid signatures a peer may relay before it is disconnected (0 to 1,000,000; 16). */
        public Builder invalidSignatureLimit(final int value)
        {
            this.invalidSignatureLimit = value;
            return this;
        }

        /** Messages a validator rejects that a peer may send before it is disconnected (0 to 1,000,000; 16). */
        public Builder rejectedMessageLimit(final int value)
        {
            this.rejectedMessageLimit = value;
            return this;
        }

        /**
         * Allocate every per-topic table at its bound when the topic is created (off by default; see
         * {@link GossipConfig#preallocate()} for what it covers and costs).
         */
        public Builder preallocate(final boolean value)
        {
            this.preallocate = value;
            return this;
        }

        /** Keep the live counters in a memory-mapped file in this directory (null: in memory only, the default). */
        public Builder countersDir(final Path value)
        {
            this.countersDir = value;
            return this;
        }

        /** Validates and builds; an invalid value throws {@link IllegalArgumentException} naming the field. */
        public GossipConfig build()
        {
            checkRange("activeViewCapacity", activeViewCapacity, 1, 64);
            checkRange("maxMessagesPerSignature", maxMessagesPerSignature, 1, 256);
            checkDuration("signatureLinger", signatureLinger, Duration.ZERO, Duration.ofMillis(100));
            checkRange("invalidSignatureLimit", invalidSignatureLimit, 0, 1_000_000);
            checkRange("rejectedMessageLimit", rejectedMessageLimit, 0, 1_000_000);
            checkRange("passiveViewCapacity", passiveViewCapacity, 0, 1024);
            checkRange("activeRandomWalkLength", activeRandomWalkLength, 0, 64);
            checkRange("passiveRandomWalkLength", passiveRandomWalkLength, 0, 64);
            checkRange("shuffleRandomWalkLength", shuffleRandomWalkLength, 0, 64);
            checkRange("shuffleActiveViewCount", shuffleActiveViewCount, 0, 32);
            checkRange("shufflePassiveViewCount", shufflePassiveViewCount, 0, 32);
            checkDuration("shuffleInterval", shuffleInterval, Duration.ofMillis(1), Duration.ofHours(1));
            checkDuration("neighborRequestTimeout", neighborRequestTimeout, Duration.ofMillis(1), Duration.ofHours(1));
            checkDuration("failureDetectionTimeout", failureDetectionTimeout, Duration.ofMillis(100),
                Duration.ofMinutes(10));
            checkRange("disconnectContactCount", disconnectContactCount, 0, 32);
            checkRange("failedContactCapacity", failedContactCapacity, 0, 1024);
            checkDuration("failedContactRetention", failedContactRetention, Duration.ofSeconds(1), Duration.ofDays(1));
            checkDuration("failedContactProbeInterval", failedContactProbeInterval, Duration.ofMillis(1),
                Duration.ofHours(1));
            checkDuration("ihaveInterval", ihaveInterval, Duration.ofMillis(0), Duration.ofHours(1));
            checkDuration("graftTimeout1", graftTimeout1, Duration.ofMillis(1), Duration.ofHours(1));
            checkDuration("graftTimeout2", graftTimeout2, Duration.ofMillis(1), Duration.ofHours(1));
            checkRange("optimizationThreshold", optimizationThreshold, 1, 1024);
            checkDuration("messageCacheRetention", messageCacheRetention, Duration.ofMillis(1), Duration.ofDays(1));
            checkDuration("messageIdRetention", messageIdRetention, Duration.ofMillis(1), Duration.ofDays(1));
            checkDuration("cacheEvictInterval", cacheEvictInterval, Duration.ofMillis(1), Duration.ofHours(1));
            checkRange("maxMessageSize", maxMessageSize, 1, 16777216);
            checkRange("subscriptionCapacity", subscriptionCapacity, 16, 16777216);
            checkRange("ringSize", ringSize, 64, 67108864);
            checkRange("maxTopics", maxTopics, 1, 1048576);
            checkRange("maxAuthors", maxAuthors, 1, 16777216);
            checkRange("payloadCacheEntries", payloadCacheEntries, 1024, 67108864);
            checkRange("payloadCacheBytes", payloadCacheBytes, 0, 1073741824L);
            checkRange("missingCapacity", missingCapacity, 16, 1 << 20);
            checkRange("lazyQueueCapacity", lazyQueueCapacity, 16, 16777216);
            checkRange("pendingBroadcastCapacity", pendingBroadcastCapacity, 0, 1048576);
            checkRange("maxPeerDataSize", maxPeerDataSize, 0, 65535);
            checkRange("maxInFlightBroadcastBytes", maxInFlightBroadcastBytes, 1024, 1L << 34);
            checkRange("maxInFlightFrameBytes", maxInFlightFrameBytes, 1024, 1L << 34);
            checkDuration("neighborCatchUpWindow", neighborCatchUpWindow, Duration.ZERO, Duration.ofDays(1));
            if (passiveRandomWalkLength > activeRandomWalkLength)
            {
                throw new IllegalArgumentException("passiveRandomWalkLength: " + passiveRandomWalkLength
                    + " must not exceed activeRandomWalkLength " + activeRandomWalkLength);
            }
            if (Integer.bitCount(ringSize) != 1)
            {
                throw new IllegalArgumentException("ringSize: " + ringSize + " is not a power of two");
            }
            return new GossipConfig(this);
        }

        private static void checkRange(final String field, final long value, final long min, final long max)
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(field + ": " + value + " is outside [" + min + ", " + max + "]");
            }
        }

        private static void checkDuration(final String field, final Duration value, final Duration min,
            final Duration max)
        {
            if (value == null)
            {
                throw new IllegalArgumentException(field + ": null");
            }
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0)
            {
                throw new IllegalArgumentException(field + ": " + value + " is outside [" + min + ", " + max + "]");
            }
        }
    }
}
