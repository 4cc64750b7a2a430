package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeAddr;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.ThreadingMode;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.engine.AgronaAccess;
import dev.hearsay.engine.DispatcherInvoker;
import dev.hearsay.engine.EngineCounter;
import dev.hearsay.engine.GossipEngine;
import dev.hearsay.engine.NodeCounters;
import dev.hearsay.proto.ProtocolStats;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A gossip node on real sockets: the single-dispatcher {@link GossipEngine} over the {@link NettyTransport}. Start
 * one per process (or several on loopback for tests), teach it some peers' addresses with {@link #addPeer}, and
 * {@link #subscribe} to topics through bootstrap peers.
 */
public final class GossipNode implements AutoCloseable
{
    private final NodeKey key;
    private final GossipEngine engine;
    private final NettyTransport transport;
    private final TransportInfo transportInfo;
    private final NodeCounters counters;
    private final InetSocketAddress localAddress;
    private final NodeAddr addr;
    /** With {@link ThreadingMode#INVOKER}: the application's handle on the dispatcher; null otherwise. */
    private final DispatcherInvoker invoker;

    private GossipNode(final Builder b)
    {
        this.key = b.key != null ? b.key : NodeKey.generate();
        // Message signatures default to BouncyCastle's Ed25519 here: many times faster than the JDK's.
        final GossipConfig config = b.config.signatureScheme() != null ? b.config :
            b.config.toBuilder().signatureScheme(BouncyCastleSignatureScheme.INSTANCE).build();
        final TransportOptions options = b.threadingMode == null ? b.transportOptions
            : b.transportOptions.withDispatcherOnEventLoop(b.threadingMode == ThreadingMode.EVENT_LOOP);
        final int maxFrame = MessageEncoder.maxEncodedLength(config.maxMessageSize(), config.maxPeerDataSize());
        this.transport = new NettyTransport(key, options, maxFrame, config.maxPeerDataSize(),
            config.failureDetectionTimeoutNanos());
        this.transportInfo = new TransportInfo(transport);
        this.localAddress = transport.start(b.bindAddress);
        final List<InetSocketAddress> advertised = transport.advertisedAddresses();
        final byte[] contact = ContactAddresses.encode(advertised);
        transport.contactData(contact);
        NodeCounters nodeCounters = null;
        try
        {
            // One counters buffer for the engine, the protocol and the transport (one file for `stat`).
            nodeCounters = config.countersDir() != null ? NodeCounters.mapped(config.countersDir(), key.id()) :
                NodeCounters.inMemory(key.id());
            this.engine = new GossipEngine(key, config, transport, nodeCounters);
            transport.publishCounters(nodeCounters);
            engine.contactData(contact);
            if (b.threadingMode == ThreadingMode.INVOKER)
            {
                this.invoker = engine.startInvoker();
            }
            else
            {
                this.invoker = null;
                engine.start();
            }
        }
        catch (final RuntimeException e)
        {
            transport.close();
            if (nodeCounters != null)
            {
                nodeCounters.close();
            }
            throw e;
        }
        this.counters = nodeCounters;
        this.addr = new NodeAddr(key.id(), advertised);
    }

    /** A builder with defaults: generated key, any free port on all interfaces, default config and transport. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** This node's id. */
    public NodeId id()
    {
        return key.id();
    }

    /** This node's id and dialable addresses. */
    public NodeAddr addr()
    {
        return addr;
    }

    /** The bound listening address. */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /** Teaches the address book how to reach a peer. */
    public void addPeer(final NodeAddr peer)
    {
        Objects.requireNonNull(peer, "peer");
        transport.addAddresses(peer.id(), peer.addresses());
    }

    /**
     * Subscribes to {@code topic}, joining through {@code bootstrap} (whose addresses must be known, see
     * {@link #addPeer}). Returns once the subscription is on the dispatcher's ring: nothing that arrives for the
     * topic afterwards is lost to a race.
     */
    public Subscription subscribe(final TopicId topic, final Collection<NodeId> bootstrap)
    {
        return engine.subscribe(topic, bootstrap);
    }

    /**
     * Like {@link #subscribe(TopicId, Collection)} with delivery options, for example per-author FIFO order with gap
     * reports ({@link SubscriptionOptions#perAuthorFifo()}).
     */
    public Subscription subscribe(final TopicId topic, final Collection<NodeId> bootstrap,
        final SubscriptionOptions options)
    {
        return engine.subscribe(topic, bootstrap, options);
    }

    /** The engine (counters, protocol statistics). */
    public GossipEngine engine()
    {
        return engine;
    }

    /** What the transport may tell any thread: counters, connections, dials, known addresses. */
    public TransportInfo transport()
    {
        return transportInfo;
    }

    /** The transport itself, whose sending belongs to the dispatcher thread: for tests of this package. */
    NettyTransport nettyTransport()
    {
        return transport;
    }

    /** Current value of an engine counter. */
    public long counter(final EngineCounter counter)
    {
        return engine.counter(counter);
    }

    /**
     * The handle through which the application runs this node's dispatcher, with {@link ThreadingMode#INVOKER}.
     *
     * @throws IllegalStateException if the node was built with another threading mode.
     */
    public DispatcherInvoker invoker()
    {
        if (invoker == null)
        {
            throw new IllegalStateException("this node runs its own dispatcher; build it with ThreadingMode.INVOKER "
                + "to run the dispatcher on an application thread");
        }
        return invoker;
    }

    /** The durations of the dispatcher's busy duty cycles (see {@link dev.hearsay.engine.DutyCycles}). */
    public dev.hearsay.engine.DutyCycles dutyCycles()
    {
        return engine.dutyCycles();
    }

    /** A snapshot of the protocol's counters (see {@link GossipEngine#protocolStats()}). */
    public ProtocolStats protocolStats()
    {
        return engine.protocolStats();
    }

    /** The live counters of this node (engine, protocol, transport); a file when the config names a directory. */
    public NodeCounters counters()
    {
        return counters;
    }

    /** Leaves every topic politely, stops the dispatcher and the I/O threads, frees the port, deletes the counters file. */
    @Override
    public void close()
    {
        engine.close();
        transport.close();
        counters.close();
    }

    @Override
    public String toString()
    {
        return "GossipNode{" + id().shortString() + " @ " + localAddress + "}";
    }

    /** Builder of {@link GossipNode}. */
    public static final class Builder
    {
        private NodeKey key;
        private InetSocketAddress bindAddress = new InetSocketAddress(0);
        private GossipConfig config = GossipConfig.defaults();
        private TransportOptions transportOptions = TransportOptions.defaults();
        private ThreadingMode threadingMode;

        private Builder()
        {
        }

        /**
         * Which thread runs the dispatcher (default {@link ThreadingMode#DEDICATED}, or {@link ThreadingMode#EVENT_LOOP}
         * when the transport options ask for the event loop). With {@link ThreadingMode#INVOKER} the application runs
         * it through {@link GossipNode#invoker()}.
         */
        public Builder threadingMode(final ThreadingMode mode)
        {
            this.threadingMode = Objects.requireNonNull(mode, "threadingMode");
            return this;
        }

        /** The node's key (default: generated). */
        public Builder key(final NodeKey key)
        {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Where to listen (default 0.0.0.0:0, any free port). */
        public Builder bindAddress(final InetSocketAddress address)
        {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /** Protocol and engine settings. */
        public Builder config(final GossipConfig config)
        {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Transport settings. */
        public Builder transportOptions(final TransportOptions options)
        {
            this.transportOptions = Objects.requireNonNull(options, "transportOptions");
            return this;
        }

        /** Shorthand for the I/O mode of the transport options. */
        public Builder ioMode(final IoMode mode)
        {
            this.transportOptions = transportOptions.withIoMode(mode);
            return this;
        }

        /**
         * Shorthand for the read limit of the transport options: bytes per second read from the sockets, all
         * connections together (0: none). Emulates a slow link or a slow host, for tests and benchmarks.
         */
        public Builder readLimitBytesPerSecond(final int bytesPerSecond)
        {
            this.transportOptions = transportOptions.withReadLimitBytesPerSecond(bytesPerSecond);
            return this;
        }

        /**
         * Binds and starts the dispatcher; a bind failure throws {@link java.io.UncheckedIOException}. In a JVM
         * started without the option Agrona needs ({@link AgronaAccess#jvmOption()}) it throws
         * {@link IllegalStateException} naming that option, before anything is bound. Settings that cannot work
         * together throw {@link IllegalArgumentException} naming them: a peer's outbound queue must hold the
         * congestion threshold plus everything the dispatcher may still send it once congestion is seen (the
         * broadcasts and received frames already on its ring), else flow control cannot keep it from overflowing.
         */
        public GossipNode start()
        {
            AgronaAccess.require();
            final long needed = (long)transportOptions.congestionBytes() + config.maxInFlightBroadcastBytes()
                + config.maxInFlightFrameBytes();
            if (transportOptions.outboundQueueBytes() < needed)
            {
                throw new IllegalArgumentException("outboundQueueBytes: " + transportOptions.outboundQueueBytes()
                    + " is below congestionBytes + maxInFlightBroadcastBytes + maxInFlightFrameBytes = " + needed);
            }
            return new GossipNode(this);
        }
    }
}
