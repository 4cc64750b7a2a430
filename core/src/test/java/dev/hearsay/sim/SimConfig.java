package dev.hearsay.sim;

import dev.hearsay.GossipConfig;

import java.time.Duration;

/**
 * Settings of one simulation run: network model, scenario timing and the protocol configuration every simulated
 * node uses. Immutable; build with {@link #builder()}. All times are virtual nanoseconds.
 */
public final class SimConfig
{
    /**
     * The protocol settings the simulator uses by default: the network-wide defaults except a 5 s shuffle period
     * (instead of 60 s), so that the overlay stabilises within tens of virtual seconds rather than tens of minutes.
     * Shuffles only exchange passive contacts, so a faster period does not change broadcast behaviour.
     */
    public static final GossipConfig DEFAULT_PROTOCOL = GossipConfig.builder()
        .shuffleInterval(Duration.ofSeconds(5))
        .build();

    private final int nodes;
    private final long seed;
    private final long minLatencyNanos;
    private final long maxLatencyNanos;
    private final double lossRate;
    private final long crashDetectionNanos;
    private final boolean crashesReset;
    private final long dialTimeoutNanos;
    private final long partitionNanos;
    private final long joinIntervalNanos;
    private final long stabiliseNanos;
    private final long roundTimeoutNanos;
    private final long settleNanos;
    private final long promptNanos;
    private final int payloadSize;
    private final int warmupRounds;
    private final GossipConfig protocol;
    private final boolean useCodec;
    private final boolean decoderPerNode;

    private SimConfig(final Builder b)
    {
        this.nodes = b.nodes;
        this.seed = b.seed;
        this.minLatencyNanos = b.minLatencyNanos;
        this.maxLatencyNanos = b.maxLatencyNanos;
        this.lossRate = b.lossRate;
        this.crashDetectionNanos = b.crashDetectionNever ? Long.MAX_VALUE : b.protocol.failureDetectionTimeoutNanos();
        this.crashesReset = b.crashesReset;
        this.dialTimeoutNanos = b.dialTimeoutNanos;
        this.partitionNanos = b.partitionNanos;
        this.joinIntervalNanos = b.joinIntervalNanos;
        this.stabiliseNanos = b.stabiliseNanos;
        this.roundTimeoutNanos = b.roundTimeoutNanos;
        this.settleNanos = b.settleNanos;
        this.promptNanos = b.promptNanos;
        this.payloadSize = b.payloadSize;
        this.warmupRounds = b.warmupRounds;
        this.protocol = b.protocol;
        this.useCodec = b.useCodec;
        this.decoderPerNode = b.decoderPerNode;
    }

    /** A builder with the defaults. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Number of nodes bootstrapped. */
    public int nodes()
    {
        return nodes;
    }

    /** Seed of every random choice of the run (latencies, losses, contacts, senders, node keys). */
    public long seed()
    {
        return seed;
    }

    /** Smallest one-way link latency. */
    public long minLatencyNanos()
    {
        return minLatencyNanos;
    }

    /** Largest one-way link latency. */
    public long maxLatencyNanos()
    {
        return maxLatencyNanos;
    }

    /** Probability that a message is silently dropped (see {@link Simulator} for the semantics). */
    public double lossRate()
    {
        return lossRate;
    }

    /**
     * Delay after a silent crash before peers holding a connection to the crashed node are told it is down: the
     * protocol's {@link GossipConfig#failureDetectionTimeout()}, the same setting the TCP transport's failure
     * detector convicts a silent peer with, so simulated repair is timed like the real one. (The transport convicts
     * between about 5/8 of the timeout and 9/8 of it after a crash, depending on when the peer's last frame or
     * heartbeat left; the simulator takes the timeout itself.) {@link Long#MAX_VALUE} for never (peers then learn
     * only by sending to it).
     */
    public long crashDetectionNanos()
    {
        return crashDetectionNanos;
    }

    /**
     * True if a crash is a process killed on a host that stays up: its host closes every connection at once, so each
     * connected peer learns of it one link latency later, as with a SIGKILL on a real network. False (the default)
     * for a silent crash (a host down or cut off): connected peers learn after {@link #crashDetectionNanos()}, and
     * one that sends to the dead node gets a reset one latency later.
     */
    public boolean crashesReset()
    {
        return crashesReset;
    }

    /**
     * How long a dial across a partition's cut takes to fail (the transport's connect timeout, 3 s by default: the
     * peer's packets are lost, so no refusal comes back).
     */
    public long dialTimeoutNanos()
    {
        return dialTimeoutNanos;
    }

    /** How long the partition scenario keeps the network cut before it heals. */
    public long partitionNanos()
    {
        return partitionNanos;
    }

    /** Gap between two consecutive joins during bootstrap. */
    public long joinIntervalNanos()
    {
        return joinIntervalNanos;
    }

    /** Virtual time run after the last join before any broadcast. */
    public long stabiliseNanos()
    {
        return stabiliseNanos;
    }

    /** Longest a broadcast round waits for every expected delivery. */
    public long roundTimeoutNanos()
    {
        return roundTimeoutNanos;
    }

    /** Time run after the last expected delivery of a round, so duplicates, IHaves and Prunes are counted. */
    public long settleNanos()
    {
        return settleNanos;
    }

    /**
     * Deadline of a prompt delivery, counted from the broadcast: the share of expected deliveries made within it
     * is reported beside reliability, to tell delivery along the tree from delivery after repair.
     */
    public long promptNanos()
    {
        return promptNanos;
    }

    /** Payload bytes of each broadcast (at least 8: the first 8 carry the simulator's broadcast number). */
    public int payloadSize()
    {
        return payloadSize;
    }

    /** Unmeasured broadcast rounds run before a scenario's measured rounds (they build the PlumTree). */
    public int warmupRounds()
    {
        return warmupRounds;
    }

    /** Protocol settings of every node. */
    public GossipConfig protocol()
    {
        return protocol;
    }

    /** True (the default) if every message goes through the binary codec; false hands over message copies. */
    public boolean useCodec()
    {
        return useCodec;
    }

    /** True if each node decodes with a decoder of its own; false (default) if one decoder serves all. */
    public boolean decoderPerNode()
    {
        return decoderPerNode;
    }

    @Override
    public String toString()
    {
        return "SimConfig{nodes=" + nodes + ", seed=" + seed + ", latency=" + minLatencyNanos / 1_000_000 + "-"
            + maxLatencyNanos / 1_000_000 + " ms, loss=" + lossRate + ", crashDetection="
            + (crashDetectionNanos == Long.MAX_VALUE ? "never" : crashDetectionNanos / 1_000_000 + " ms")
            + ", crashes=" + (crashesReset ? "killed" : "silent")
            + ", dialTimeout=" + dialTimeoutNanos / 1_000_000 + " ms, partition=" + partitionNanos / 1_000_000 + " ms"
            + ", joinInterval=" + joinIntervalNanos / 1_000_000 + " ms, stabilise=" + stabiliseNanos / 1_000_000_000
            + " s, shuffle=" + protocol.shuffleInterval().toMillis() + " ms, codec=" + useCodec + (decoderPerNode ? " (decoder per node)" : "") + "}";
    }

    /** Builder of {@link SimConfig}. */
    public static final class Builder
    {
        private int nodes = 100;
        private long seed = 1;
        private long minLatencyNanos = 10_000_000L;
        private long maxLatencyNanos = 100_000_000L;
        private double lossRate = 0;
        private Duration crashDetection;
        private boolean crashDetectionNever;
        private boolean crashesReset;
        private long dialTimeoutNanos = 3_000_000_000L;
        private long partitionNanos = 30_000_000_000L;
        private long joinIntervalNanos = 2_000_000L;
        private long stabiliseNanos = 30_000_000_000L;
        private long roundTimeoutNanos = 10_000_000_000L;
        private long settleNanos = 300_000_000L;
        private long promptNanos = 1_000_000_000L;
        private int payloadSize = 64;
        private int warmupRounds = 1;
        private GossipConfig protocol = DEFAULT_PROTOCOL;
        private boolean useCodec = true;
        private boolean decoderPerNode = false;

        private Builder()
        {
        }

        /** Number of nodes bootstrapped. */
        public Builder nodes(final int value)
        {
            nodes = value;
            return this;
        }

        /** Seed of all randomness. */
        public Builder seed(final long value)
        {
            seed = value;
            return this;
        }

        /** Range of the one-way latency of each ordered pair (uniform, fixed per pair). */
        public Builder latency(final Duration min, final Duration max)
        {
            minLatencyNanos = min.toNanos();
            maxLatencyNanos = max.toNanos();
            return this;
        }

        /** Probability that a message is dropped. */
        public Builder lossRate(final double value)
        {
            lossRate = value;
            return this;
        }

        /**
         * Delay before connected peers learn of a silent crash: sets the protocol's
         * {@link GossipConfig#failureDetectionTimeout()} (whichever of this and {@link #protocol} is called first);
         * null for never (a model without a failure detector).
         */
        public Builder crashDetection(final Duration value)
        {
            crashDetection = value;
            crashDetectionNever = value == null;
            return this;
        }

        /** Crashes are processes killed on hosts that stay up ({@link SimConfig#crashesReset()}); default false. */
        public Builder crashesReset(final boolean value)
        {
            crashesReset = value;
            return this;
        }

        /** How long a dial across a partition's cut takes to fail. */
        public Builder dialTimeout(final Duration value)
        {
            dialTimeoutNanos = value.toNanos();
            return this;
        }

        /** How long the partition scenario keeps the network cut. */
        public Builder partition(final Duration value)
        {
            partitionNanos = value.toNanos();
            return this;
        }

        /** Gap between two consecutive joins during bootstrap. */
        public Builder joinInterval(final Duration value)
        {
            joinIntervalNanos = value.toNanos();
            return this;
        }

        /** Virtual time run after the last join. */
        public Builder stabilise(final Duration value)
        {
            stabiliseNanos = value.toNanos();
            return this;
        }

        /** Longest a round waits for every expected delivery. */
        public Builder roundTimeout(final Duration value)
        {
            roundTimeoutNanos = value.toNanos();
            return this;
        }

        /** Time run after a round's last expected delivery. */
        public Builder settle(final Duration value)
        {
            settleNanos = value.toNanos();
            return this;
        }

        /**
     * Deadline of a prompt delivery, counted from the broadcast: the share of expected deliveries made within it
     * is reported beside reliability, to tell delivery along the tree from delivery after repair.
     */
    public long promptNanos()
    {
        return promptNanos;
    }

    /** Payload bytes of each broadcast. */
        public Builder payloadSize(final int value)
        {
            payloadSize = value;
            return this;
        }

        /** Unmeasured rounds before the measured ones. */
        public Builder warmupRounds(final int value)
        {
            warmupRounds = value;
            return this;
        }

        /** Protocol settings of every node. */
        public Builder protocol(final GossipConfig value)
        {
            protocol = value;
            return this;
        }

        /** Whether messages go through the binary codec (default true). */
        public Builder useCodec(final boolean value)
        {
            useCodec = value;
            return this;
        }

        /** Whether each node gets a decoder of its own (slower at scale, same results; default false). */
        public Builder decoderPerNode(final boolean value)
        {
            decoderPerNode = value;
            return this;
        }

        /** Validates and builds; an invalid value throws {@link IllegalArgumentException} naming the field. */
        public SimConfig build()
        {
            check(nodes >= 1, "nodes: must be at least 1, got " + nodes);
            check(minLatencyNanos >= 0 && maxLatencyNanos >= minLatencyNanos,
                "latency: need 0 <= min <= max, got " + minLatencyNanos + ".." + maxLatencyNanos + " ns");
            check(lossRate >= 0 && lossRate < 1, "lossRate: must be in [0, 1), got " + lossRate);
            check(crashDetection == null || !crashDetection.isNegative(), "crashDetection: negative");
            check(dialTimeoutNanos > 0, "dialTimeout: must be positive");
            check(partitionNanos >= 0, "partition: negative");
            check(joinIntervalNanos >= 0, "joinInterval: negative");
            check(stabiliseNanos >= 0, "stabilise: negative");
            check(roundTimeoutNanos > 0, "roundTimeout: must be positive");
            check(settleNanos >= 0, "settle: negative");
            check(promptNanos > 0, "prompt: must be positive");
            check(warmupRounds >= 0, "warmupRounds: negative");
            check(protocol != null, "protocol: null");
            if (crashDetection != null)
            {
                protocol = protocol.toBuilder().failureDetectionTimeout(crashDetection).build();
            }
            check(payloadSize >= Long.BYTES && payloadSize <= protocol.maxMessageSize(),
                "payloadSize: must be in [8, maxMessageSize], got " + payloadSize);
            return new SimConfig(this);
        }

        private static void check(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
