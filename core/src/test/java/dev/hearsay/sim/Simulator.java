package dev.hearsay.sim;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.ProtocolOutput;
import dev.hearsay.proto.ProtocolState;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic discrete-event simulator of one topic: a {@link ProtocolState} per node, driven on one thread in
 * virtual time (nanoseconds), every message encoded to bytes by the sender and decoded by the receiver.
 * <p>
 * <b>Network model.</b> Each ordered pair of nodes has a fixed one-way latency drawn uniformly from the configured
 * range (a hash of the seed and the pair, so nothing is stored per pair). A link is FIFO like a TCP stream: since
 * the latency of a link never changes and equal times are ordered by insertion, a message never overtakes an
 * earlier one on the same link.
 * <p>
 * <b>Connections.</b> A pair shares one simulated connection. Sending over a closed one opens it at once (the dial
 * costs nothing beyond the first message's latency). {@link ProtocolOutput#disconnect} closes the caller's side
 * after its queued messages (they are already in flight and still arrive, as with a TCP FIN after a flush); the
 * other side learns of it one link latency later, after those messages, and gets {@code onPeerDown} unless it had
 * closed its side first. A message that reaches a live node is always handed to its protocol, even if that node
 * closed its side meanwhile: the protocol must cope with messages from peers it dropped, as crossing messages make
 * that happen on real networks too.
 * <p>
 * <b>Failures.</b> A silent crash stops a node at once; messages sent to it are lost. A sender learns of it when a
 * message reaches the dead node: a reset comes back one link latency later and the sender gets
 * {@code onPeerDown} (dialling a dead node fails the same way). Independently, every node that had a connection
 * open to the crashed node gets {@code onPeerDown} after the configured detection delay (keep-alive or reset). A
 * graceful leave runs {@link ProtocolState#quit}, then closes every connection of the node as above and stops it.
 * <p>
 * <b>Partition.</b> {@link #partition} cuts the network between a group of nodes and the others until {@link #heal}.
 * A message across the cut is dropped silently, also one already in flight when it reaches the cut, and a closing
 * connection's FIN does not cross it either. A connection open across the cut is reported down to each side that
 * still holds it after the detection delay (the failure detector of a real transport sees a silent peer), unless the
 * network healed first. A send across the cut on a closed connection starts a dial that fails after the dial
 * timeout ({@code onPeerDown}); further sends to that peer wait on the same dial and are dropped with it, even if the
 * network heals meanwhile (as a real connect attempt whose packets were lost still times out), unless the peer opens
 * a connection to the sender first: then the link is up, later sends use it, and the failed dial is not reported.
 * <p>
 * <b>Loss.</b> TCP does not lose messages; a loss rate above zero models what TCP cannot hide from the protocol
 * layer, a message dropped on a connection that stays up (for example by an overflowing send queue). Each message,
 * whatever its type, is dropped with that probability; nobody is told, nothing is retransmitted.
 * <p>
 * <b>Randomness.</b> Keys, protocol seeds, latencies, losses and every scenario choice derive from the seed; the
 * same seed gives the same run, event for event.
 */
public final class Simulator
{
    /** The topic every simulated node joins. */
    public static final TopicId TOPIC = TopicId.of("hearsay-sim");

    private static final int EV_DELIVER = 0;
    private static final int EV_TIMER = 1;
    private static final int EV_PEER_DOWN = 2;
    private static final int EV_CLOSE = 3;
    private static final int EV_JOIN = 4;
    private static final int EV_DIAL_FAILED = 5;
    private static final int EV_DIAL_TIMEOUT = 6;
    private static final int EV_CUT_DOWN = 7;

    private static final byte STATE_NEW = 0;
    private static final byte STATE_JOINED = 1;
    private static final byte STATE_STOPPED = 2;

    private static final int EPOCH = 1;
    private static final long TIMER_SPIN_BACKOFF_NANOS = 1_000;

    private final SimConfig config;
    private final Wire wire;
    private final EventQueue queue = new EventQueue(1 << 16);
    private final SplittableRandom random;
    private final SplittableRandom lossRandom;
    private final long latencySeed;
    private final long latencyRange;
    private final Broadcasts broadcasts = new Broadcasts();
    private final Object2IntHashMap<NodeId> indexOf = new Object2IntHashMap<>(-1);
    private final Long2LongHashMap pairs = new Long2LongHashMap(0);
    private final UnsafeBuffer payload;
    private final long[] sentByType = new long[32];
    private final long[] bytesByType = new long[32];
    /** Dials across a cut that are bound to fail: (dialer, peer) to the time they do. */
    private final Long2LongHashMap failingDials = new Long2LongHashMap(Long.MIN_VALUE);

    private int nodeCount;
    private NodeId[] ids = new NodeId[16];
    private ProtocolState[] states = new ProtocolState[16];
    private byte[] status = new byte[16];
    private long[] wakeAt = new long[16];
    private IntHashSet[] connections = new IntHashSet[16];
    /** Side of each node while the network is partitioned (1: the group cut off); all 0 otherwise. */
    private byte[] side = new byte[16];
    private boolean partitioned;
    private int partitionEpoch;
    private long[] liveBits = new long[1];
    private int liveCount;
    private int connectionGeneration;
    private long now;
    private NodeIdSource idSource;
    private long eventsProcessed;
    private final long[] eventsByKind = new long[9];
    private long staleTimers;

    private long lostMessages;
    private long droppedAtDeadNode;
    private long decodeErrors;
    private String firstDecodeError;
    private long timerSpins;
    private long unknownPeerSends;
    private long selfSends;
    private long peerDownCalls;
    private long cutMessages;

    /** A simulator with no node yet; see {@link #addNode()}. */
    public Simulator(final SimConfig config)
    {
        this.config = config;
        this.wire = config.useCodec() ? new CodecWire(config.protocol(), config.decoderPerNode()) : new CopyWire();
        this.random = new SplittableRandom(config.seed());
        this.lossRandom = new SplittableRandom(mix(config.seed(), 0x4C05_5L));
        this.latencySeed = mix(config.seed(), 0x1A7E_4C7L);
        this.latencyRange = config.maxLatencyNanos() - config.minLatencyNanos() + 1;
        final byte[] bytes = new byte[config.payloadSize()];
        for (int i = Long.BYTES; i < bytes.length; i++)
        {
            bytes[i] = (byte)i;
        }
        this.payload = new UnsafeBuffer(bytes);
        broadcasts.promptNanos(config.promptNanos());
    }

    /** The configuration. */
    public SimConfig config()
    {
        return config;
    }

    /** Current virtual time in nanoseconds. */
    public long now()
    {
        return now;
    }

    /** The scenario's random source (derived from the seed). */
    public SplittableRandom random()
    {
        return random;
    }

    /** Number of nodes ever added (live or not). */
    public int nodeCount()
    {
        return nodeCount;
    }

    /** Number of nodes that joined and have neither crashed nor left. */
    public int liveCount()
    {
        return liveCount;
    }

    /** True if {@code node} joined and has neither crashed nor left. */
    public boolean isLive(final int node)
    {
        return status[node] == STATE_JOINED;
    }

    /** The id of {@code node}. */
    public NodeId id(final int node)
    {
        return ids[node];
    }

    /** The protocol of {@code node}; null once it stopped. For tests and tools. */
    public ProtocolState state(final int node)
    {
        return states[node];
    }

    /** Events handled so far. */
    public long eventsProcessed()
    {
        return eventsProcessed;
    }

    /** Events handled so far, by kind (for profiling); the last entry is stale timer wake-ups. */
    public long[] eventCounts()
    {
        final long[] counts = Arrays.copyOf(eventsByKind, eventsByKind.length);
        counts[counts.length - 1] = staleTimers;
        return counts;
    }

    /** Pending events. */
    public int pendingEvents()
    {
        return queue.size();
    }

    /** Creates a node (key and protocol) that has not joined yet; returns its index. */
    public int addNode()
    {
        if (idSource == null)
        {
            idSource = new NodeIdSource(i -> mix(config.seed(), 0x6B65_7900L + i), config.nodes());
        }
        return addNode(idSource.id(nodeCount));
    }

    private int addNode(final NodeId newId)
    {
        final NodeId id = wire.canonical(newId);
        final int node = nodeCount;
        if (node == ids.length)
        {
            grow(node << 1);
        }
        if (indexOf.containsKey(id))
        {
            throw new IllegalStateException("duplicate node id " + id);
        }
        ids[node] = id;
        states[node] = new ProtocolState(id, config.protocol(), mix(config.seed(), 0x5EED_0000L + node), EPOCH,
            new NodeOutput(node));
        status[node] = STATE_NEW;
        wakeAt[node] = Long.MAX_VALUE;
        connections[node] = new IntHashSet();
        indexOf.put(id, node);
        nodeCount++;
        if (((nodeCount + 63) >>> 6) > liveBits.length)
        {
            liveBits = Arrays.copyOf(liveBits, liveBits.length << 1);
        }
        return node;
    }

    /** Joins {@code node} now, through {@code contact} (or alone when {@code contact} is negative). */
    public void join(final int node, final int contact)
    {
        if (status[node] != STATE_NEW)
        {
            throw new IllegalStateException("node " + node + " cannot join twice");
        }
        status[node] = STATE_JOINED;
        liveBits[node >>> 6] |= 1L << node;
        liveCount++;
        final List<NodeId> bootstrap = contact < 0 ? Collections.emptyList() : List.of(ids[contact]);
        states[node].join(TOPIC, bootstrap, now);
        afterCall(node);
    }

    /**
     * Schedules {@link #join} of {@code node} through {@code contact} at virtual time {@code time}. The node may
     * not exist yet: nodes up to it are then created (in index order) when the join fires, which lets their keys
     * be derived in the background meanwhile.
     */
    public void scheduleJoin(final int node, final int contact, final long time)
    {
        queue.add(Math.max(time, now), EV_JOIN, node, contact, 0, null);
    }

    /**
     * {@code node} broadcasts now (Swarm scope). Returns the simulator's number of the broadcast; the nodes live
     * now, but its author, are expected to deliver it.
     */
    public int broadcast(final int node)
    {
        if (status[node] != STATE_JOINED)
        {
            throw new IllegalStateException("node " + node + " is not live");
        }
        final int id = broadcasts.begin(node, now, liveBits, nodeCount);
        payload.putLong(0, id, ByteOrder.LITTLE_ENDIAN);
        final int result = states[node].broadcast(TOPIC, payload, 0, payload.capacity(), false, now);
        if (result != ProtocolState.SENT && result != ProtocolState.HELD)
        {
            throw new IllegalStateException("broadcast by node " + node + " rejected: " + result);
        }
        afterCall(node);
        return id;
    }

    /**
     * Stops {@code node} as a crash: silently (see the class comment for what peers see), or, with
     * {@link SimConfig#crashesReset()}, as a process killed on a live host whose connections reset at once.
     */
    public void crash(final int node)
    {
        if (status[node] == STATE_STOPPED)
        {
            return;
        }
        stop(node);
        final IntHashSet peers = connections[node];
        final long detection = config.crashDetectionNanos();
        for (final IntHashSet.IntIterator it = peers.iterator(); it.hasNext(); )
        {
            final int peer = it.nextValue();
            final long key = pairKey(node, peer);
            long pair = pairs.get(key);
            pair = withSide(pair, node, peer, false);
            putPair(key, pair);
            if (isOpen(pair, peer, node) && config.crashesReset())
            {
                // The host closed the dead process's sockets: the reset reaches the peer one latency later.
                queue.add(now + latency(node, peer), EV_PEER_DOWN, peer, node, generation(pair), null);
            }
            else if (isOpen(pair, peer, node) && detection != Long.MAX_VALUE)
            {
                queue.add(saturatedAdd(now, detection), EV_PEER_DOWN, peer, node, generation(pair), null);
            }
        }
        peers.clear();
    }

    /** {@code node} leaves the topic gracefully, then closes its connections and stops. */
    public void leave(final int node)
    {
        if (status[node] != STATE_JOINED)
        {
            return;
        }
        states[node].quit(TOPIC, now);
        final int[] peers = connections[node].stream().mapToInt(Integer::intValue).sorted().toArray();
        for (final int peer : peers)
        {
            closeConnection(node, peer);
        }
        stop(node);
    }

    /**
     * Cuts the network between the nodes of {@code group} and every other node (see the class comment) until
     * {@link #heal()}. Only one partition at a time.
     */
    public void partition(final int[] group)
    {
        if (partitioned)
        {
            throw new IllegalStateException("already partitioned");
        }
        partitioned = true;
        partitionEpoch++;
        for (final int node : group)
        {
            side[node] = 1;
        }
        final long detection = config.crashDetectionNanos();
        if (detection == Long.MAX_VALUE)
        {
            return;
        }
        final Integer epoch = partitionEpoch;
        for (int node = 0; node < nodeCount; node++)
        {
            final int[] peers = connections[node].stream().mapToInt(Integer::intValue).sorted().toArray();
            for (final int peer : peers)
            {
                if (side[node] != side[peer])
                {
                    final long pair = pairs.get(pairKey(node, peer));
                    queue.add(saturatedAdd(now, detection), EV_CUT_DOWN, node, peer, generation(pair), epoch);
                }
            }
        }
    }

    /** Ends the partition: messages cross again; dials already failing still fail (see the class comment). */
    public void heal()
    {
        partitioned = false;
        Arrays.fill(side, 0, nodeCount, (byte)0);
    }

    /** True between {@link #partition} and {@link #heal}. */
    public boolean isPartitioned()
    {
        return partitioned;
    }

    /** True if the network is cut between {@code a} and {@code b} now. */
    public boolean isCut(final int a, final int b)
    {
        return partitioned && side[a] != side[b];
    }

    /** Messages dropped at a partition's cut (in flight, sent on a connection across it, or waiting on a dial). */
    public long cutMessages()
    {
        return cutMessages;
    }

    /** The broadcast bookkeeping. */
    Broadcasts broadcasts()
    {
        return broadcasts;
    }

    /** Where delivery latencies are recorded (microseconds); null for nowhere. */
    public void latencyTarget(final LatencyHistogram histogram)
    {
        broadcasts.latencyTarget(histogram);
    }

    /** Handles every event due up to and including {@code time}, then sets the clock to {@code time}. */
    public void runUntil(final long time)
    {
        while (queue.peekTime() <= time)
        {
            step();
        }
        now = Math.max(now, time);
    }

    /**
     * Handles events until every open broadcast has reached all the nodes expected to deliver it, or until
     * {@code deadline}; returns true in the first case. The clock stays at the last event handled (or moves to
     * the deadline when it is reached).
     */
    public boolean runUntilDelivered(final long deadline)
    {
        while (broadcasts.pendingExpected() > 0 && queue.peekTime() <= deadline)
        {
            step();
        }
        if (broadcasts.pendingExpected() > 0)
        {
            now = Math.max(now, deadline);
            return false;
        }
        return true;
    }

    /** Messages sent so far of {@code type} (lost ones included). */
    public long sent(final MessageType type)
    {
        return sentByType[type.code()];
    }

    /** Encoded bytes sent so far of {@code type} (0 when the run does not use the codec). */
    public long bytesSent(final MessageType type)
    {
        return bytesByType[type.code()];
    }

    /** Messages dropped by the loss model. */
    public long lostMessages()
    {
        return lostMessages;
    }

    /** Messages that reached a stopped node. */
    public long droppedAtDeadNode()
    {
        return droppedAtDeadNode;
    }

    /** Messages the receiver could not decode (a codec or protocol bug: must stay 0). */
    public long decodeErrors()
    {
        return decodeErrors;
    }

    /** The first decode error, or null. */
    public String firstDecodeError()
    {
        return firstDecodeError;
    }

    /**
     * Times a node's {@link ProtocolState#nextDeadline()} was not after the time its timers had just run at (the
     * simulator then retries a microsecond later); non-zero hints at a timer that never advances.
     */
    public long timerSpins()
    {
        return timerSpins;
    }

    /** Sends to a peer the simulator does not know (the sender is told the dial failed). */
    public long unknownPeerSends()
    {
        return unknownPeerSends;
    }

    /** Sends a node addressed to itself (ignored). */
    public long selfSends()
    {
        return selfSends;
    }

    /** Calls of {@link ProtocolState#onPeerDown}. */
    public long peerDownCalls()
    {
        return peerDownCalls;
    }

    /** Broadcasts delivered twice at the same node (a protocol bug: must stay 0). */
    public long duplicateDeliveries()
    {
        return broadcasts.duplicateDeliveries;
    }

    /**
     * Checks the active views of the live nodes: {@code [asymmetric pairs, links to stopped nodes, live nodes with
     * an empty active view, connected components of the live active-view graph]}. A pair is asymmetric when one
     * side has the other in its active view and not the reverse. Allocates: for reports and tests.
     */
    public long[] checkOverlay()
    {
        @SuppressWarnings("unchecked")
        final Set<NodeId>[] views = new Set[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            views[i] = status[i] == STATE_JOINED ? states[i].activeView(TOPIC) : new HashSet<>();
        }
        long asymmetric = 0;
        long dangling = 0;
        long isolated = 0;
        final int[] parent = new int[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            parent[i] = i;
        }
        for (int i = 0; i < nodeCount; i++)
        {
            if (status[i] != STATE_JOINED)
            {
                continue;
            }
            if (views[i].isEmpty())
            {
                isolated++;
            }
            for (final NodeId peerId : views[i])
            {
                final int j = indexOf.getValue(peerId);
                if (j < 0 || status[j] != STATE_JOINED)
                {
                    dangling++;
                }
                else
                {
                    union(parent, i, j);
                    if (!views[j].contains(ids[i]))
                    {
                        asymmetric++;
                    }
                }
            }
        }
        long components = 0;
        for (int i = 0; i < nodeCount; i++)
        {
            if (status[i] == STATE_JOINED && find(parent, i) == i)
            {
                components++;
            }
        }
        return new long[]{asymmetric, dangling, isolated, components};
    }

    /**
     * Live nodes other than {@code from} that a flood over the live part of the current active views could reach,
     * following a link in either direction: what any broadcast can reach before the membership repairs. Allocates:
     * for reports and tests.
     */
    public int reachableFrom(final int from)
    {
        final int[] parent = liveComponents();
        final int root = find(parent, from);
        int reached = 0;
        for (int i = 0; i < nodeCount; i++)
        {
            if (i != from && status[i] == STATE_JOINED && find(parent, i) == root)
            {
                reached++;
            }
        }
        return reached;
    }

    /**
     * Live nodes other than {@code from} that a flood over the live part of the current active views reaches within
     * {@code budgetNanos}: each link taken in either direction at its one-way latency, no processing time, no
     * repair. On slow links this, not {@link #reachableFrom}, bounds what a first broadcast after a crash can deliver
     * promptly before the membership repairs. Allocates: for reports and tests.
     */
    public int floodedWithin(final int from, final long budgetNanos)
    {
        @SuppressWarnings("unchecked")
        final java.util.List<Integer>[] links = new java.util.List[nodeCount];
        // Either end may send: a link is known to both sides, or to one until the other learns of it.
        forEachLiveLink((i, j) ->
        {
            (links[i] == null ? links[i] = new java.util.ArrayList<>() : links[i]).add(j);
            (links[j] == null ? links[j] = new java.util.ArrayList<>() : links[j]).add(i);
        });
        final long[] arrival = new long[nodeCount];
        java.util.Arrays.fill(arrival, Long.MAX_VALUE);
        arrival[from] = 0;
        final java.util.PriorityQueue<long[]> queue = new java.util.PriorityQueue<>(
            java.util.Comparator.comparingLong((long[] e) -> e[0]));
        queue.add(new long[]{0, from});
        int reached = 0;
        while (!queue.isEmpty())
        {
            final long[] head = queue.poll();
            final int node = (int)head[1];
            if (head[0] > arrival[node])
            {
                continue;
            }
            if (node != from)
            {
                reached++;
            }
            if (links[node] == null)
            {
                continue;
            }
            for (final int next : links[node])
            {
                final long at = head[0] + latency(node, next);
                if (at <= budgetNanos && at < arrival[next])
                {
                    arrival[next] = at;
                    queue.add(new long[]{at, next});
                }
            }
        }
        return reached;
    }

    /** Union-find over the live nodes, joined by every active-view link between two of them (either direction). */
    private int[] liveComponents()
    {
        final int[] parent = new int[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            parent[i] = i;
        }
        forEachLiveLink((i, j) -> union(parent, i, j));
        return parent;
    }

    /** Calls {@code link} with (i, j) for every j in live node i's active view that is live too. */
    private void forEachLiveLink(final java.util.function.BiConsumer<Integer, Integer> link)
    {
        for (int i = 0; i < nodeCount; i++)
        {
            if (status[i] != STATE_JOINED)
            {
                continue;
            }
            for (final NodeId peerId : states[i].activeView(TOPIC))
            {
                final int j = indexOf.getValue(peerId);
                if (j >= 0 && status[j] == STATE_JOINED)
                {
                    link.accept(i, j);
                }
            }
        }
    }

    /** Sum of the active view sizes of the live nodes. Allocates. */
    public long activeViewTotal()
    {
        long total = 0;
        for (int i = 0; i < nodeCount; i++)
        {
            if (status[i] == STATE_JOINED)
            {
                total += states[i].activeView(TOPIC).size();
            }
        }
        return total;
    }

    private void step()
    {
        final int slot = queue.poll();
        now = queue.time();
        eventsProcessed++;
        eventsByKind[queue.kind(slot)]++;
        final int node = queue.node(slot);
        final int peer = queue.peer(slot);
        switch (queue.kind(slot))
        {
            case EV_DELIVER:
                onDeliver(node, peer, queue.arg(slot), queue.ref(slot));
                break;
            case EV_TIMER:
                onTimerEvent(node);
                break;
            case EV_PEER_DOWN:
                onConnectionLost(node, peer, queue.arg(slot));
                break;
            case EV_CLOSE:
                if (!isCut(node, peer))
                {
                    onConnectionLost(node, peer, queue.arg(slot));
                }
                break;
            case EV_CUT_DOWN:
                if (partitioned && (Integer)queue.ref(slot) == partitionEpoch)
                {
                    onConnectionLost(node, peer, queue.arg(slot));
                }
                break;
            case EV_DIAL_TIMEOUT:
                failingDials.remove(dialKey(node, peer));
                // Reported unless the peer connected to this node meanwhile: the link is up, the dial is moot.
                if (status[node] == STATE_JOINED && !isOpen(pairs.get(pairKey(node, peer)), node, peer))
                {
                    peerDownCalls++;
                    states[node].onPeerDown(ids[peer], now);
                    afterCall(node);
                }
                break;
            case EV_JOIN:
                while (nodeCount <= node)
                {
                    addNode();
                }
                join(node, peer);
                break;
            case EV_DIAL_FAILED:
                if (status[node] == STATE_JOINED)
                {
                    peerDownCalls++;
                    states[node].onPeerDown((NodeId)queue.ref(slot), now);
                    afterCall(node);
                }
                break;
            default:
                throw new IllegalStateException("unknown event kind " + queue.kind(slot));
        }
    }

    private void onDeliver(final int to, final int from, final int generation, final Object onTheWire)
    {
        if (isCut(from, to))
        {
            cutMessages++;
            return;
        }
        if (status[to] == STATE_STOPPED)
        {
            droppedAtDeadNode++;
            final long pair = pairs.get(pairKey(from, to));
            if (generation(pair) == generation && isOpen(pair, from, to) && status[from] != STATE_STOPPED)
            {
                // The dead node's host answers with a reset: the sender learns one latency later.
                queue.add(now + latency(to, from), EV_PEER_DOWN, from, to, generation, null);
            }
            return;
        }
        final Message message = wire.decode(to, onTheWire);
        if (message == null)
        {
            decodeErrors++;
            if (firstDecodeError == null)
            {
                firstDecodeError = wire.lastError();
            }
            return;
        }
        states[to].onMessage(ids[from], message, now);
        afterCall(to);
    }

    private void onTimerEvent(final int node)
    {
        if (status[node] == STATE_STOPPED || wakeAt[node] != now)
        {
            staleTimers++;
            return; // stale wake-up: an earlier one was scheduled since, or the node stopped
        }
        wakeAt[node] = Long.MAX_VALUE;
        states[node].onTimer(now);
        final long next = states[node].nextDeadline();
        if (next <= now)
        {
            timerSpins++;
            wakeAt[node] = now + TIMER_SPIN_BACKOFF_NANOS;
            queue.add(wakeAt[node], EV_TIMER, node, 0, 0, null);
        }
        else
        {
            schedule(node, next);
        }
    }

    private void onConnectionLost(final int node, final int peer, final int generation)
    {
        if (status[node] == STATE_STOPPED)
        {
            return;
        }
        final long key = pairKey(node, peer);
        final long pair = pairs.get(key);
        if (generation(pair) != generation || !isOpen(pair, node, peer))
        {
            return; // this side closed first, or the pair reconnected since: nothing to report
        }
        putPair(key, withSide(pair, node, peer, false));
        connections[node].remove(peer);
        if (status[node] == STATE_JOINED)
        {
            peerDownCalls++;
            states[node].onPeerDown(ids[peer], now);
            afterCall(node);
        }
    }

    private void send(final int from, final NodeId to, final Message message)
    {
        final int code = message.type().code();
        sentByType[code]++;
        if (code == MessageType.GOSSIP.code())
        {
            final Gossip gossip = (Gossip)message;
            broadcasts.onPayloadSent(gossip.payloadLength() >= Long.BYTES ?
                gossip.payloadBuffer().getLong(gossip.payloadOffset(), ByteOrder.LITTLE_ENDIAN) : -1);
        }
        final int toNode = indexOf.getValue(to);
        if (toNode == from)
        {
            selfSends++;
            return;
        }
        if (toNode < 0)
        {
            unknownPeerSends++;
            queue.add(now + 2 * config.maxLatencyNanos(), EV_DIAL_FAILED, from, 0, 0, to);
            return;
        }
        final long key = pairKey(from, toNode);
        long pair = pairs.get(key);
        if (!isOpen(pair, from, toNode) && failingDials.containsKey(dialKey(from, toNode)))
        {
            cutMessages++;
            return;
        }
        if (isCut(from, toNode))
        {
            cutMessages++;
            if (!isOpen(pair, from, toNode))
            {
                final long failsAt = now + config.dialTimeoutNanos();
                failingDials.put(dialKey(from, toNode), failsAt);
                queue.add(failsAt, EV_DIAL_TIMEOUT, from, toNode, 0, null);
            }
            return;
        }
        if (!isOpen(pair, from, toNode))
        {
            pair = ((long)++connectionGeneration) << 2;
            pair = withSide(pair, from, toNode, true);
            connections[from].add(toNode);
            if (status[toNode] != STATE_STOPPED)
            {
                pair = withSide(pair, toNode, from, true);
                connections[toNode].add(from);
            }
            putPair(key, pair);
        }
        final Object onTheWire = wire.encode(message);
        bytesByType[code] += wire.length(onTheWire);
        if (config.lossRate() > 0 && lossRandom.nextDouble() < config.lossRate())
        {
            lostMessages++;
            return;
        }
        queue.add(now + latency(from, toNode), EV_DELIVER, toNode, from, generation(pair), onTheWire);
    }

    private void closeConnection(final int node, final int peer)
    {
        final long key = pairKey(node, peer);
        long pair = pairs.get(key);
        if (!isOpen(pair, node, peer))
        {
            return;
        }
        pair = withSide(pair, node, peer, false);
        putPair(key, pair);
        connections[node].remove(peer);
        if (isOpen(pair, peer, node))
        {
            queue.add(now + latency(node, peer), EV_CLOSE, peer, node, generation(pair), null);
        }
    }

    private void stop(final int node)
    {
        if (status[node] == STATE_JOINED)
        {
            liveBits[node >>> 6] &= ~(1L << node);
            liveCount--;
        }
        status[node] = STATE_STOPPED;
        states[node] = null;
        wakeAt[node] = Long.MAX_VALUE;
    }

    private void afterCall(final int node)
    {
        if (status[node] != STATE_STOPPED)
        {
            schedule(node, states[node].nextDeadline());
        }
    }

    private void schedule(final int node, final long deadline)
    {
        if (deadline < wakeAt[node])
        {
            final long time = Math.max(deadline, now);
            wakeAt[node] = time;
            queue.add(time, EV_TIMER, node, 0, 0, null);
        }
    }

    long latency(final int from, final int to)
    {
        final long h = mix(latencySeed, ((long)from << 32) | (to & 0xFFFF_FFFFL));
        return config.minLatencyNanos() + Long.remainderUnsigned(h, latencyRange);
    }

    private void putPair(final long key, final long pair)
    {
        if ((pair & 3) == 0)
        {
            pairs.remove(key);
        }
        else
        {
            pairs.put(key, pair);
        }
    }

    private static long pairKey(final int a, final int b)
    {
        return a < b ? ((long)a << 32) | b : ((long)b << 32) | a;
    }

    private static long dialKey(final int dialer, final int peer)
    {
        return ((long)dialer << 32) | (peer & 0xFFFF_FFFFL);
    }

    private static int generation(final long pair)
    {
        return (int)(pair >>> 2);
    }

    private static boolean isOpen(final long pair, final int self, final int other)
    {
        return (pair & (self < other ? 2 : 1)) != 0;
    }

    private static long withSide(final long pair, final int self, final int other, final boolean open)
    {
        final long bit = self < other ? 2 : 1;
        return open ? pair | bit : pair & ~bit;
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }

    private static int find(final int[] parent, final int i)
    {
        int r = i;
        while (parent[r] != r)
        {
            parent[r] = parent[parent[r]];
            r = parent[r];
        }
        return r;
    }

    private static void union(final int[] parent, final int a, final int b)
    {
        final int ra = find(parent, a);
        final int rb = find(parent, b);
        if (ra != rb)
        {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    /** SplitMix64 finaliser over {@code seed + salt}: a cheap, well-spread pure function. */
    static long mix(final long seed, final long salt)
    {
        long z = seed + salt * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void grow(final int capacity)
    {
        ids = Arrays.copyOf(ids, capacity);
        states = Arrays.copyOf(states, capacity);
        status = Arrays.copyOf(status, capacity);
        wakeAt = Arrays.copyOf(wakeAt, capacity);
        connections = Arrays.copyOf(connections, capacity);
        side = Arrays.copyOf(side, capacity);
    }

    /** The {@link ProtocolOutput} of one simulated node. */
    private final class NodeOutput implements ProtocolOutput
    {
        private final int node;

        NodeOutput(final int node)
        {
            this.node = node;
        }

        @Override
        public void send(final NodeId peer, final Message message)
        {
            Simulator.this.send(node, peer, message);
        }

        @Override
        public void deliver(final TopicId topic, final NodeId author, final int epoch, final long sequence,
            final NodeId from, final int hops, final boolean neighborsOnly, final DirectBuffer buffer,
            final int offset, final int length)
        {
            final long id = length >= Long.BYTES ? buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) : -1;
            // The Gossip hop field counts hops before the last one (0 from the author): a direct neighbour of the
            // author is one hop away, as the papers count LDH.
            broadcasts.onDelivered(id, node, hops + 1, now);
        }

        @Override
        public void neighborUp(final TopicId topic, final NodeId peer)
        {
        }

        @Override
        public void neighborDown(final TopicId topic, final NodeId peer)
        {
        }

        @Override
        public void disconnect(final NodeId peer)
        {
            final int peerNode = indexOf.getValue(peer);
            if (peerNode >= 0 && peerNode != node)
            {
                closeConnection(node, peerNode);
            }
        }
    }
}
