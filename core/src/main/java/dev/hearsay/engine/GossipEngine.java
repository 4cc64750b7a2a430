package dev.hearsay.engine;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.codec.WireFormat;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.ProtocolStats;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A gossip node without a network of its own: the single dispatcher (one multi-producer Disruptor ring, one
 * consumer thread owning all protocol state) wired to a {@link Transport}. {@code GossipNode} in the transport
 * module wraps it with TCP; the in-memory network of core's test jar connects several in one JVM.
 * <p>
 * Producers: user threads ({@link #subscribe}, the {@link Subscription} methods, {@link #close()}) and transport
 * threads (through {@link #networkEvents()}) only copy data into ring slots. The dispatcher polls the ring with an
 * {@code EventPoller}, and a publish signals it only when it sleeps (one fence per publish, an unpark only then, see
 * {@code DispatcherWakeup}): no publish ever takes a lock, as the Disruptor's default blocking strategy would.
 * <p>
 * Back-pressure: a broadcast that finds the ring full, or that would take the payload bytes of broadcasts accepted
 * but not yet handled beyond {@link GossipConfig#maxInFlightBroadcastBytes()}, returns
 * {@link BroadcastResult#BACK_PRESSURED}; a frame that finds the ring full is refused (the transport pauses
 * reading). Control calls that must not be lost ({@link #subscribe}, {@link Subscription#close()}, {@link #close()})
 * wait for a free slot with a backoff idle strategy.
 */
public final class GossipEngine implements AutoCloseable
{
    /** Subscriptions open at once on one engine; {@link #subscribe} beyond it throws. */
    public static final int MAX_SUBSCRIPTIONS = 4096;

    /** How long {@link #close()} waits for the dispatcher to leave topics and stop before forcing it. */
    static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final System.Logger LOG = System.getLogger(GossipEngine.class.getName());
    /** The type byte of a Gossip frame (see {@link WireFormat#TYPE_OFFSET}). */
    private static final byte GOSSIP_CODE = (byte)MessageType.GOSSIP.code();

    private final NodeKey key;
    private final GossipConfig config;
    /** The dispatcher's clock: run signing stamps broadcasts with it when they may linger. */
    private final NanoClock clock;
    /** True if the dispatcher may wait for runs to grow (GossipConfig.signatureLinger over 0). */
    private final boolean lingers;
    private final Transport transport;
    private final RingBuffer<Slot> ring;
    /** The ring's publish hook, which wakes a dispatcher parked by {@link SignalledIdleStrategy}. */
    private final DispatcherWakeup wakeup = new DispatcherWakeup();
    /** The dispatcher's position on the ring. */
    private final Sequence pollerSequence;
    private final NodeCounters nodeCounters;
    private final boolean ownsCounters;
    private final EngineCounters counters;
    private final Dispatcher dispatcher;
    /** Whichever thread runs the dispatcher's duty cycle: checked by dispatcher-only methods in debug mode. */
    private final DispatcherThread threadCheck = new DispatcherThread();
    private final NetworkEvents networkEvents = new RingPublisher();
    private final int maxFrameLength;
    private final AtomicInteger openSubscriptions = new AtomicInteger();
    /**
     * Open subscriptions per topic, replaced copy-on-write by compare-and-set: subscribing is rare, and a lock-free
     * update lets the dispatcher release a reservation without ever blocking.
     */
    private final AtomicReference<Map<TopicId, TopicReservation>> topicSubscriptions =
        new AtomicReference<>(Map.of());
    /** This node's epoch, part of the ids of the messages it authors. */
    private final int epoch;
    /** The Ed25519 implementation for message signatures (the configured one, or the JDK's). */
    private final SignatureScheme signatureScheme;
    /** With signMessages: each publishing thread's signer (null when off). */
    private final ThreadLocal<PublisherSigning> publisherSigning;
    /** With verifySignatures: each frame-producing thread's verifier (null when off). */
    private final ThreadLocal<InboundVerifier> inboundVerifier;
    /** The validators of each topic, set by its subscriptions (see {@link dev.hearsay.MessageValidator}). */
    private final TopicValidators topicValidators = new TopicValidators();
    /** Each frame-producing thread's validation, used while some topic has a validator. */
    private final ThreadLocal<InboundValidation> inboundValidation;
    /** Payload bytes of broadcasts on the ring not yet handled (padded: producers and the dispatcher write it). */
    /**
     * What a broadcast counts against {@link GossipConfig#maxInFlightBroadcastBytes()} beyond its payload: the
     * largest Gossip frame header (with a signature). The bound is then one on the frames it becomes, which is what
     * the outbound queues must hold.
     */
    public static final int BROADCAST_FRAME_OVERHEAD = dev.hearsay.codec.WireFormat.HEADER_LENGTH
        + dev.hearsay.codec.WireFormat.GOSSIP_FIXED_LENGTH + dev.hearsay.codec.WireFormat.SIGNATURE_LENGTH;
    private final Sequence inFlightBroadcastBytes = new Sequence(0);
    /** Bytes of received frames on the ring not yet handled; see {@link GossipConfig#maxInFlightFrameBytes()}. */
    private final Sequence inFlightFrameBytes = new Sequence(0);
    private final long maxInFlightFrameBytes;
    private final long maxInFlightBroadcastBytes;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    private volatile AgentRunner runner;
    /** With a transport that hosts the dispatcher: the dispatcher as its host runs it (else null). */
    private volatile HostedDispatcher hosted;
    /** With {@code ThreadingMode.INVOKER}: the application's handle on the dispatcher. */
    private volatile DispatcherInvoker invoker;
    private volatile Thread dispatcherThread;

    /**
     * An engine with a random protocol seed and a random epoch, so that a restarted node's message ids do not
     * collide with its previous life's, whatever the clock does (two lives share an epoch with probability 2^-32).
     */
    public GossipEngine(final NodeKey key, final GossipConfig config, final Transport transport)
    {
        this(key, config, transport, new SecureRandom().nextLong(), randomEpoch());
    }

    /** A random epoch: any int but 0 (an orderer's "none"). */
    static int randomEpoch()
    {
        final SecureRandom random = new SecureRandom();
        int epoch;
        do
        {
            epoch = random.nextInt();
        }
        while (epoch == 0);
        return epoch;
    }

    /** An engine with an explicit protocol seed (randomness is then reproducible) and epoch. */
    public GossipEngine(final NodeKey key, final GossipConfig config, final Transport transport, final long seed,
        final int epoch)
    {
        this(key, config, transport, seed, epoch, SystemNanoClock.INSTANCE, null);
    }

    /**
     * An engine whose live counters go into {@code counters}, which the caller allocated (for example to add its
     * transport's counters to the same file) and closes after this engine. The engine's own constructors create
     * the counters themselves (a mapped file when {@link GossipConfig#countersDir()} is set) and close them.
     */
    public GossipEngine(final NodeKey key, final GossipConfig config, final Transport transport,
        final NodeCounters counters)
    {
        this(key, config, transport, new SecureRandom().nextLong(), randomEpoch(),
            SystemNanoClock.INSTANCE, Objects.requireNonNull(counters, "counters"));
    }

    GossipEngine(final NodeKey key, final GossipConfig config, final Transport transport, final long seed,
        final int epoch, final NanoClock clock)
    {
        this(key, config, transport, seed, epoch, clock, null);
    }

    private GossipEngine(final NodeKey key, final GossipConfig config, final Transport transport, final long seed,
        final int epoch, final NanoClock clock, final NodeCounters counters)
    {
        AgronaAccess.require();
        this.key = Objects.requireNonNull(key, "key");
        this.config = Objects.requireNonNull(config, "config");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lingers = config.signMessages() && config.maxMessagesPerSignature() > 1
            && !config.signatureLinger().isZero();
        this.ownsCounters = counters == null;
        this.nodeCounters = counters != null ? counters : openCounters(config, key.id());
        this.counters = new EngineCounters(nodeCounters);
        this.maxInFlightBroadcastBytes = config.maxInFlightBroadcastBytes();
        this.maxInFlightFrameBytes = config.maxInFlightFrameBytes();
        this.maxFrameLength = MessageEncoder.maxEncodedLength(config.maxMessageSize(), config.maxPeerDataSize());
        this.epoch = epoch;
        this.signatureScheme = config.signatureScheme() != null ? config.signatureScheme() : SignatureScheme.jdk();
        if (config.signMessages() || config.verifySignatures())
        {
            MessageSigning.selfTest(signatureScheme, key);
        }
        this.publisherSigning = config.signMessages() ?
            ThreadLocal.withInitial(() -> new PublisherSigning(signatureScheme, key,
                config.maxMessagesPerSignature() > 1, config.signatureLinger().toNanos())) : null;
        final VerifiedIds verifiedIds = new VerifiedIds();
        this.inboundVerifier = config.verifySignatures() ?
            ThreadLocal.withInitial(() -> new InboundVerifier(config, signatureScheme, verifiedIds, this.counters)) :
            null;
        final VerifiedIds settledIds = new VerifiedIds();
        final long fingerprintKey = new SecureRandom().nextLong();
        this.inboundValidation = ThreadLocal.withInitial(
            () -> new InboundValidation(config, topicValidators, settledIds, fingerprintKey, this.counters));
        final int retainLimit = Math.min(maxFrameLength,
            WireFormat.HEADER_LENGTH + WireFormat.GOSSIP_FIXED_LENGTH + config.maxMessageSize()
                + (config.signMessages() || config.verifySignatures() ? WireFormat.MAX_SIGNATURE_TRAILER_LENGTH
                : WireFormat.SIGNATURE_LENGTH));
        // Spare arrays for the frames that do not size the slots, up to the largest IHave (see Slot); at most an
        // eighth of the ring's slots can keep one, so the pool holds at most ringSize / 8 x 12.3 KB by default.
        final SpareBuffers spares = new SpareBuffers(Math.min(maxFrameLength, WireFormat.HEADER_LENGTH
            + WireFormat.IHAVE_COUNT_LENGTH + IHave.MAX_RUNS * WireFormat.RUN_ENTRY_LENGTH), config.ringSize() / 8);
        this.ring = RingBuffer.createMultiProducer(
            () -> new Slot(maxFrameLength, retainLimit, spares), config.ringSize(), wakeup);
        final EventPoller<Slot> poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.pollerSequence = poller.getSequence();
        final ErrorHandler errorHandler = GossipEngine::logError;
        this.dispatcher = new Dispatcher(this, poller, transport, this.counters, clock, errorHandler, seed, epoch,
            maxFrameLength);
        transport.bind(networkEvents);
    }

    /** Live counters for this node: a mapped file when the configuration names a directory. */
    private static NodeCounters openCounters(final GossipConfig config, final NodeId id)
    {
        return config.countersDir() != null ? NodeCounters.mapped(config.countersDir(), id) :
            NodeCounters.inMemory(id);
    }

    /** The node's counters buffer (engine, protocol and, under a GossipNode, transport counters). */
    public NodeCounters nodeCounters()
    {
        return nodeCounters;
    }

    /** This node's id. */
    public NodeId id()
    {
        return key.id();
    }

    /** This node's key (publishing threads sign with it when signMessages is on). */
    NodeKey key()
    {
        return key;
    }

    /** The Ed25519 implementation this engine signs and verifies with. */
    SignatureScheme signatureScheme()
    {
        return signatureScheme;
    }

    /** The configuration. */
    public GossipConfig config()
    {
        return config;
    }

    /** The publisher through which transports put network events on this engine's ring. */
    public NetworkEvents networkEvents()
    {
        return networkEvents;
    }

    /** Largest frame this engine accepts or sends (the encoded size of the largest valid message). */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * Starts the engine with no dispatcher thread of its own ({@code ThreadingMode.INVOKER}): the application runs
     * the duty cycle through the returned invoker, on a thread of its choosing.
     */
    public DispatcherInvoker startInvoker()
    {
        if (closed)
        {
            throw new IllegalStateException("engine closed");
        }
        if (!started.compareAndSet(false, true))
        {
            throw new IllegalStateException("engine already started");
        }
        final HostedDispatcher hostedDispatcher = new HostedDispatcher(dispatcher, ring, pollerSequence, true);
        final DispatcherInvoker i = new DispatcherInvoker(this, hostedDispatcher);
        invoker = i;
        hosted = hostedDispatcher;
        dispatcher.hosted();
        return i;
    }

    /** The invoker's first thread became the dispatcher thread. */
    void ownedBy(final Thread thread)
    {
        dispatcherThread = thread;
    }

    /** Starts the dispatcher thread, which then idles with {@link GossipConfig#idleStrategy()}. */
    public GossipEngine start()
    {
        if (closed)
        {
            throw new IllegalStateException("engine closed");
        }
        if (!started.compareAndSet(false, true))
        {
            throw new IllegalStateException("engine already started");
        }
        final IdleStrategy idle = config.idleStrategy();
        final DispatcherHost host = transport.dispatcherHost();
        if (host != null)
        {
            // A spinning idle strategy asks for a host that never sleeps; any other, for one that sleeps until a
            // publish wakes it (as the signalled strategy does).
            final boolean mayBlock = !(idle instanceof org.agrona.concurrent.BusySpinIdleStrategy
                || idle instanceof org.agrona.concurrent.NoOpIdleStrategy);
            final HostedDispatcher hostedDispatcher = new HostedDispatcher(dispatcher, ring, pollerSequence, mayBlock);
            hosted = hostedDispatcher;
            dispatcher.hosted();
            wakeup.hostedBy(host);
            dispatcherThread = host.host(hostedDispatcher);
            return this;
        }
        if (idle instanceof SignalledIdleStrategy signalled)
        {
            // Anything claimed beyond the dispatcher's position counts: published, or about to be (and then its
            // publish finds the dispatcher asleep and unparks it).
            signalled.bind(wakeup, () -> ring.getCursor() > pollerSequence.get() && !dispatcher.lingering(),
                dispatcher::untilDeadline);
        }
        final AgentRunner r = new AgentRunner(idle, GossipEngine::logError, null, dispatcher);
        runner = r;
        dispatcherThread = AgentRunner.startOnThread(r, task ->
        {
            final Thread t = new Thread(task, dispatcher.roleName());
            t.setDaemon(true);
            return t;
        });
        return this;
    }

    /**
     * Subscribes to {@code topic}, joining it through {@code bootstrap} if this node has not joined it yet (or
     * adding the bootstrap peers if it has). Returns once the Subscribe event is on the ring: every frame for the
     * topic that reaches the node afterwards is delivered to the new subscription. Waits while the ring is full.
     *
     * @throws IllegalStateException if the engine is closed, {@value #MAX_SUBSCRIPTIONS} subscriptions are open, or
     *                               {@code topic} is new and the node already has {@link GossipConfig#maxTopics()}
     *                               topics (checked here, synchronously; a topic counts until its last subscription
     *                               is closed). A refusal found later by the dispatcher completes
     *                               {@link Subscription#joined()} exceptionally and closes the subscription.
     */
    public Subscription subscribe(final TopicId topic, final Collection<NodeId> bootstrap)
    {
        return subscribe(topic, bootstrap, SubscriptionOptions.defaults());
    }

    /**
     * Like {@link #subscribe(TopicId, Collection)} with delivery options, for example per-author FIFO order with
     * gap reports ({@link SubscriptionOptions#perAuthorFifo()}). Ordering runs on the dispatcher thread.
     */
    public Subscription subscribe(final TopicId topic, final Collection<NodeId> bootstrap,
        final SubscriptionOptions options)
    {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(options, "options");
        final List<NodeId> peers = List.copyOf(bootstrap);
        if (closed)
        {
            throw new IllegalStateException("engine closed");
        }
        if (openSubscriptions.incrementAndGet() > MAX_SUBSCRIPTIONS)
        {
            openSubscriptions.decrementAndGet();
            throw new IllegalStateException("too many subscriptions: " + MAX_SUBSCRIPTIONS + " are open");
        }
        final TopicSequences sequences;
        try
        {
            sequences = reserveTopic(topic);
        }
        catch (final IllegalStateException ex)
        {
            openSubscriptions.decrementAndGet();
            throw ex;
        }
        final EngineSubscription subscription =
            new EngineSubscription(this, topic, config.subscriptionCapacity(), config.maxMessageSize(), options,
                sequences);
        if (options.validator() != null)
        {
            // Before the Subscribe is on the ring: every frame of the topic handed over after subscribe returns is
            // validated, as every one is delivered.
            topicValidators.add(topic, options.validator());
        }
        final long sequence = claimWaiting();
        if (sequence < 0)
        {
            openSubscriptions.decrementAndGet();
            releaseTopic(subscription);
            throw new IllegalStateException("engine closed");
        }
        final Slot slot = ring.get(sequence);
        slot.topic = topic;
        slot.subscription = subscription;
        slot.attachment = peers;
        slot.kind = Slot.SUBSCRIBE;
        ring.publish(sequence);
        return subscription;
    }

    /** Sets the contact data (for example encoded addresses) this node attaches to its id in membership messages. */
    public void contactData(final byte[] data)
    {
        final byte[] copy = data.clone();
        final long sequence = claimWaiting();
        if (sequence >= 0)
        {
            final Slot slot = ring.get(sequence);
            slot.attachment = copy;
            slot.kind = Slot.CONTACT_DATA;
            ring.publish(sequence);
        }
    }

    /**
     * How long the dispatcher's busy duty cycles took, as a histogram, and what the slowest lately did (published
     * as gauges with the counters): for finding the source of a latency tail. Any thread.
     */
    public DutyCycles dutyCycles()
    {
        return dispatcher.dutyCycles();
    }

    /** The thread running the dispatcher, for the debug check of dispatcher-only methods ({@link DispatcherThread}). */
    DispatcherThread threadCheck()
    {
        return threadCheck;
    }

    /** Current value of an engine counter (any thread). */
    public long counter(final EngineCounter counter)
    {
        return counters.get(counter);
    }

    /**
     * A snapshot of the protocol's counters, taken on the calling thread: the dispatcher writes them as plain fields,
     * so values may be slightly stale; the returned object is the caller's own.
     */
    public ProtocolStats protocolStats()
    {
        return dispatcher.protocol().stats().snapshot();
    }

    /** The protocol state; only safe to read on the dispatcher thread or once the engine is quiet (tests). */
    dev.hearsay.proto.ProtocolState protocol()
    {
        return dispatcher.protocol();
    }

    /** True once {@link #close()} has been called. */
    public boolean isClosed()
    {
        return closed;
    }

    /** True once {@link #close()} has begun (any thread): the dispatcher then stops holding for slow readers. */
    boolean isClosing()
    {
        return closing.get();
    }

    /** The dispatcher thread, or null before {@link #start()}. */
    public Thread dispatcherThread()
    {
        return dispatcherThread;
    }

    /**
     * Leaves every topic politely (Disconnect to neighbors), closes the transport and stops the dispatcher thread,
     * waiting for it to end. Idempotent. Events still on the ring behind the Shutdown event are discarded; a
     * broadcast racing with close may be accepted and then discarded.
     */
    @Override
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        final HostedDispatcher h = hosted;
        if (h != null)
        {
            closeHosted(h);
            return;
        }
        final AgentRunner r = runner;
        if (r == null)
        {
            closed = true;
            transport.close();
            closeCounters();
            return;
        }
        final long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        final Thread thread = dispatcherThread;
        while (!r.isClosed() && thread.isAlive() && System.nanoTime() < deadline && !tryPublishShutdown())
        {
            idle.idle();
        }
        // From here on producers are told the engine is closed; the Shutdown event is already ahead of them.
        closed = true;
        if (Thread.currentThread() == thread)
        {
            closeCounters();
            return; // closed from a callback on the dispatcher: it stops after this duty cycle
        }
        try
        {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        r.close();
        if (!dispatcher.transportClosed())
        {
            // The runner was closed before its thread ran the agent: nobody else will close the transport.
            transport.close();
        }
        closeCounters();
    }

    /**
     * Close with a hosted dispatcher: the Shutdown event, then (from any thread but the host's) a wait for the
     * dispatcher to leave its topics and stop, then the transport. On the host's thread (a handler closing its
     * engine) nothing can be waited for: the dispatcher stops after this duty cycle and then closes the transport,
     * which must not wait for its own threads there.
     */
    private void closeHosted(final HostedDispatcher h)
    {
        final long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        final DispatcherInvoker i = invoker;
        if (i != null && i.claim(Thread.currentThread()))
        {
            // The application never invoked the dispatcher: this thread owns it now and runs the shutdown itself.
            while (!tryPublishShutdown() && System.nanoTime() < deadline)
            {
                h.doWork();
            }
            while (h.doWork() >= 0 && System.nanoTime() < deadline)
            {
                idle.idle();
            }
            h.stop();
            closed = true;
            transport.close();
            closeCounters();
            return;
        }
        final Thread thread = dispatcherThread;
        final boolean onHost = Thread.currentThread() == thread;
        if (onHost)
        {
            // The dispatcher closes the transport once it has left its topics, after this duty cycle.
            dispatcher.closeTransportWhenStopped();
        }
        while (!h.finished() && thread.isAlive() && System.nanoTime() < deadline && !tryPublishShutdown())
        {
            if (onHost)
            {
                // Only this thread empties the ring: stop the dispatcher now (it still leaves its topics).
                h.stop();
                break;
            }
            idle.idle();
        }
        closed = true;
        if (onHost)
        {
            closeCounters();
            return;
        }
        if (!h.awaitFinished(Math.max(0, deadline - System.nanoTime())))
        {
            LOG.log(System.Logger.Level.WARNING, "dispatcher did not stop within {0} s; closing the transport under it",
                TimeUnit.NANOSECONDS.toSeconds(CLOSE_TIMEOUT_NANOS));
        }
        transport.close();
        closeCounters();
    }

    /** Puts the Shutdown event on the ring; false if the ring is full. */
    private boolean tryPublishShutdown()
    {
        try
        {
            final long sequence = ring.tryNext();
            ring.get(sequence).kind = Slot.SHUTDOWN;
            ring.publish(sequence);
            return true;
        }
        catch (final InsufficientCapacityException ex)
        {
            return false;
        }
    }

    private void closeCounters()
    {
        if (ownsCounters)
        {
            nodeCounters.close();
        }
    }

    @Override
    public String toString()
    {
        return "GossipEngine{" + id().shortString() + ", " + counters + "}";
    }

    // ---------------------------------------------------------------- producers (package)

    long publishBroadcast(final EngineSubscription subscription, final boolean neighborsOnly, final byte[] payload)
    {
        if (publisherSigning != null)
        {
            final PublisherSigning signing = publisherSigning.get();
            signing.payloadView.wrap(payload);
            return publishSignedBroadcast(signing, subscription, neighborsOnly, signing.payloadView, 0,
                payload.length);
        }
        final long sequence = claimBroadcast(payload.length);
        if (sequence < 0)
        {
            return sequence;
        }
        final Slot slot = ring.get(sequence);
        try
        {
            slot.copy(payload, 0, payload.length);
            slot.topic = subscription.topic();
            slot.subscription = subscription;
            slot.kind = neighborsOnly ? Slot.BROADCAST_NEIGHBORS : Slot.BROADCAST;
        }
        finally
        {
            ring.publish(sequence);
        }
        return sequence;
    }

    long publishBroadcast(final EngineSubscription subscription, final boolean neighborsOnly,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (publisherSigning != null)
        {
            return publishSignedBroadcast(publisherSigning.get(), subscription, neighborsOnly, buffer, offset, length);
        }
        final long sequence = claimBroadcast(length);
        if (sequence < 0)
        {
            return sequence;
        }
        final Slot slot = ring.get(sequence);
        try
        {
            slot.copy(buffer, offset, length, true);
            slot.topic = subscription.topic();
            slot.subscription = subscription;
            slot.kind = neighborsOnly ? Slot.BROADCAST_NEIGHBORS : Slot.BROADCAST;
        }
        finally
        {
            ring.publish(sequence);
        }
        return sequence;
    }

    /**
     * With signMessages: numbers and signs the broadcast here, on the publishing thread, so that the dispatcher
     * only sends it. The signature is made before the ring slot is claimed (a claimed slot holds up the dispatcher
     * until it is published) over the number after the topic's last; the number is taken only once the slot is
     * claimed, so a refused broadcast leaves no hole in the sequence. If another thread took that number meanwhile
     * (two threads broadcasting on one topic), the next free one is taken and the message signed again.
     */
    private long publishSignedBroadcast(final PublisherSigning signing, final EngineSubscription subscription,
        final boolean neighborsOnly, final DirectBuffer buffer, final int offset, final int length)
    {
        if (signing.joinsRun(ring.getCursor() > pollerSequence.get()))
        {
            return publishForRunSigning(subscription, neighborsOnly, buffer, offset, length);
        }
        final TopicId topic = subscription.topic();
        final java.util.concurrent.atomic.AtomicLong counter = subscription.sequences.counter(neighborsOnly);
        final long last = counter.get();
        long count = last + 1;
        signing.sign(topic, key.id(), epoch, TopicSequences.sequence(neighborsOnly, count), neighborsOnly, buffer,
            offset, length);
        final long sequence = claimBroadcast(length);
        if (sequence < 0)
        {
            return sequence;
        }
        final Slot slot = ring.get(sequence);
        try
        {
            if (!counter.compareAndSet(last, count))
            {
                count = counter.incrementAndGet();
                signing.sign(topic, key.id(), epoch, TopicSequences.sequence(neighborsOnly, count), neighborsOnly,
                    buffer, offset, length);
            }
            slot.copySigned(buffer, offset, length, signing.signature, Gossip.SIGNATURE_LENGTH);
            slot.signed = true;
            slot.sequence = TopicSequences.sequence(neighborsOnly, count);
            slot.topic = topic;
            slot.subscription = subscription;
            slot.kind = neighborsOnly ? Slot.BROADCAST_NEIGHBORS : Slot.BROADCAST;
        }
        finally
        {
            ring.publish(sequence);
        }
        counters.incrementShared(EngineCounter.MESSAGES_SIGNED);
        return sequence;
    }

    /**
     * With signMessages, in a burst: numbers the broadcast and leaves it unsigned in the ring, with room for a batch
     * proof, for the dispatcher to sign with the run of such broadcasts it finds there ({@link RunSigner}).
     */
    private long publishForRunSigning(final EngineSubscription subscription, final boolean neighborsOnly,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final long sequence = claimBroadcast(length);
        if (sequence < 0)
        {
            return sequence;
        }
        final Slot slot = ring.get(sequence);
        try
        {
            slot.copyLeavingRoom(buffer, offset, length, WireFormat.MAX_SIGNATURE_TRAILER_LENGTH);
            slot.awaitingSignature = true;
            slot.sequence = TopicSequences.sequence(neighborsOnly,
                subscription.sequences.counter(neighborsOnly).incrementAndGet());
            slot.topic = subscription.topic();
            slot.subscription = subscription;
            slot.kind = neighborsOnly ? Slot.BROADCAST_NEIGHBORS : Slot.BROADCAST;
            slot.publishedNanos = lingers ? clock.nanoTime() : 0;
            slot.awaitingSignatureAs(sequence);
        }
        finally
        {
            ring.publish(sequence);
        }
        return sequence;
    }

    /** The ring, for the dispatcher's {@link RunSigner} to read ahead of its poller. */
    RingBuffer<Slot> ring()
    {
        return ring;
    }

    /** Tests: true while the dispatcher waits for a run of broadcasts to grow (signatureLinger). */
    boolean dispatcherLingering()
    {
        return dispatcher.lingering();
    }

    /** The last ring sequence the dispatcher has handled. */
    long handledSequence()
    {
        return pollerSequence.get();
    }

    /**
     * Claims a ring slot for a broadcast of {@code length} payload bytes, or returns a negative
     * {@link BroadcastResult} code. The in-flight byte bound admits a broadcast whenever nothing else is in flight,
     * so a single payload larger than the bound is still accepted (alone).
     */
    private long claimBroadcast(final int length)
    {
        if (closed)
        {
            return BroadcastResult.CLOSED;
        }
        if (transport.backPressured())
        {
            // A peer's outbound queue is above its high-water mark: hold publishers back until it drains (or the
            // transport gives up on the peer).
            counters.incrementShared(EngineCounter.BROADCASTS_BACK_PRESSURED);
            return BroadcastResult.BACK_PRESSURED;
        }
        final long cost = length + BROADCAST_FRAME_OVERHEAD;
        final long before = inFlightBroadcastBytes.getAndAdd(cost);
        if (before > 0 && before + cost > maxInFlightBroadcastBytes)
        {
            inFlightBroadcastBytes.getAndAdd(-cost);
            counters.incrementShared(EngineCounter.BROADCASTS_BACK_PRESSURED);
            return BroadcastResult.BACK_PRESSURED;
        }
        try
        {
            return ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            inFlightBroadcastBytes.getAndAdd(-cost);
            counters.incrementShared(EngineCounter.BROADCASTS_BACK_PRESSURED);
            return BroadcastResult.BACK_PRESSURED;
        }
    }

    /** Called by the dispatcher once per duty cycle with the bytes (payload and overhead) of the broadcasts it handled. */
    void broadcastBytesHandled(final long bytes)
    {
        inFlightBroadcastBytes.getAndAdd(-bytes);
    }

    /** Called by the dispatcher once per duty cycle with the bytes of the received frames it handled. */
    void frameBytesHandled(final long bytes)
    {
        inFlightFrameBytes.getAndAdd(-bytes);
    }

    /** Bytes (payload plus {@link #BROADCAST_FRAME_OVERHEAD} each) of broadcasts accepted and not yet handled. */
    public long inFlightBroadcastBytes()
    {
        return inFlightBroadcastBytes.get();
    }

    void publishJoinPeers(final EngineSubscription subscription, final List<NodeId> peers)
    {
        final long sequence = claimWaiting();
        if (sequence >= 0)
        {
            final Slot slot = ring.get(sequence);
            slot.topic = subscription.topic();
            slot.subscription = subscription;
            slot.attachment = peers;
            slot.kind = Slot.JOIN_PEERS;
            ring.publish(sequence);
        }
    }

    void publishUnsubscribe(final EngineSubscription subscription)
    {
        if (Thread.currentThread() == dispatcherThread)
        {
            // From a dispatcher handler: waiting for ring space here would wait for this very thread.
            dispatcher.unsubscribeAfterCycle(subscription);
            return;
        }
        if (closed)
        {
            return;
        }
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            // The ring is full, perhaps held for a subscription this very thread reads: waiting for space here could
            // wait for the slow-subscriber timeout. The subscription is closed already (nothing more reaches it);
            // the dispatcher removes it at its next cycle instead.
            dispatcher.unsubscribeSoon(subscription);
            wakeup.signalAllWhenBlocking();
            return;
        }
        final Slot slot = ring.get(sequence);
        slot.topic = subscription.topic();
        slot.subscription = subscription;
        slot.kind = Slot.UNSUBSCRIBE;
        ring.publish(sequence);
    }

    /**
     * Counts a subscription of {@code topic}; a new topic beyond {@code maxTopics} is refused. Returns the topic's
     * sequence counters (see {@link TopicSequences}), shared while the topic has subscriptions.
     */
    private TopicSequences reserveTopic(final TopicId topic)
    {
        while (true)
        {
            final Map<TopicId, TopicReservation> current = topicSubscriptions.get();
            final TopicReservation reservation = current.get(topic);
            if (reservation == null && current.size() >= config.maxTopics())
            {
                throw new IllegalStateException("maxTopics: this node already has " + current.size()
                    + " topics, the configured limit; close the subscriptions of a topic before subscribing to "
                    + "another (refused: " + topic.shortString() + ")");
            }
            final HashMap<TopicId, TopicReservation> next = new HashMap<>(current);
            final TopicReservation reserved = reservation == null ? new TopicReservation(1, new TopicSequences()) :
                new TopicReservation(reservation.count() + 1, reservation.sequences());
            next.put(topic, reserved);
            if (topicSubscriptions.compareAndSet(current, next))
            {
                return reserved.sequences();
            }
        }
    }

    /** A topic's open subscriptions on this node and their sequence counters. */
    private record TopicReservation(int count, TopicSequences sequences)
    {
    }

    /**
     * Gives back {@code subscription}'s count of its topic, once: after its Unsubscribe is on the ring (a later
     * Subscribe that sees the freed place is behind it in ring order), or when the dispatcher refused it.
     */
    void releaseTopic(final EngineSubscription subscription)
    {
        if (!subscription.releaseTopicOnce())
        {
            return;
        }
        final TopicId topic = subscription.topic();
        if (subscription.options().validator() != null)
        {
            topicValidators.remove(topic, subscription.options().validator());
        }
        while (true)
        {
            final Map<TopicId, TopicReservation> current = topicSubscriptions.get();
            final TopicReservation reservation = current.get(topic);
            if (reservation == null)
            {
                return;
            }
            final HashMap<TopicId, TopicReservation> next = new HashMap<>(current);
            if (reservation.count() == 1)
            {
                next.remove(topic);
            }
            else
            {
                next.put(topic, new TopicReservation(reservation.count() - 1, reservation.sequences()));
            }
            if (topicSubscriptions.compareAndSet(current, next))
            {
                return;
            }
        }
    }

    /** Topics this node has subscriptions to, as counted for {@link GossipConfig#maxTopics()}. */
    public int topicCount()
    {
        return topicSubscriptions.get().size();
    }

    /** Called by the dispatcher when a subscription is unregistered. */
    void subscriptionEnded()
    {
        openSubscriptions.decrementAndGet();
    }

    /** Claims a slot for a control event, waiting while the ring is full; -1 if the engine closed meanwhile. */
    private long claimWaiting()
    {
        if (Thread.currentThread() == dispatcherThread && !closed)
        {
            try
            {
                return ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                throw new IllegalStateException("the ring is full, and this call runs on the dispatcher thread (from a "
                    + "dispatcher handler), the only thread that empties it: make it from another thread");
            }
        }
        IdleStrategy idle = null;
        while (!closed)
        {
            try
            {
                return ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                if (idle == null)
                {
                    idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
                }
                idle.idle();
            }
        }
        return -1;
    }

    private static void logError(final Throwable ex)
    {
        if (!(ex instanceof AgentTerminationException))
        {
            LOG.log(System.Logger.Level.ERROR, "hearsay dispatcher error", ex);
        }
    }

    /** Transports' view of the ring: non-blocking copies of network events into slots. */
    private final class RingPublisher implements NetworkEvents
    {
        @Override
        public DispatcherThread dispatcherThreadCheck()
        {
            return threadCheck;
        }

        @Override
        public boolean onFrame(final NodeId peer, final DirectBuffer buffer, final int offset, final int length)
        {
            if (closed)
            {
                return true;
            }
            if (length < 0 || length > maxFrameLength)
            {
                counters.incrementShared(EngineCounter.FRAMES_OVERSIZE);
                return true;
            }
            // With verifySignatures, a Gossip's signature is checked here, on the producing thread, so that
            // verification runs beside the dispatcher rather than on it.
            final int verdict = inboundVerifier != null ? inboundVerifier.get().check(buffer, offset, length) :
                InboundVerifier.NOT_CHECKED;
            if (verdict == InboundVerifier.INVALID || verdict == InboundVerifier.MISSING)
            {
                // Only the verdict travels (the dispatcher counts it against the peer): no bytes, no copy.
                return publishVerdict(peer, verdict);
            }
            // A topic's validators run here too, after the signature check and before the ring, for the same reason.
            final InboundValidation validation = topicValidators.isEmpty() ? null : inboundValidation.get();
            final int validated = validation == null ? InboundValidation.NOT_VALIDATED :
                validation.check(peer, buffer, offset, length,
                    inboundVerifier == null || verdict == InboundVerifier.VERIFIED);
            // Like the in-flight broadcast bound: a frame is admitted whenever nothing else is in flight.
            final long before = inFlightFrameBytes.getAndAdd(length);
            if (before > 0 && before + length > maxInFlightFrameBytes)
            {
                inFlightFrameBytes.getAndAdd(-length);
                return refusedByRing(validation);
            }
            final long sequence;
            try
            {
                sequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                inFlightFrameBytes.getAndAdd(-length);
                return refusedByRing(validation);
            }
            final Slot slot = ring.get(sequence);
            try
            {
                // Gossip frames (the payload traffic) size the slot's own array; the rest borrow (see Slot).
                slot.copy(buffer, offset, length, length > WireFormat.TYPE_OFFSET
                    && buffer.getByte(offset + WireFormat.TYPE_OFFSET) == GOSSIP_CODE);
                slot.peer = peer;
                slot.verdict = verdict;
                slot.validation = validated;
                slot.kind = Slot.FRAME_RECEIVED;
            }
            finally
            {
                ring.publish(sequence);
            }
            if (validation != null)
            {
                validation.published();
            }
            return true;
        }

        /** The ring (or the in-flight bound) refused a frame: counted; its verdict is kept for the retry. */
        private boolean refusedByRing(final InboundValidation validation)
        {
            counters.incrementShared(EngineCounter.FRAMES_RING_FULL);
            if (validation != null)
            {
                validation.refusedByRing();
            }
            return false;
        }

        /** A frame whose signature failed, as an empty FrameReceived carrying the verdict; false if the ring is full. */
        private boolean publishVerdict(final NodeId peer, final int verdict)
        {
            final long sequence;
            try
            {
                sequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                counters.incrementShared(EngineCounter.FRAMES_RING_FULL);
                return false;
            }
            final Slot slot = ring.get(sequence);
            slot.peer = peer;
            slot.verdict = verdict;
            slot.length = 0;
            slot.kind = Slot.FRAME_RECEIVED;
            ring.publish(sequence);
            return true;
        }

        @Override
        public boolean onPeerConnected(final NodeId peer)
        {
            return publishPeerEvent(Slot.PEER_CONNECTED, peer);
        }

        @Override
        public boolean onPeerDisconnected(final NodeId peer)
        {
            return publishPeerEvent(Slot.PEER_DISCONNECTED, peer);
        }

        @Override
        public boolean onDialFailed(final NodeId peer)
        {
            return publishPeerEvent(Slot.DIAL_FAILED, peer);
        }

        private boolean publishPeerEvent(final int kind, final NodeId peer)
        {
            if (closed)
            {
                return true;
            }
            final long sequence;
            try
            {
                sequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                return false;
            }
            final Slot slot = ring.get(sequence);
            slot.peer = peer;
            slot.kind = kind;
            ring.publish(sequence);
            return true;
        }
    }
}
