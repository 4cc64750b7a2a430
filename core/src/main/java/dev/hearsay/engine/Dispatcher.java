package dev.hearsay.engine;

import com.lmax.disruptor.EventPoller;
import dev.hearsay.GossipConfig;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.codec.DecodeException;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.ProtocolOutput;
import dev.hearsay.proto.ProtocolState;
import dev.hearsay.proto.ProtocolStats;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The one consumer of the engine's ring and the only thread that touches protocol state, the codec and the
 * subscriber registry. One duty cycle ({@link #doWork()}): poll a batch of ring events (at most
 * {@value #BATCH_LIMIT}, so timers and flushes are not starved), run due protocol timers, flush the transport, then
 * wake user threads waiting on subscriptions that received events.
 * <p>
 * Hand-offs out of the dispatcher never block: a subscriber buffer that is full drops and counts (Lagged); a peer
 * whose outbound queue is full is disconnected and reported down to the protocol. Peers dropped while handling an
 * event are collected and reported to the protocol after the event (the protocol must not be re-entered from its
 * own output callbacks); that list holds each failed peer once and is emptied after every event, so it is bounded
 * by the number of peers the protocol addresses in one event.
 */
final class Dispatcher implements Agent, EventPoller.Handler<Slot>, ProtocolOutput, FifoOrderer.Output
{
    /** Most ring events handled in one duty cycle before timers and the transport get a turn. */
    static final int BATCH_LIMIT = 256;

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    /** How often the protocol's statistics and the gauges are copied into the counters buffer. */
    static final long MIRROR_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** The protocol's statistics published as counters: label and field. */
    private static final String[] PROTOCOL_LABELS = {
        "gossip sent", "control messages sent", "messages delivered by the protocol", "duplicates received",
        "grafts sent", "prunes sent", "grafts answered", "grafts missed (not cached)",
        "announcements dropped: missing table full", "broadcasts rejected: hold queue full",
        "messages for unknown topics", "author logs forgotten early: maxAuthors",
        "sequences given up by a window", "payloads evicted early: cache full",
        "neighbor requests timed out", "tree optimisations", "grafts put off: reads held",
        "failed contacts probed", "failed contacts linked again", "slow eager peers made lazy",
        "new neighbors asked for eager push", "neighbor requests escalated: refused while under-linked",
        "repair copies pushed after a failure", "neighbors lost: failed or left",
        "neighbors replaced: evicted by either side", "neighbor requests refused: view full",
        "messages pushed over every link to rebuild the tree"};
    private static final List<ToLongFunction<ProtocolStats>> PROTOCOL_FIELDS = List.of(
        s -> s.gossipSent, s -> s.controlSent, s -> s.delivered, s -> s.duplicates, s -> s.graftsSent,
        s -> s.prunesSent, s -> s.graftsAnswered, s -> s.graftsMissed, s -> s.missingDropped, s -> s.heldRejected,
        s -> s.unknownTopic, s -> s.idCacheEvictedEarly, s -> s.windowSkipped, s -> s.payloadCacheEvictedEarly,
        s -> s.neighborRequestTimeouts, s -> s.optimizations, s -> s.graftsDeferred,
        s -> s.contactProbes, s -> s.contactsRelinked, s -> s.slowPeersSpared, s -> s.treeLinksRequested,
        s -> s.escalatedNeighborRequests, s -> s.repairPushes, s -> s.neighborsLost, s -> s.neighborsReplaced,
        s -> s.neighborRequestsRefused, s -> s.treeRebuilds);

    private final GossipEngine engine;
    private final DutyCycles dutyCycles = new DutyCycles();
    /** Subscriptions closed while the ring was full (see {@link #unsubscribeSoon}); any thread adds, this polls. */
    private final java.util.concurrent.ConcurrentLinkedQueue<EngineSubscription> closedWhileRingFull =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final EventPoller<Slot> poller;
    private final Transport transport;
    private final EngineCounters counters;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final ProtocolState protocol;
    private final MessageDecoder decoder;
    private final MessageEncoder encoder;
    private final UnsafeBuffer sendBuffer;
    /** Checks received Gossip the producing thread did not check (verifySignatures); null when off. */
    private final MessageSigning signing;
    /** With signMessages and maxMessagesPerSignature over 1: signs the runs publishers left unsigned; else null. */
    private final RunSigner runSigner;
    /** GossipConfig.signatureLinger in nanoseconds (0: never wait for a run to grow). */
    private final long signatureLingerNanos;
    /** True while the head of the ring is a run still growing (signatureLinger): nothing is handled until then. */
    private boolean lingering;
    /** While {@link #lingering}: when the run's wait is over. */
    private long lingerDeadline;
    private final boolean verifySignatures;
    /** Missing or invalid signatures relayed per peer since its connection came up (invalidSignatureLimit). */
    private final PeerStrikes invalidSignatures;
    /** Messages a validator rejected per peer since its connection came up (rejectedMessageLimit). */
    private final PeerStrikes rejectedMessages;
    private final String roleName;
    private final Object2ObjectHashMap<TopicId, TopicEntry> topics = new Object2ObjectHashMap<>();
    private final ArrayList<NodeId> failedPeers = new ArrayList<>();
    private final ArrayList<EngineSubscription> dirty = new ArrayList<>();
    /**
     * Lossless subscriptions whose buffer is nearly full. While any is here the dispatcher takes nothing from its
     * ring (see {@link #stillHolding()}), so that nothing more arrives for them until their readers make room.
     */
    private final ArrayList<EngineSubscription> holding = new ArrayList<>();
    /**
     * Subscriptions closed by a dispatcher handler (on this thread): unregistered after the duty cycle, not through
     * the ring, which this thread alone empties. At most one entry per subscription (close is idempotent).
     */
    private final ArrayList<EngineSubscription> closedByHandlers = new ArrayList<>();
    /** Registered subscriptions that order per author: their gap timers run in the duty cycle. */
    private final ArrayList<EngineSubscription> fifoSubscriptions = new ArrayList<>();
    private long fifoDeadline = Long.MAX_VALUE;
    private final int maxPayload;
    private final NodeCounters nodeCounters;
    private final AtomicCounter[] protocolCounters = new AtomicCounter[PROTOCOL_LABELS.length];
    private long nextMirror;

    private long now;
    private int batchCount;
    private long broadcastBytesHandled;
    private long frameBytesHandled;
    private boolean shutdown;
    private volatile boolean transportClosed;
    private boolean hosted;
    private volatile boolean closeTransportWhenStopped;

    Dispatcher(final GossipEngine engine, final EventPoller<Slot> poller, final Transport transport,
        final EngineCounters counters, final NanoClock clock, final ErrorHandler errorHandler, final long seed,
        final int epoch, final int maxFrameLength)
    {
        final GossipConfig config = engine.config();
        this.engine = engine;
        this.poller = poller;
        this.transport = transport;
        this.counters = counters;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.decoder = new MessageDecoder(config);
        this.encoder = new MessageEncoder(config);
        this.sendBuffer = new UnsafeBuffer(new byte[maxFrameLength]);
        this.roleName = "hearsay-dispatcher-" + engine.id().shortString();
        this.now = clock.nanoTime();
        this.protocol = new ProtocolState(engine.id(), config, seed, epoch, this);
        this.maxPayload = config.maxMessageSize();
        this.nextMirror = now;
        this.nodeCounters = engine.nodeCounters();
        for (int i = 0; i < protocolCounters.length; i++)
        {
            protocolCounters[i] = nodeCounters.newCounter(PROTOCOL_LABELS[i], NodeCounters.TYPE_PROTOCOL);
        }
        this.verifySignatures = config.verifySignatures();
        this.invalidSignatures = new PeerStrikes(config.invalidSignatureLimit());
        this.rejectedMessages = new PeerStrikes(config.rejectedMessageLimit());
        // Authored messages are signed by the publishing threads (GossipEngine.publishSignedBroadcast), or, when they
        // come in bursts, here in runs.
        this.signing = verifySignatures ? new MessageSigning(engine.signatureScheme(), null) : null;
        this.runSigner = config.signMessages() && config.maxMessagesPerSignature() > 1 ?
            new RunSigner(engine.ring(), new MessageSigning(engine.signatureScheme(), engine.key()), engine.id(),
                epoch, config.maxMessagesPerSignature()) : null;
        this.signatureLingerNanos = runSigner != null ? config.signatureLinger().toNanos() : 0;
    }

    ProtocolState protocol()
    {
        return protocol;
    }

    boolean transportClosed()
    {
        return transportClosed;
    }

    // ---------------------------------------------------------------- Agent

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public int doWork()
    {
        engine.threadCheck().enter();
        now = clock.nanoTime();
        final long cycleStart = now;
        int parts = 0;
        batchCount = 0;
        if (!closedWhileRingFull.isEmpty())
        {
            EngineSubscription closedSubscription;
            while ((closedSubscription = closedWhileRingFull.poll()) != null)
            {
                onUnsubscribe(closedSubscription);
            }
        }
        try
        {
            // Set by this cycle only: a hold that begins while a run lingers must not leave the flag behind.
            lingering = false;
            if ((holding.isEmpty() || !stillHolding()) && !lingerOnRun())
            {
                poller.poll(this);
            }
        }
        catch (final Exception ex)
        {
            // onEvent catches everything itself; this is only the signature of EventPoller.poll.
            error(ex);
        }
        int work = batchCount;
        if (work > 0)
        {
            now = clock.nanoTime();
        }
        if (!shutdown && protocol.nextDeadline() <= now)
        {
            // A full batch means more frames are waiting in the ring; a held transport means more wait in sockets.
            protocol.holdRepairs(work >= BATCH_LIMIT || transport.inboundHeld() || !holding.isEmpty());
            try
            {
                protocol.onTimer(now);
            }
            catch (final RuntimeException ex)
            {
                error(ex);
            }
            counters.increment(EngineCounter.TIMER_RUNS);
            drainFailedPeers();
            work++;
            parts |= DutyCycles.RAN_TIMERS;
        }
        if (fifoDeadline <= now)
        {
            runFifoTimers();
            work++;
            parts |= DutyCycles.RAN_FIFO_TIMERS;
        }
        if (now - nextMirror >= 0)
        {
            mirrorCounters();
            parts |= DutyCycles.RAN_COUNTERS_REFRESH;
        }
        final int flushed = transport.flush();
        work += flushed;
        if (broadcastBytesHandled > 0)
        {
            // One atomic per duty cycle rather than per broadcast.
            engine.broadcastBytesHandled(broadcastBytesHandled);
            broadcastBytesHandled = 0;
        }
        if (frameBytesHandled > 0)
        {
            engine.frameBytesHandled(frameBytesHandled);
            frameBytesHandled = 0;
        }
        if (!closedByHandlers.isEmpty())
        {
            for (int i = 0; i < closedByHandlers.size(); i++)
            {
                onUnsubscribe(closedByHandlers.get(i));
            }
            closedByHandlers.clear();
        }
        if (batchCount > 0)
        {
            transport.ringSpaceFreed();
        }
        if (!dirty.isEmpty())
        {
            wakeDirtySubscriptions();
        }
        if (work > 0)
        {
            dutyCycles.record(clock.nanoTime() - cycleStart, batchCount, parts, flushed);
        }
        if (shutdown)
        {
            throw new AgentTerminationException("engine closed");
        }
        return work;
    }

    /**
     * With signatureLinger: true, and nothing to be polled this cycle, while the broadcast at the head of the ring
     * waits for its run to grow (see {@link RunSigner#lingerUntil}).
     */
    private boolean lingerOnRun()
    {
        if (signatureLingerNanos == 0 || shutdown)
        {
            return false;
        }
        final long until = runSigner.lingerUntil(engine.handledSequence() + 1, signatureLingerNanos);
        if (until != Long.MIN_VALUE && until - now > 0)
        {
            lingering = true;
            lingerDeadline = until;
        }
        return lingering;
    }

    /** True if ring slot {@code sequence} holds an unsigned broadcast whose run may still grow (signatureLinger). */
    private boolean runGrowingAt(final long sequence)
    {
        final long until = runSigner.lingerUntil(sequence, signatureLingerNanos);
        return until != Long.MIN_VALUE && until - now > 0;
    }

    /**
     * Dispatcher thread, between duty cycles: true while the event at the head of the ring waits for a run to grow,
     * so that a host or idle strategy sleeps until {@link #sleepDeadline()} rather than taking it for work.
     */
    boolean lingering()
    {
        return lingering;
    }

    /** The durations of the busy duty cycles (any thread may read them). */
    DutyCycles dutyCycles()
    {
        return dutyCycles;
    }

    @Override
    public void onClose()
    {
        if (!shutdown)
        {
            // Forced close (the runner was stopped without a Shutdown event): still leave topics politely.
            now = clock.nanoTime();
            shutdown();
            transport.flush();
        }
        if (!transportClosed && (!hosted || closeTransportWhenStopped))
        {
            transportClosed = true;
            transport.close();
        }
        engine.threadCheck().release();
    }

    /** The dispatcher runs on a transport thread: the engine's close closes the transport, not this thread. */
    void hosted()
    {
        hosted = true;
    }

    /** Hosted, closed from the host's own thread: nobody waits to close the transport, so the dispatcher does. */
    void closeTransportWhenStopped()
    {
        closeTransportWhenStopped = true;
    }

    // ---------------------------------------------------------------- ring events

    @Override
    public boolean onEvent(final Slot slot, final long sequence, final boolean endOfBatch)
    {
        try
        {
            switch (slot.kind)
            {
                case Slot.FRAME_RECEIVED:
                    frameBytesHandled += slot.length;
                    onFrame(slot.peer, slot.buffer, slot.length, slot.verdict, slot.validation);
                    break;
                case Slot.BROADCAST:
                    onBroadcast(slot, sequence, false);
                    break;
                case Slot.BROADCAST_NEIGHBORS:
                    onBroadcast(slot, sequence, true);
                    break;
                case Slot.PEER_CONNECTED:
                    counters.increment(EngineCounter.PEERS_CONNECTED);
                    invalidSignatures.forget(slot.peer);
                    rejectedMessages.forget(slot.peer);
                    break;
                case Slot.PEER_DISCONNECTED:
                    counters.increment(EngineCounter.PEERS_DISCONNECTED);
                    invalidSignatures.forget(slot.peer);
                    rejectedMessages.forget(slot.peer);
                    protocol.onPeerDown(slot.peer, now);
                    break;
                case Slot.DIAL_FAILED:
                    counters.increment(EngineCounter.DIALS_FAILED);
                    invalidSignatures.forget(slot.peer);
                    rejectedMessages.forget(slot.peer);
                    protocol.onPeerDown(slot.peer, now);
                    break;
                case Slot.SUBSCRIBE:
                    onSubscribe(slot.subscription, asPeers(slot.attachment));
                    break;
                case Slot.UNSUBSCRIBE:
                    onUnsubscribe(slot.subscription);
                    break;
                case Slot.JOIN_PEERS:
                    if (topics.containsKey(slot.topic))
                    {
                        protocol.join(slot.topic, asPeers(slot.attachment), now);
                    }
                    break;
                case Slot.CONTACT_DATA:
                    protocol.contactData((byte[])slot.attachment);
                    break;
                case Slot.SHUTDOWN:
                    shutdown();
                    break;
                default:
                    // NONE: a producer failed while filling the slot; nothing to do.
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            error(ex);
        }
        finally
        {
            slot.clear();
        }
        drainFailedPeers();
        counters.increment(EngineCounter.EVENTS_DISPATCHED);
        // With signatureLinger, a run still growing behind this event is left for the next cycle to wait on.
        return ++batchCount < BATCH_LIMIT && !shutdown && holding.isEmpty()
            && (signatureLingerNanos == 0 || !runGrowingAt(sequence + 1));
    }

    /**
     * Dispatcher thread, between duty cycles: how long it may sleep if no event comes, in nanoseconds (0 or less:
     * run now). Until its earliest protocol or FIFO timer or the next counters refresh; briefly while it holds for a
     * full subscription (the reader does not wake it) or the transport holds or pauses reads, whose releases the
     * flush looks after.
     */
    long untilDeadline()
    {
        return sleepDeadline() - clock.nanoTime();
    }

    /**
     * Dispatcher thread, between duty cycles: the {@link NanoClock} time until which it may sleep if no event
     * comes; the absolute form of {@link #untilDeadline()}.
     */
    long sleepDeadline()
    {
        if (lingering)
        {
            return Math.min(lingerDeadline, nextDeadline());
        }
        if (!holding.isEmpty() || transport.inboundHeld() || transport.backPressured())
        {
            return Math.min(clock.nanoTime() + HostedDispatcher.MAX_SLEEP_NANOS, nextDeadline());
        }
        return nextDeadline();
    }

    private long nextDeadline()
    {
        return Math.min(Math.min(protocol.nextDeadline(), fifoDeadline), nextMirror);
    }

    /**
     * A lossless subscription's buffer is nearly full: hold the ring from the next event on. Nothing more is taken
     * from the ring, so the transport stops reading (TCP back-pressure to the peers) and publishers are refused
     * when it fills, until the reader has made room. The reader is behind from the first hold until it has emptied
     * its buffer once.
     */
    private void hold(final EngineSubscription subscription)
    {
        if (subscription.holding)
        {
            return;
        }
        subscription.holding = true;
        if (subscription.behindSinceNanos == EngineSubscription.NOT_BEHIND)
        {
            subscription.behindSinceNanos = now;
        }
        holding.add(subscription);
        counters.increment(EngineCounter.SUBSCRIBER_HOLDS);
    }

    /**
     * Whether the ring stays held: subscriptions whose reader made room (or that closed, or whose engine is closing)
     * let go. A reader that has stayed behind for its slow-subscriber timeout (its buffer not empty once since it
     * first held the node: stopped, or reading slower than the topic's flow) is cut over to dropping (counted,
     * logged) and lets go too; the node's flow is then no longer paced by it.
     */
    private boolean stillHolding()
    {
        for (int i = holding.size() - 1; i >= 0; i--)
        {
            final EngineSubscription s = holding.get(i);
            final SubscriberQueue queue = s.queue();
            boolean release = s.isClosed() || engine.isClosing() || !queue.lacksRoom(s.resumeRoom);
            if (!release && now - s.behindSinceNanos >= s.options().slowSubscriberTimeout().toNanos())
            {
                s.lossless = false;
                s.behindSinceNanos = EngineSubscription.NOT_BEHIND;
                counters.increment(EngineCounter.SLOW_SUBSCRIBER_CUTOVERS);
                LOG.log(System.Logger.Level.WARNING, "subscription to {0}: reader stayed behind for {1} ms, holding "
                    + "the node; dropping what does not fit (reported as Lagged) until it has read everything",
                    s.topic().shortString(), s.options().slowSubscriberTimeout().toMillis());
                release = true;
            }
            if (release)
            {
                s.holding = false;
                holding.remove(i);
            }
        }
        return !holding.isEmpty();
    }

    /**
     * Before an offer to {@code subscription}'s buffer: a reader that was behind and has emptied its buffer has
     * caught up; one cut over earlier that has is lossless again.
     */
    private static void beforeOffer(final EngineSubscription subscription)
    {
        if (subscription.behindSinceNanos != EngineSubscription.NOT_BEHIND && !subscription.holding
            && subscription.queue().drained())
        {
            subscription.behindSinceNanos = EngineSubscription.NOT_BEHIND;
        }
        if (!subscription.lossless && subscription.options().overflow() == dev.hearsay.OverflowPolicy.LOSSLESS
            && subscription.queue().drained())
        {
            subscription.lossless = true;
        }
    }

    /** After an offer to {@code subscription}'s buffer: hold if it is lossless and nearly full. */
    private void afterOffer(final EngineSubscription subscription)
    {
        if (subscription.lossless && subscription.queue().lacksRoom(subscription.headroom))
        {
            hold(subscription);
        }
    }

    /**
     * Publishes the protocol's statistics (plain fields the protocol owns) and the gauges into the counters
     * buffer, and refreshes the heartbeat: a few ordered stores every {@link #MIRROR_INTERVAL_NANOS}.
     */
    private void mirrorCounters()
    {
        nextMirror = now + MIRROR_INTERVAL_NANOS;
        final ProtocolStats stats = protocol.stats();
        for (int i = 0; i < protocolCounters.length; i++)
        {
            protocolCounters[i].setRelease(PROTOCOL_FIELDS.get(i).applyAsLong(stats));
        }
        int neighbors = 0;
        for (final TopicEntry entry : topics.values())
        {
            neighbors += entry.neighbors.size();
        }
        counters.set(EngineCounter.NEIGHBORS, neighbors);
        counters.set(EngineCounter.TOPICS, topics.size());
        dutyCycles.publishSlowest(counters);
        nodeCounters.heartbeat(System.currentTimeMillis());
    }

    private void onFrame(final NodeId peer, final DirectBuffer buffer, final int length, final int verdict,
        final int validation)
    {
        if (verdict == InboundVerifier.INVALID || verdict == InboundVerifier.MISSING)
        {
            // Checked and refused by the producing thread: only the verdict came through the ring.
            counters.increment(EngineCounter.FRAMES_RECEIVED);
            notAuthentic(peer, verdict == InboundVerifier.MISSING ? MessageSigning.MISSING : MessageSigning.INVALID);
            return;
        }
        counters.add(EngineCounter.BYTES_RECEIVED, length);
        final Message message;
        try
        {
            message = decoder.decode(buffer, 0, length);
        }
        catch (final DecodeException ex)
        {
            counters.increment(EngineCounter.FRAMES_INVALID);
            LOG.log(System.Logger.Level.WARNING, "dropping peer {0}: invalid frame: {1}", peer.shortString(),
                ex.getMessage());
            if (!isFailed(peer))
            {
                failedPeers.add(peer);
                transport.reject(peer);
            }
            return;
        }
        counters.increment(EngineCounter.FRAMES_RECEIVED);
        if (verifySignatures && message.type() == MessageType.GOSSIP && !authentic((Gossip)message, peer, verdict))
        {
            return;
        }
        if (validation > InboundValidation.ACCEPTED && message.type() == MessageType.GOSSIP
            && !validated((Gossip)message, peer, validation))
        {
            return;
        }
        protocol.onMessage(peer, message, now);
    }

    /**
     * Whether the protocol may see a received Gossip that the producing thread's validators did not accept, after its
     * signature check. A copy of an id the protocol has seen goes on whatever the verdict: PlumTree takes it for a
     * duplicate and neither delivers nor relays nor caches it (a copy that was not validated because its id was
     * settled lately is always one: see {@link InboundValidation}; should the protocol have forgotten the id
     * since, the copy is dropped, the same as the duplicate it is).
     * <p>
     * Otherwise REJECT and IGNORE drop the message, count it, and REJECT counts against the peer that sent it. Does
     * a refused message's id count as seen, so that later copies are dropped as duplicates without asking the
     * validators again and announcements of it are not grafted?
     * <ul>
     * <li>IGNORE: yes. The validator found nothing wrong with the message; it does not want it, and asking again
     * for each announced copy would only move copies and the tree's edges for nothing.</li>
     * <li>REJECT with verifySignatures: yes. The signature binds the payload to the id, so every copy carries the
     * same payload and would be rejected the same way.</li>
     * <li>REJECT without: no. A message id (author, epoch, sequence) is then not bound to its payload, and the
     * validator may be the application's only check of authenticity (a MAC in the payload, say). Were a rejected
     * id seen, any peer could suppress any message by sending a bad copy with its id first: the genuine copy would
     * arrive as a duplicate. So the id stays open and a later copy is judged on its own. The price: the message may
     * still be grafted from nodes that announce it (nodes without the validator), each such copy validated and
     * counted against its sender; honest nodes with the same validator never announce it.</li>
     * </ul>
     */
    private boolean validated(final Gossip message, final NodeId peer, final int validation)
    {
        if (protocol.seenGossip(message))
        {
            return true;
        }
        if (validation == InboundValidation.SKIPPED_DUPLICATE)
        {
            return false;
        }
        if (validation == InboundValidation.IGNORED)
        {
            counters.increment(EngineCounter.MESSAGES_IGNORED);
            protocol.refuseGossip(message, now);
            return false;
        }
        counters.increment(EngineCounter.MESSAGES_REJECTED);
        if (verifySignatures)
        {
            protocol.refuseGossip(message, now);
        }
        final int strikes = rejectedMessages.strike(peer);
        if (strikes > 0)
        {
            dropPeer(peer, "sent " + strikes + " messages a validator rejected",
                EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES);
        }
        return false;
    }

    /**
     * Whether the protocol may see a received Gossip, before it does, so that a forged or altered message is neither
     * delivered nor forwarded nor remembered as seen (the genuine one can still arrive).
     * <ul>
     * <li>{@link InboundVerifier#VERIFIED}: the producing thread verified these very bytes (the slot holds its copy
     * of them).</li>
     * <li>{@link InboundVerifier#SKIPPED_DUPLICATE}: the producing thread skipped the check because a copy with the
     * same id had verified. The copy is let through unchecked only if the protocol has seen its id: then
     * {@code PlumTree.onGossip} takes it for a duplicate (the same test, {@link ProtocolState#seenGossip}), and a
     * duplicate's payload and signature are never delivered, forwarded or cached; all it does is prune the edge to
     * the peer that sent it or count as that peer's answer to a Graft, which the peer could do with a Prune or an
     * IHave of its own. The id was seen because a verified copy was handled before this one in ring order (or an
     * earlier life of the id, which a duplicate test drops just the same). If the id is not seen, the verified
     * copy has not been handled yet (it raced this one to the ring) or the table mixed two ids up: this copy might
     * be a forgery with a genuine id, so the dispatcher verifies it itself.</li>
     * <li>Otherwise (a frame that reached the ring unchecked): the dispatcher verifies it.</li>
     * </ul>
     */
    private boolean authentic(final Gossip message, final NodeId peer, final int verdict)
    {
        if (verdict == InboundVerifier.VERIFIED
            || verdict == InboundVerifier.SKIPPED_DUPLICATE && protocol.seenGossip(message))
        {
            return true;
        }
        counters.increment(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER);
        final int result = signing.check(message);
        if (result == MessageSigning.VALID)
        {
            if (!signing.lastCheckVerifiedSignature())
            {
                counters.incrementShared(EngineCounter.SIGNATURES_SHARED_ROOT);
            }
            return true;
        }
        notAuthentic(peer, result);
        return false;
    }

    /**
     * A Gossip from {@code peer} without a valid signature ({@code result}: {@link MessageSigning#MISSING} or
     * {@link MessageSigning#INVALID}) was dropped: counts it, and drops the peer once it has relayed more than
     * {@link dev.hearsay.GossipConfig#invalidSignatureLimit()} of them. A peer that verifies what it relays never
     * relays one, so it is kept for a few (it may not verify, and only pass on what another node forged) but not
     * for a flood, which would cost this node a verification each.
     */
    private void notAuthentic(final NodeId peer, final int result)
    {
        counters.increment(result == MessageSigning.MISSING ?
            EngineCounter.SIGNATURES_MISSING : EngineCounter.SIGNATURES_INVALID);
        final int strikes = invalidSignatures.strike(peer);
        if (strikes > 0)
        {
            dropPeer(peer, "relayed " + strikes + " messages without a valid signature",
                EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES);
        }
    }

    /** Drops {@code peer} for bad messages (no linger, not probed back into the views), unless it is failing. */
    private void dropPeer(final NodeId peer, final String why, final EngineCounter counter)
    {
        if (!isFailed(peer))
        {
            LOG.log(System.Logger.Level.WARNING, "dropping peer {0}: {1}", peer.shortString(), why);
            failedPeers.add(peer);
            transport.reject(peer);
            // Counted once the transport has it: a reader that sees the count sees the rejection too.
            counters.increment(counter);
        }
    }

    private void onBroadcast(final Slot slot, final long ringSequence, final boolean neighborsOnly)
    {
        counters.increment(EngineCounter.BROADCASTS_PUBLISHED);
        if (slot.awaitingSignature)
        {
            counters.add(EngineCounter.MESSAGES_SIGNED_IN_RUNS, runSigner.signFrom(ringSequence));
            counters.increment(EngineCounter.RUN_SIGNATURES);
        }
        broadcastBytesHandled += slot.length + GossipEngine.BROADCAST_FRAME_OVERHEAD;
        final int result;
        if (!topics.containsKey(slot.topic))
        {
            result = ProtocolState.REJECTED_NO_TOPIC;
        }
        else if (slot.signed)
        {
            // Numbered by the publishing thread and signed by it or by the run signer; the signature trailer follows
            // the payload in the slot.
            result = protocol.broadcastSigned(slot.topic, slot.buffer, 0, slot.length, neighborsOnly, slot.sequence,
                slot.buffer, slot.length, slot.signatureLength, now);
        }
        else
        {
            result = protocol.broadcast(slot.topic, slot.buffer, 0, slot.length, neighborsOnly, now);
        }
        if (result == ProtocolState.HELD)
        {
            counters.increment(EngineCounter.BROADCASTS_HELD);
        }
        else if (result < 0)
        {
            // Subscription first: a reader that sees the engine counter then also sees this one.
            slot.subscription.rejectedBroadcast();
            counters.increment(EngineCounter.BROADCASTS_REJECTED);
        }
    }

    private void onSubscribe(final EngineSubscription subscription, final List<NodeId> bootstrap)
    {
        if (subscription.options().fifo())
        {
            subscription.fifo = new FifoOrderer(subscription, subscription.options(), this, maxPayload);
            fifoSubscriptions.add(subscription);
        }
        final TopicId topic = subscription.topic();
        TopicEntry entry = topics.get(topic);
        if (entry == null)
        {
            entry = new TopicEntry(topic);
            entry.subscriptions.add(subscription);
            topics.put(topic, entry);
            try
            {
                protocol.join(topic, bootstrap, now);
            }
            catch (final RuntimeException ex)
            {
                // For example beyond maxTopics: the subscription fails, visibly, through joined().
                topics.remove(topic);
                fifoSubscriptions.remove(subscription);
                counters.increment(EngineCounter.SUBSCRIPTIONS_FAILED);
                subscription.markClosed(ex);
                engine.subscriptionEnded();
                engine.releaseTopic(subscription);
            }
            return;
        }

        // Replay, in ring order, the neighbors the topic already has: the new subscriber's view starts complete.
        final ArrayList<NodeId> neighbors = entry.neighbors;
        for (int i = 0, n = neighbors.size(); i < n; i++)
        {
            offerNeighbor(subscription, SubscriberQueue.NEIGHBOR_UP, neighbors.get(i));
        }
        subscription.neighbors(entry.snapshot);
        entry.subscriptions.add(subscription);
        if (!bootstrap.isEmpty())
        {
            protocol.join(topic, bootstrap, now);
        }
    }

    /** Dispatcher thread (a handler closed its subscription): unregisters it after this duty cycle. */
    void unsubscribeAfterCycle(final EngineSubscription subscription)
    {
        closedByHandlers.add(subscription);
    }

    /**
     * Any thread: {@code subscription} was closed while the ring was full; it is removed at the start of the next
     * duty cycle, held or not. Each subscription comes here at most once, so the queue never holds more entries
     * than the node has subscriptions.
     */
    void unsubscribeSoon(final EngineSubscription subscription)
    {
        closedWhileRingFull.offer(subscription);
    }

    private void onUnsubscribe(final EngineSubscription subscription)
    {
        final TopicId topic = subscription.topic();
        final TopicEntry entry = topics.get(topic);
        fifoSubscriptions.remove(subscription);
        if (entry != null && entry.subscriptions.remove(subscription))
        {
            engine.subscriptionEnded();
            if (entry.subscriptions.isEmpty())
            {
                topics.remove(topic);
                protocol.quit(topic, now);
            }
        }
        subscription.markClosed(null);
    }

    private void shutdown()
    {
        shutdown = true;
        fifoSubscriptions.clear();
        final ArrayList<TopicEntry> entries = new ArrayList<>(topics.values());
        topics.clear();
        for (final TopicEntry entry : entries)
        {
            try
            {
                protocol.quit(entry.topic, now);
            }
            catch (final RuntimeException ex)
            {
                error(ex);
            }
            drainFailedPeers();
            for (final EngineSubscription subscription : entry.subscriptions)
            {
                subscription.markClosed(null);
            }
        }
    }

    // ---------------------------------------------------------------- ProtocolOutput

    @Override
    public boolean congested(final NodeId peer)
    {
        return transport.congested(peer);
    }

    @Override
    public boolean anySlow()
    {
        return transport.anySlow();
    }

    @Override
    public boolean slow(final NodeId peer)
    {
        return transport.slow(peer);
    }

    @Override
    public void waitFor(final NodeId peer)
    {
        transport.waitFor(peer);
    }

    @Override
    public void send(final NodeId peer, final Message message)
    {
        if (isFailed(peer))
        {
            return;
        }
        sendEncoded(peer, encoder.encode(message, sendBuffer, 0));
    }

    /** Encodes the message once for all the peers (the eager fan-out of a broadcast or a relay). */
    @Override
    public void send(final NodeId[] peers, final int count, final Message message)
    {
        int length = -1;
        for (int i = 0; i < count; i++)
        {
            final NodeId peer = peers[i];
            if (isFailed(peer))
            {
                continue;
            }
            if (length < 0)
            {
                length = encoder.encode(message, sendBuffer, 0);
            }
            sendEncoded(peer, length);
        }
    }

    /** Hands the frame encoded in {@link #sendBuffer} to the transport; a refused send drops the peer. */
    private void sendEncoded(final NodeId peer, final int length)
    {
        counters.increment(EngineCounter.FRAMES_SENT);
        counters.add(EngineCounter.BYTES_SENT, length);
        if (!transport.send(peer, sendBuffer, 0, length))
        {
            counters.increment(EngineCounter.PEERS_DROPPED_SLOW);
            dropPeer(peer);
        }
    }

    @Override
    public void deliver(final TopicId topic, final NodeId author, final int epoch, final long sequence,
        final NodeId from, final int hops, final boolean neighborsOnly, final DirectBuffer payload, final int offset,
        final int length)
    {
        final TopicEntry entry = topics.get(topic);
        if (entry == null)
        {
            return;
        }
        final ArrayList<EngineSubscription> subscriptions = entry.subscriptions;
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            final EngineSubscription subscription = subscriptions.get(i);
            final FifoOrderer fifo = subscription.fifo;
            if (fifo != null && !neighborsOnly)
            {
                fifo.onMessage(author, epoch, sequence, from, hops, payload, offset, length, now);
                fifoDeadline = Math.min(fifoDeadline, fifo.nextDeadline());
            }
            else
            {
                offerMessage(subscription, author, from, hops, neighborsOnly, payload, offset, length);
            }
        }
    }

    private void offerMessage(final EngineSubscription subscription, final NodeId author, final NodeId from,
        final int hops, final boolean neighborsOnly, final DirectBuffer payload, final int offset, final int length)
    {
        final GossipHandler handler = subscription.handler;
        if (handler != null)
        {
            if (subscription.closeRequested())
            {
                return; // closed (maybe by the handler itself) earlier in this duty cycle
            }
            try
            {
                handler.onMessage(subscription.topic(), payload, offset, length, author, from, hops);
                counters.increment(EngineCounter.MESSAGES_DELIVERED);
            }
            catch (final Throwable ex)
            {
                handlerFailed(subscription, ex);
            }
        }
        else
        {
            beforeOffer(subscription);
            if (subscription.queue().offerMessage(author, from, hops, neighborsOnly, payload, offset, length))
            {
                counters.increment(EngineCounter.MESSAGES_DELIVERED);
                markDirty(subscription);
                afterOffer(subscription);
            }
            else
            {
                counters.increment(EngineCounter.SUBSCRIBER_DROPPED);
                // The gap is news too: a reader that caught up and waits must learn of it now.
                markDirty(subscription);
            }
        }
    }

    // ---------------------------------------------------------------- FifoOrderer.Output

    @Override
    public void inOrder(final EngineSubscription subscription, final NodeId author, final NodeId from,
        final int hops, final DirectBuffer payload, final int offset, final int length)
    {
        offerMessage(subscription, author, from, hops, false, payload, offset, length);
    }

    @Override
    public void gap(final EngineSubscription subscription, final NodeId author, final int epoch,
        final long fromSequence, final long toSequence, final boolean overflow)
    {
        counters.increment(EngineCounter.FIFO_GAPS);
        if (overflow)
        {
            counters.increment(EngineCounter.FIFO_OVERFLOWS);
        }
        final GossipHandler handler = subscription.handler;
        if (handler != null)
        {
            if (subscription.closeRequested())
            {
                return;
            }
            try
            {
                handler.onGap(author, epoch, fromSequence, toSequence);
            }
            catch (final Throwable ex)
            {
                handlerFailed(subscription, ex);
            }
        }
        else
        {
            beforeOffer(subscription);
            if (subscription.queue().offerGap(author, epoch, fromSequence, toSequence))
            {
                markDirty(subscription);
                afterOffer(subscription);
            }
            else
            {
                counters.increment(EngineCounter.SUBSCRIBER_DROPPED);
                // The gap is news too: a reader that caught up and waits must learn of it now.
                markDirty(subscription);
            }
        }
    }

    @Override
    public void late(final EngineSubscription subscription)
    {
        counters.increment(EngineCounter.FIFO_LATE);
    }

    private void runFifoTimers()
    {
        long next = Long.MAX_VALUE;
        final ArrayList<EngineSubscription> list = fifoSubscriptions;
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final FifoOrderer fifo = list.get(i).fifo;
            fifo.onTimer(now);
            next = Math.min(next, fifo.nextDeadline());
        }
        fifoDeadline = next;
    }

    @Override
    public void neighborUp(final TopicId topic, final NodeId peer)
    {
        final TopicEntry entry = topics.get(topic);
        if (entry != null && entry.addNeighbor(peer))
        {
            final ArrayList<EngineSubscription> subscriptions = entry.subscriptions;
            for (int i = 0, n = subscriptions.size(); i < n; i++)
            {
                offerNeighbor(subscriptions.get(i), SubscriberQueue.NEIGHBOR_UP, peer);
            }
        }
    }

    @Override
    public void neighborDown(final TopicId topic, final NodeId peer)
    {
        final TopicEntry entry = topics.get(topic);
        if (entry != null && entry.removeNeighbor(peer))
        {
            final ArrayList<EngineSubscription> subscriptions = entry.subscriptions;
            for (int i = 0, n = subscriptions.size(); i < n; i++)
            {
                offerNeighbor(subscriptions.get(i), SubscriberQueue.NEIGHBOR_DOWN, peer);
            }
        }
    }

    @Override
    public void lost(final TopicId topic, final NodeId author, final int epoch, final long count)
    {
        counters.add(EngineCounter.MESSAGES_GIVEN_UP, count);
        final TopicEntry entry = topics.get(topic);
        if (entry != null)
        {
            final ArrayList<EngineSubscription> subscriptions = entry.subscriptions;
            for (int i = 0, n = subscriptions.size(); i < n; i++)
            {
                offerLost(subscriptions.get(i), count);
            }
        }
    }

    /** Tells {@code subscription} of {@code count} messages given up, as a Lagged (a FIFO one reports its Gap). */
    private void offerLost(final EngineSubscription subscription, final long count)
    {
        if (subscription.fifo != null)
        {
            return; // the hole is reported as a Gap once its gap timeout passes
        }
        final GossipHandler handler = subscription.handler;
        if (handler != null)
        {
            if (!subscription.closeRequested())
            {
                try
                {
                    handler.onLagged(count);
                }
                catch (final Throwable ex)
                {
                    handlerFailed(subscription, ex);
                }
            }
        }
        else
        {
            if (!subscription.queue().offerLost(count))
            {
                counters.increment(EngineCounter.SUBSCRIBER_DROPPED);
            }
            markDirty(subscription);
        }
    }

    @Override
    public void disconnect(final NodeId peer)
    {
        transport.disconnect(peer);
    }

    @Override
    public void contactData(final NodeId peer, final byte[] data)
    {
        transport.onContactData(peer, data);
    }

    // ---------------------------------------------------------------- helpers

    private void offerNeighbor(final EngineSubscription subscription, final int kind, final NodeId peer)
    {
        final GossipHandler handler = subscription.handler;
        if (handler != null)
        {
            if (subscription.closeRequested())
            {
                return;
            }
            try
            {
                if (kind == SubscriberQueue.NEIGHBOR_UP)
                {
                    handler.onNeighborUp(peer);
                }
                else
                {
                    handler.onNeighborDown(peer);
                }
            }
            catch (final Throwable ex)
            {
                handlerFailed(subscription, ex);
            }
        }
        else
        {
            beforeOffer(subscription);
            if (subscription.queue().offerNeighbor(kind, peer))
            {
                markDirty(subscription);
                afterOffer(subscription);
            }
            else
            {
                counters.increment(EngineCounter.SUBSCRIBER_DROPPED);
                // The gap is news too: a reader that caught up and waits must learn of it now.
                markDirty(subscription);
            }
        }
        if (kind == SubscriberQueue.NEIGHBOR_UP && !subscription.sawNeighborUp)
        {
            subscription.sawNeighborUp = true;
            subscription.completeJoined();
        }
    }

    private void dropPeer(final NodeId peer)
    {
        if (!isFailed(peer))
        {
            failedPeers.add(peer);
            transport.disconnect(peer);
        }
    }

    private boolean isFailed(final NodeId peer)
    {
        final ArrayList<NodeId> failed = failedPeers;
        for (int i = 0, n = failed.size(); i < n; i++)
        {
            if (failed.get(i).equals(peer))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Reports peers dropped during the last event to the protocol (as dropped, not failed: they are not probed back
     * into the views); reporting may fail further peers.
     */
    private void drainFailedPeers()
    {
        if (failedPeers.isEmpty())
        {
            return;
        }
        try
        {
            for (int i = 0; i < failedPeers.size(); i++)
            {
                protocol.onPeerDropped(failedPeers.get(i), now);
            }
        }
        catch (final RuntimeException ex)
        {
            error(ex);
        }
        finally
        {
            failedPeers.clear();
        }
    }

    private void markDirty(final EngineSubscription subscription)
    {
        if (!subscription.dirty)
        {
            subscription.dirty = true;
            dirty.add(subscription);
        }
    }

    private void wakeDirtySubscriptions()
    {
        // Pairs with the fence in EngineSubscription.next(): events published, then waiter read.
        VarHandle.fullFence();
        final ArrayList<EngineSubscription> list = dirty;
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final EngineSubscription subscription = list.get(i);
            subscription.dirty = false;
            subscription.wakeIfWaiting();
        }
        list.clear();
    }

    /**
     * A dispatcher handler threw: counted, and logged when its count for this subscription is a power of two (a
     * handler that fails on every message must not flood the log at a million lines a second). Whatever it threw
     * (an Error too): the handler runs in the middle of the protocol's handling of a message, which must go on to
     * cache, forward and announce it, and to deliver it to the topic's other subscriptions.
     */
    private void handlerFailed(final EngineSubscription subscription, final Throwable ex)
    {
        counters.increment(EngineCounter.HANDLER_ERRORS);
        final long n = ++subscription.handlerErrors;
        if ((n & (n - 1)) == 0)
        {
            errorHandler.onError(new IllegalStateException("dispatcher handler of " + subscription.topic()
                + " threw (error " + n + " of this subscription; the event is skipped)", ex));
        }
    }

    private void error(final Throwable ex)
    {
        counters.increment(EngineCounter.DISPATCH_ERRORS);
        errorHandler.onError(ex);
    }

    @SuppressWarnings("unchecked")
    private static List<NodeId> asPeers(final Object attachment)
    {
        return attachment == null ? List.of() : (List<NodeId>)attachment;
    }
}
