package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;

import java.util.Collection;
import java.util.Set;

/**
 * The whole protocol state of one node: one {@code Topic} (HyParView + PlumTree) per joined topic. A pure state
 * machine: every method takes the current time in nanoseconds, reads no clock, starts no thread, draws randomness
 * from the seed, and reports what it wants done through {@link ProtocolOutput}. The same inputs give the same
 * outputs. Not thread-safe: exactly one thread drives it.
 */
public final class ProtocolState
{
    /** {@link #broadcast} result: sent to at least one peer (or to nobody for a Neighbors-scope broadcast). */
    public static final int SENT = 0;
    /** {@link #broadcast} result: the topic has no neighbor yet; held and pushed when the first one comes up. */
    public static final int HELD = 1;
    /** {@link #broadcast} result: no neighbor and the hold queue is full; not sent. */
    public static final int REJECTED_HOLD_FULL = -1;
    /** {@link #broadcast} result: the topic is not joined. */
    public static final int REJECTED_NO_TOPIC = -2;

    private final Context ctx;
    private final long seed;
    private final java.util.HashMap<TopicId, Topic> topics = new java.util.HashMap<>();
    private Topic[] topicList = new Topic[4];
    private int topicCount;
    private long deadline = Long.MAX_VALUE;

    /**
     * @param me     this node's id.
     * @param config protocol settings.
     * @param seed   seed of all randomness.
     * @param epoch  this incarnation's epoch, part of every message id it authors (choose a new one per restart).
     * @param output where the protocol's actions go.
     */
    public ProtocolState(final NodeId me, final GossipConfig config, final long seed, final int epoch,
        final ProtocolOutput output)
    {
        if (me == null || config == null || output == null)
        {
            throw new IllegalArgumentException("me, config and output are required");
        }
        this.ctx = new Context(me, config, output, epoch);
        this.seed = seed;
    }

    /** This node's id. */
    public NodeId me()
    {
        return ctx.me;
    }

    /** Sets the contact data (e.g. encoded addresses) this node attaches to its id in membership messages. */
    public void contactData(final byte[] data)
    {
        if (data != null && data.length > ctx.config.maxPeerDataSize())
        {
            throw new IllegalArgumentException("contactData: " + data.length + " bytes exceeds maxPeerDataSize "
                + ctx.config.maxPeerDataSize());
        }
        ctx.myData = data == null ? Message.NO_DATA : data.clone();
    }

    /**
     * Signs every Gossip this node authors from now on with {@code signer} (null: stop signing). Forwarded messages
     * keep their author's signature whatever this setting.
     */
    public void signer(final GossipSigner signer)
    {
        ctx.signer = signer;
    }

    /**
     * Joins {@code topic} (creating its state if new) and sends Join to each bootstrap peer. Joining a topic
     * already joined only adds the bootstrap peers. Throws {@link IllegalStateException} beyond {@code maxTopics}.
     */
    public void join(final TopicId topic, final Collection<NodeId> bootstrap, final long now)
    {
        Topic t = topics.get(topic);
        if (t == null)
        {
            if (topicCount >= ctx.config.maxTopics())
            {
                throw new IllegalStateException("maxTopics: already " + topicCount + " topics joined");
            }
            t = new Topic(ctx, this, topic, seed ^ (topic.hashCode() * 0x9E3779B97F4A7C15L), now);
            topics.put(topic, t);
            if (topicCount == topicList.length)
            {
                topicList = java.util.Arrays.copyOf(topicList, topicCount * 2);
            }
            topicList[topicCount++] = t;
        }
        t.time(now);
        if (bootstrap != null)
        {
            for (final NodeId peer : bootstrap)
            {
                t.hyParView.join(peer, now);
            }
        }
        touched(t);
    }

    /** True if {@code topic} is joined. */
    public boolean isJoined(final TopicId topic)
    {
        return topics.containsKey(topic);
    }

    /**
     * Broadcasts a payload authored by this node: Swarm scope (whole topic) or Neighbors scope (direct neighbors,
     * never forwarded). The payload is copied before returning. Returns {@link #SENT}, {@link #HELD},
     * {@link #REJECTED_HOLD_FULL} or {@link #REJECTED_NO_TOPIC}.
     */
    public int broadcast(final TopicId topic, final DirectBuffer payload, final int offset, final int length,
        final boolean neighborsOnly, final long now)
    {
        final Topic t = topics.get(topic);
        if (t == null)
        {
            return REJECTED_NO_TOPIC;
        }
        t.time(now);
        final int result = t.plumTree.broadcast(payload, offset, length, neighborsOnly, now);
        touched(t);
        return result;
    }

    /**
     * Like {@link #broadcast}, for a message its author already numbered and signed: it goes out as (this node, its
     * epoch, {@code sequence}) with the {@code signatureLength} bytes of signature trailer at {@code signatureOffset}
     * of {@code signature} (a {@value Gossip#SIGNATURE_LENGTH}-byte signature or a batch proof). Same results as
     * {@link #broadcast}.
     */
    public int broadcastSigned(final TopicId topic, final DirectBuffer payload, final int offset, final int length,
        final boolean neighborsOnly, final long sequence, final DirectBuffer signature, final int signatureOffset,
        final int signatureLength, final long now)
    {
        final Topic t = topics.get(topic);
        if (t == null)
        {
            return REJECTED_NO_TOPIC;
        }
        t.time(now);
        final int result = t.plumTree.broadcast(payload, offset, length, neighborsOnly, sequence, signature,
            signatureOffset, signatureLength, now);
        touched(t);
        return result;
    }

    /**
     * True if {@code message} is a Swarm-scope Gossip of a joined topic whose id the protocol has seen: given to
     * {@link #onMessage} it would be handled as a duplicate (neither delivered nor forwarded nor cached).
     */
    public boolean seenGossip(final Gossip message)
    {
        final Topic t = topics.get(message.topic());
        return t != null && t.plumTree.seen(message);
    }

    /**
     * {@code message} is a Gossip this node's validators refused: its id is marked seen and the
     * topic stops waiting for it, and nothing else happens (nothing delivered, forwarded, announced or cached).
     */
    public void refuseGossip(final Gossip message, final long now)
    {
        final Topic t = topics.get(message.topic());
        if (t == null)
        {
            ctx.stats.unknownTopic++;
            return;
        }
        t.time(now);
        t.plumTree.onRefused(message, now);
        touched(t);
    }

    /** Leaves {@code topic}: Disconnect(alive=false) to its neighbors, then forgets its state. */
    public void quit(final TopicId topic, final long now)
    {
        final Topic t = topics.remove(topic);
        if (t == null)
        {
            return;
        }
        for (int i = 0; i < topicCount; i++)
        {
            if (topicList[i] == t)
            {
                System.arraycopy(topicList, i + 1, topicList, i, topicCount - i - 1);
                topicList[--topicCount] = null;
                break;
            }
        }
        final java.util.Set<NodeId> neighbors = t.hyParView.active().snapshot();
        t.quit(now);
        for (final NodeId peer : neighbors)
        {
            releaseIfUnused(peer);
        }
    }

    /** Handles a message received from {@code from}. Messages for topics not joined are ignored (counted). */
    public void onMessage(final NodeId from, final Message message, final long now)
    {
        final Topic t = topics.get(message.topic());
        if (t == null)
        {
            ctx.stats.unknownTopic++;
            return;
        }
        t.onMessage(from, message, now);
        touched(t);
    }

    /**
     * The connection to {@code peer} was lost, or dialling it failed: it is down for every topic. A topic that had it
     * as a neighbor or had asked it remembers it as failed and probes it later (it may be across a partition).
     */
    public void onPeerDown(final NodeId peer, final long now)
    {
        peerDown(peer, now, true);
    }

    /**
     * This node dropped {@code peer} itself (it sent bad input, or its send queue stayed full): down for every topic
     * like {@link #onPeerDown}, but not remembered as failed, so no topic probes it back into its view.
     */
    public void onPeerDropped(final NodeId peer, final long now)
    {
        peerDown(peer, now, false);
    }

    private void peerDown(final NodeId peer, final long now, final boolean keepAsFailed)
    {
        for (int i = 0; i < topicCount; i++)
        {
            final Topic t = topicList[i];
            t.time(now);
            t.hyParView.onPeerDown(peer, now, keepAsFailed);
            touched(t);
        }
    }

    /**
     * Tells the protocol whether frames from peers may be waiting unread right now (the node holds back its reads
     * for flow control, or has a backlog of received frames it has not handled). While so, a message announced by
     * an IHave but not yet received is most likely queued behind that backlog rather than lost, and grafting it
     * would fetch a second copy and prune a working tree edge: graft timers that fall due are put off instead, up to
     * {@link PlumTree#MAX_REPAIR_HOLD_NANOS} after the announcement, so a message that really is lost is still
     * repaired.
     */
    public void holdRepairs(final boolean held)
    {
        ctx.repairsHeld = held;
    }

    /** Earliest time {@link #onTimer(long)} has work, or {@link Long#MAX_VALUE} if none. */
    public long nextDeadline()
    {
        return deadline;
    }

    /** Runs every timer due at {@code now}. Calling it early or late is harmless. */
    public void onTimer(final long now)
    {
        if (now < deadline)
        {
            return;
        }
        long next = Long.MAX_VALUE;
        for (int i = 0; i < topicCount; i++)
        {
            final Topic t = topicList[i];
            if (t.nextDeadline() <= now)
            {
                t.onTimer(now);
            }
            next = Math.min(next, t.nextDeadline());
        }
        deadline = next;
    }

    /** Counters of this node. */
    public ProtocolStats stats()
    {
        return ctx.stats;
    }

    /** Snapshot of the active view of {@code topic} (empty if not joined). Allocates: for tests and tools. */
    public Set<NodeId> activeView(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? Set.of() : t.hyParView.active().snapshot();
    }

    /** Snapshot of the passive view of {@code topic}. Allocates: for tests and tools. */
    public Set<NodeId> passiveView(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? Set.of() : t.hyParView.passive().snapshot();
    }

    /** Checks the invariants of every topic's repair state (for tests); see {@link PlumTree#checkInvariants}. */
    void checkInvariants()
    {
        for (final Topic t : topics.values())
        {
            t.plumTree.checkInvariants();
        }
    }

    /** Evicts the topic's cached payloads older than {@code cutoff} (for tests). */
    void evictCachedPayloads(final TopicId topic, final long cutoff)
    {
        topics.get(topic).plumTree.evictCachedPayloads(cutoff);
    }

    /** Runs of missing messages the topic holds (for tests), or -1 if not joined. */
    int missingRuns(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? -1 : t.plumTree.missingRuns();
    }

    /** Length of the IHave queue's arrays of {@code topic}, -1 if not joined (for tests). */
    int lazyQueueLength(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? -1 : t.plumTree.lazyQueueLength();
    }

    /** Contacts of {@code topic} remembered as failed, to be probed; -1 if not joined (for tests). */
    int failedContactCount(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? -1 : t.hyParView.failedContactCount();
    }

    /** Snapshot of the PlumTree eager peers of {@code topic}. Allocates: for tests and tools. */
    public Set<NodeId> eagerPeers(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? Set.of() : t.plumTree.eager().snapshot();
    }

    /** Snapshot of the PlumTree lazy peers of {@code topic}. Allocates: for tests and tools. */
    public Set<NodeId> lazyPeers(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? Set.of() : t.plumTree.lazy().snapshot();
    }

    /** Number of topics joined. */
    public int topicCount()
    {
        return topicCount;
    }

    /** Broadcasts held in {@code topic} until it has a neighbor. */
    public int heldBroadcasts(final TopicId topic)
    {
        final Topic t = topics.get(topic);
        return t == null ? 0 : t.plumTree.heldCount();
    }

    private void touched(final Topic t)
    {
        deadline = Math.min(deadline, t.nextDeadline());
    }

    /** Closes the connection to {@code peer} once no topic has it active or is waiting for its answer. */
    void releaseIfUnused(final NodeId peer)
    {
        for (int i = 0; i < topicCount; i++)
        {
            if (topicList[i].hyParView.isActiveOrPending(peer))
            {
                return;
            }
        }
        ctx.output.disconnect(peer);
    }
}
