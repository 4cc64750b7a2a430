package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * PlumTree broadcast of one topic over the HyParView active view: payloads are pushed eagerly along tree edges
 * and announced lazily (IHave, batched every {@code ihaveInterval}) to the other neighbors; a message announced but
 * not received within {@code graftTimeout1} is grafted from its announcer (then from each further announcer every
 * {@code graftTimeout2}), which also repairs the tree; a duplicate prunes the edge it came over (once, and not while
 * a Graft that turned the edge eager is unanswered); an announcement that beats the eager delivery by
 * {@code optimizationThreshold} hops swaps the two edges. Nothing is pushed or announced to a neighbor known to have
 * the message (its author, or one that announced it).
 *
 * <p>Repair works on runs: an author's messages travel one tree path over FIFO links and are announced as runs of
 * consecutive sequences, so what is missing is tracked as runs ({@link MissingRuns}) and one Graft asks for a
 * stretch of a run: {@link #FIRST_GRAFT_IDS} ids the first time a peer is asked, and once those have arrived the
 * rest (up to {@link Graft#MAX_COUNT}). Its answerer queues the range ({@link GraftAnswers}) and sends what it still
 * has cached, in order, {@link #ANSWER_BATCH} messages per neighbor per timer run and nothing into a congested link.
 * The state and the traffic of a repair so grow with the number of gaps, not the number of messages missing.
 *
 * <p>Bounds and policies: seen ids ({@link AuthorLogs}: a sequence window per author, least recent author
 * forgotten when {@code maxAuthors} is reached), payload cache
 * ({@link PayloadCache}: oldest evicted early), missing runs ({@link MissingRuns}: when full, a new gap widens its
 * stream's nearest run, or two runs of another stream merge), grafted ranges ({@link GraftAnswers}: 64 per
 * neighbor), lazy queue (flushed at once when full), held broadcasts while there is no neighbor (rejected
 * when full). Every one is counted in {@link ProtocolStats}.
 */
final class PlumTree
{
    private final Context ctx;
    private final GossipConfig config;
    private final TopicId topic;
    private final PeerList eager;
    private final PeerList lazy;
    private final NodeId[] slotPeers;
    /** Grafts sent to each neighbor slot and not yet answered, superseded, given up or past their retry timer. */
    private final int[] graftsInFlight;
    /**
     * Per neighbor slot, until when duplicates from it send no Prune ({@link #NONE} if they do): set for
     * {@link #PRUNE_REPEAT_NANOS} when a Prune goes out (the copies it queued before the Prune reached it would
     * otherwise each send another), and while a Graft to it is unanswered (the copies it queued before the Graft
     * reached it would otherwise prune the very edge the Graft asked for).
     */
    private final long[] pruneQuietUntil;
    /**
     * Per neighbor slot, the range of the last Graft that turned it eager, while no copy of the range has come
     * back from it (author null if none).
     */
    private final NodeId[] graftAuthor;
    private final int[] graftEpoch;
    private final long[] graftFirst;
    private final long[] graftLast;
    private static final long NONE = Long.MIN_VALUE;
    /** Scratch: the peers of one eager fan-out, so that the Gossip is encoded once for all of them. */
    private final NodeId[] recipients;
    /**
     * Grafts one neighbor may have outstanding (sent, no copy of their range back yet); further ones wait. A Graft
     * asks for a range that its answerer sends in batches, so this bounds the ranges a burst of grafts (after a
     * stall, one per gap of each stream) queues at one neighbor.
     */
    static final int MAX_GRAFTS_IN_FLIGHT = 64;
    /**
     * Most grafted messages sent to one neighbor per timer run (the engine runs timers once per duty cycle, before
     * it flushes): a Graft for a long range is answered over many flushes, and never into a congested link.
     */
    static final int ANSWER_BATCH = 256;
    /**
     * Most ids a Graft asks of a peer not yet grafted from for the run; once they have arrived, the rest of the run
     * is asked of the same peer in one Graft. A run whose eager copies were only late (a path that paused for longer
     * than the lead timeout) then costs at most this many duplicates, not the whole run: by the time the first
     * stretch is in, the late path is delivering again and the rest is left to it.
     */
    static final int FIRST_GRAFT_IDS = 4096;
    /** Most grafted sequences no longer cached that one batch skips (each costs a lookup, not a send). */
    static final int ANSWER_SKIPS = 1 << 16;
    /** How soon the next batch of grafted messages goes while the links take them. */
    static final long ANSWER_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(50);
    private long lazyMask;
    private final AuthorLogs authors;
    private final PayloadCache cache;
    /** Announced-but-missing messages, as runs; with the runs waiting for an announcer that can take a Graft. */
    private final MissingRuns missing;
    /** When the waiting lists are looked at next ({@code Long.MAX_VALUE} while they are empty). */
    private long releaseAt = Long.MAX_VALUE;
    /** Grafted ranges still to be sent, per neighbor slot. */
    private final GraftAnswers answers;
    /** When the next batch of grafted messages goes ({@code Long.MAX_VALUE} while none is left to send). */
    private long answerAt = Long.MAX_VALUE;
    /**
     * How often the waiting lists are looked at while they hold entries: an announcer's link draining is not an
     * event the protocol sees, and an answered Graft frees its slot in the middle of a frame's handling.
     */
    static final long WAIT_POLL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2);
    private final UnsafeBuffer view = new UnsafeBuffer(Message.NO_DATA);
    private final UnsafeBuffer heldView = new UnsafeBuffer(Message.NO_DATA);
    private final ArrayDeque<HeldBroadcast> held = new ArrayDeque<>();

    // Lazy queue: runs of ids to announce at the next flush, each with the neighbor slots to announce it to. A run is
    // consecutive sequences of one author's epoch with the same hop count and recipients: the common case of an
    // author's stream arriving in order along one tree edge is one run per flush.
    private final int lazyCapacity;
    private NodeId[] lazyAuthors;
    private int[] lazyEpochs;
    private long[] lazySequences;
    private int[] lazyCounts;
    private int[] lazyHops;
    private long[] lazyMasks;
    private int lazySize;

    /**
     * How long after its announcement a missing message's graft may be put off, while reads are held (see
     * {@link ProtocolState#holdRepairs}) or its author's stream is still arriving.
     */
    static final long MAX_REPAIR_HOLD_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /**
     * How long after a Prune further duplicates from the same peer send none. Long enough to absorb a deep queue of
     * copies (at most ten Prunes a second per link however many arrive), short enough that a peer that turned the
     * edge eager again, as a tree rebuild does, is pruned by its next duplicate rather than a whole message later.
     */
    static final long PRUNE_REPEAT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);
    private final TreeRebuild rebuild = new TreeRebuild();
    private final AdaptiveTimeout leadTimer;
    private final AdaptiveTimeout graftTimer;
    private long sequence;
    /**
     * True while this node's part of the topic's tree may be cut off from the rest: until its first message arrives,
     * and from the loss of an eager neighbor (a tree edge) until the next first copy arrives. While it holds, each
     * new neighbor is asked for eager push (a Graft without id) and taken as eager in turn, so the repair races
     * along the new links as in the Plumtree paper; otherwise a new neighbor starts lazy. A new link eager on both
     * ends costs up to two duplicates the first time a message crosses it; after a mass failure links keep forming
     * for a second or two, and links made eager once the tree was whole again kept RMR up for rounds.
     */
    private boolean treeBroken = true;
    /**
     * How recent the last message must be for the loss of an eager neighbor to start a repair push of it: a
     * message that arrived longer ago has long finished spreading, on a LAN and over wide-area links alike.
     */
    static final long REPAIR_PUSH_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /** The last Swarm-scope message this node delivered or broadcast, and when (author null before the first). */
    private NodeId lastAuthor;
    private int lastEpoch;
    private long lastSequence;
    private long lastAt;
    /** True once the last message was repair-pushed: a message is repair-pushed at most once. */
    private boolean lastRepairPushed;
    /**
     * Neighbors-scope broadcasts are numbered -1, -2, ...: only neighbors see them, so they must not look like gaps
     * in the Swarm-scope sequence to everyone else.
     */
    private long neighborsSequence;
    private final UnsafeBuffer signatureView = new UnsafeBuffer(Message.NO_DATA);
    private long flushAt = Long.MAX_VALUE;
    private long evictAt = Long.MAX_VALUE;

    PlumTree(final Context ctx, final TopicId topic)
    {
        this.ctx = ctx;
        this.config = ctx.config;
        this.topic = topic;
        this.eager = new PeerList(config.activeViewCapacity());
        this.lazy = new PeerList(config.activeViewCapacity());
        this.slotPeers = new NodeId[config.activeViewCapacity()];
        this.recipients = new NodeId[config.activeViewCapacity()];
        this.graftsInFlight = new int[config.activeViewCapacity()];
        this.pruneQuietUntil = new long[config.activeViewCapacity()];
        java.util.Arrays.fill(pruneQuietUntil, NONE);
        this.graftAuthor = new NodeId[config.activeViewCapacity()];
        this.graftEpoch = new int[config.activeViewCapacity()];
        this.graftFirst = new long[config.activeViewCapacity()];
        this.graftLast = new long[config.activeViewCapacity()];
        this.authors = new AuthorLogs(config.maxAuthors());
        this.cache = new PayloadCache(config.payloadCacheBytes(), config.payloadCacheEntries(), config.preallocate());
        this.missing = new MissingRuns(config.missingCapacity(), config.activeViewCapacity(), config.preallocate());
        this.answers = new GraftAnswers(config.activeViewCapacity());
        this.lazyCapacity = config.lazyQueueCapacity();
        final int lazyLength = config.preallocate() ? Math.max(lazyCapacity, 64) : 64;
        this.lazyAuthors = new NodeId[lazyLength];
        this.lazyEpochs = new int[lazyLength];
        this.lazySequences = new long[lazyLength];
        this.lazyCounts = new int[lazyLength];
        this.lazyHops = new int[lazyLength];
        this.lazyMasks = new long[lazyLength];
        this.leadTimer = new AdaptiveTimeout(config.graftTimeout1Nanos(), 5);
        this.graftTimer = new AdaptiveTimeout(config.graftTimeout2Nanos(), 10);
    }

    /** Current wait before the first Graft (for tests and tools). */
    long graftTimeout1Nanos()
    {
        return leadTimer.timeout();
    }

    /** Current wait before each further Graft. */
    long graftTimeout2Nanos()
    {
        return graftTimer.timeout();
    }

    PeerList eager()
    {
        return eager;
    }

    PeerList lazy()
    {
        return lazy;
    }

    int heldCount()
    {
        return held.size();
    }

    // ----------------------------------------------------------------------------------------------------------
    // Membership changes

    /**
     * A new neighbor: eager on both ends (this side asks with a Graft without id) while {@link #treeBroken}, lazy
     * otherwise; announced the recent messages; pushed what was broadcast while this node had no neighbor.
     */
    void neighborUp(final NodeId peer, final long now)
    {
        assignSlot(peer);
        if (treeBroken || eager.isEmpty())
        {
            makeEager(peer);
            ctx.stats.treeLinksRequested++;
            ctx.send(peer, ctx.graft.setNoId().topic(topic));
        }
        else
        {
            lazy.add(peer);
            lazyMask |= slotBit(peer);
        }
        announceRecent(peer, now);
        if (!held.isEmpty())
        {
            // The first neighbor: push what was broadcast while alone, in order.
            while (!held.isEmpty())
            {
                final HeldBroadcast h = held.poll();
                heldView.wrap(h.bytes);
                send(heldView, 0, h.length, h.neighborsOnly, h.sequence, h.signatureLength > 0 ? heldView : null,
                    h.length, h.signatureLength, now);
            }
            heldView.wrap(Message.NO_DATA);
        }
    }

    /**
     * Catch-up for a new neighbor: announce the messages of the last {@code neighborCatchUpWindow} (at most one
     * IHave). A node that was cut off for a moment (evicted, reconnecting, just joined) grafts what passed it by,
     * which plain PlumTree would never tell it about.
     */
    private void announceRecent(final NodeId peer, final long now)
    {
        final long window = config.neighborCatchUpWindowNanos();
        if (window == 0 || cache.size() == 0)
        {
            return;
        }
        final IHave ihave = ctx.ihave;
        ihave.clear().topic(topic);
        if (cache.recent(now - window, ihave, peer) > 0)
        {
            ctx.send(peer, ihave);
        }
        ihave.clear();
    }

    /**
     * A neighbor left; {@code lost}: it failed or left the topic. The loss of an eager one (a tree edge) within
     * {@link #REPAIR_PUSH_WINDOW_NANOS} of the last message starts a repair push of that message.
     */
    void neighborDown(final NodeId peer, final boolean lost, final long now)
    {
        if (lost && config.repairPush())
        {
            rebuild.neighborLost(now);
        }
        if (eager.remove(peer))
        {
            treeBroken = true;
            if (lost && config.repairPush() && lastAuthor != null && !lastRepairPushed
                && now - lastAt < REPAIR_PUSH_WINDOW_NANOS)
            {
                lastRepairPushed = true;
                repairPushLast(peer);
            }
        }
        lazy.remove(peer);
        releaseSlot(peer);
    }

    private boolean isNeighbor(final NodeId peer)
    {
        return eager.contains(peer) || lazy.contains(peer);
    }

    /**
     * True if a duplicate from this slot's peer sends no Prune: a Prune already went to it and the edge is still
     * lazy on our side (each further copy it queued before taking the Prune would send another: under overload,
     * hundreds of thousands), or a Graft to it is unanswered (its copies queued before taking the Graft would
     * prune the edge the Graft just asked for, and with deep queues no graft ever held: the tree churned for
     * good). Either lasts at most {@link #MAX_REPAIR_HOLD_NANOS}, in case the answer never comes.
     */
    private boolean pruneQuiet(final int slot, final long now)
    {
        if (slot < 0 || pruneQuietUntil[slot] == NONE || now - pruneQuietUntil[slot] >= 0)
        {
            return false;
        }
        return graftAuthor[slot] != null || lazy.contains(slotPeers[slot]);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Broadcast

    int broadcast(final DirectBuffer payload, final int offset, final int length, final boolean neighborsOnly,
        final long now)
    {
        return broadcast(payload, offset, length, neighborsOnly, 0, null, 0, 0, now);
    }

    /**
     * A broadcast; with a {@code signature} (not null), one its author already numbered and signed: it is sent
     * with {@code presetSequence} and those {@code signatureLength} bytes of signature trailer, and the protocol
     * neither numbers nor signs it.
     */
    int broadcast(final DirectBuffer payload, final int offset, final int length, final boolean neighborsOnly,
        final long presetSequence, final DirectBuffer signature, final int signatureOffset, final int signatureLength,
        final long now)
    {
        if (eager.isEmpty() && lazy.isEmpty())
        {
            if (held.size() >= config.pendingBroadcastCapacity())
            {
                ctx.stats.heldRejected++;
                return ProtocolState.REJECTED_HOLD_FULL;
            }
            final int trailer = signature != null ? signatureLength : 0;
            final byte[] copy = new byte[length + trailer];
            payload.getBytes(offset, copy, 0, length);
            if (signature != null)
            {
                signature.getBytes(signatureOffset, copy, length, trailer);
            }
            held.add(new HeldBroadcast(copy, length, neighborsOnly, presetSequence, trailer));
            return ProtocolState.HELD;
        }
        send(payload, offset, length, neighborsOnly, presetSequence, signature, signatureOffset, signatureLength, now);
        return ProtocolState.SENT;
    }

    private void send(final DirectBuffer payload, final int offset, final int length, final boolean neighborsOnly,
        final long presetSequence, final DirectBuffer signature, final int signatureOffset, final int signatureLength,
        final long now)
    {
        final long seq = signature != null ? presetSequence : neighborsOnly ? -(++neighborsSequence) : ++sequence;
        final NodeId me = ctx.me;
        final int epoch = ctx.epoch;
        final Gossip gossip = ctx.gossip;
        gossip.set(me, epoch, seq, 0, neighborsOnly).payload(payload, offset, length).topic(topic);
        if (signature != null)
        {
            gossip.signature(signature, signatureOffset, signatureLength);
        }
        else if (ctx.signer != null)
        {
            ctx.signer.sign(gossip, ctx.signature, 0);
            gossip.signature(ctx.signature, 0);
        }
        if (neighborsOnly)
        {
            for (int i = 0; i < eager.size(); i++)
            {
                ctx.send(eager.get(i), gossip);
            }
            for (int i = 0; i < lazy.size(); i++)
            {
                ctx.send(lazy.get(i), gossip);
            }
            return;
        }
        final AuthorLog log = authors.getOrCreate(me, epoch, seq, now);
        recordReceived(log, seq, now);
        cachePayload(log, seq, 0, payload, offset, length, gossip, now);
        rememberLast(me, epoch, seq, false, now);
        spareSlowPeers(null);
        if (rebuild.takeIfDue(now))
        {
            enqueueLazy(me, epoch, seq, 0, null, pushToEveryLink(gossip, null, 0), now);
            return;
        }
        ctx.send(recipients, eager.copyTo(recipients, null), gossip);
        enqueueLazy(me, epoch, seq, 0, null, 0, now);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Repair after a failure

    /** The last message, for a repair push: {@code repaired} if it came as a repair copy (passed on already). */
    private void rememberLast(final NodeId author, final int epoch, final long seq, final boolean repaired,
        final long now)
    {
        lastAuthor = author;
        lastEpoch = epoch;
        lastSequence = seq;
        lastAt = now;
        lastRepairPushed = repaired;
    }

    /**
     * The loss of a tree edge right after a message: its subtree may still be waiting for it, and PlumTree alone
     * would reach it only link by link, each lazy link crossed by an announcement, a graft timeout and a Graft. So
     * the message is pushed at once, marked as a repair copy, to every lazy neighbor (its author and the lost peer
     * aside), and those links turn eager. A node that gets a repair copy first passes it on the same way to all its
     * neighbors, so the repair spreads as a flood through whatever part of the tree the failure cut off, and stops
     * where nodes already had the message (a repair copy that is a duplicate prunes nothing). The links it made
     * eager carry the next message too, and its duplicates prune them back to a tree of the links that delivered
     * first: after a large failure the next message rebuilds the tree as the first broadcast of a topic does.
     */
    private void repairPushLast(final NodeId lost)
    {
        final AuthorLog log = authors.find(lastAuthor, lastEpoch);
        if (log != null && cachedCopy(log, lastSequence))
        {
            repairPush(ctx.gossip, lost, slotBit(log.author), false);
        }
    }

    /**
     * Pushes {@code copy} as a repair copy to every lazy neighbor (and with {@code alsoEager} every eager one) but
     * {@code from} and {@code holders}, except into a congested link, and makes the lazy ones among them eager.
     * Returns the slots pushed to.
     */
    private long repairPush(final Gossip copy, final NodeId from, final long holders, final boolean alsoEager)
    {
        copy.repair(true);
        final int n = collectRecipients(from, holders, alsoEager);
        ctx.stats.repairPushes += n;
        final long pushed = sendToRecipients(copy, n);
        copy.repair(false);
        return pushed;
    }

    /**
     * Sends {@code copy} (an ordinary copy, not a repair copy) to every neighbor but {@code from} and
     * {@code holders}, except into a congested link, and makes the lazy ones among them eager: the tree rebuild of
     * {@link TreeRebuild}. Their duplicates prune the slower links back to lazy. Returns the slots sent to.
     */
    private long pushToEveryLink(final Gossip copy, final NodeId from, final long holders)
    {
        ctx.stats.treeRebuilds++;
        return sendToRecipients(copy, collectRecipients(from, holders, true));
    }

    /**
     * Fills {@link #recipients} with the lazy neighbors (and with {@code alsoEager} the eager ones) but {@code from}
     * and {@code holders}, lazy ones only where their link is not congested; returns how many.
     */
    private int collectRecipients(final NodeId from, final long holders, final boolean alsoEager)
    {
        int n = alsoEager ? withoutHolders(eager.copyTo(recipients, from), holders) : 0;
        for (int i = 0; i < lazy.size() && n < recipients.length; i++)
        {
            final NodeId peer = lazy.get(i);
            if (!peer.equals(from) && (slotBit(peer) & holders) == 0 && !ctx.output.congested(peer))
            {
                recipients[n++] = peer;
            }
        }
        return n;
    }

    /** Sends {@code copy} to the first {@code n} {@link #recipients}, lazy ones turned eager; returns their slots. */
    private long sendToRecipients(final Gossip copy, final int n)
    {
        long sent = 0;
        for (int i = 0; i < n; i++)
        {
            sent |= slotBit(recipients[i]);
            if (lazy.contains(recipients[i]))
            {
                makeEager(recipients[i]);
            }
        }
        if (n > 0)
        {
            ctx.send(recipients, n, copy);
        }
        java.util.Arrays.fill(recipients, null);
        return sent;
    }

    /** A neighbor request was answered after {@code nanos}: how long the overlay takes to settle after failures. */
    void neighborRoundTrip(final long nanos)
    {
        rebuild.roundTrip(nanos);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Messages

    void onGossip(final NodeId from, final Gossip message, final long now)
    {
        final NodeId author = message.author();
        final int epoch = message.epoch();
        final long seq = message.sequence();
        if (message.neighborsOnly())
        {
            deliverNeighborsOnly(from, message);
            return;
        }
        final int slot = slotOf(from);
        final boolean graftAnswer = slot >= 0 && graftAuthor[slot] != null && graftAnswered(slot, author, epoch, seq);
        AuthorLog log = authors.find(author, epoch);
        // The duplicate test: seen(Gossip) below must stay the same test.
        if (log != null && log.seen(seq))
        {
            if (message.repair())
            {
                // A repair copy floods: it says nothing about the link it came over, so it prunes nothing. But its
                // sender made that link eager after any Prune this node sent it, so the next duplicate from it
                // prunes again rather than being taken for a copy queued before that Prune.
                ctx.stats.duplicates++;
                if (slot >= 0)
                {
                    pruneQuietUntil[slot] = NONE;
                }
                return;
            }
            onDuplicate(from, slot, graftAnswer, now);
            return;
        }
        if (log == null)
        {
            log = authors.getOrCreate(author, epoch, seq, now);
        }
        recordReceived(log, seq, now);
        treeBroken = false;
        final int hops = message.hops();
        ctx.stats.delivered++;
        ctx.output.deliver(topic, author, epoch, seq, from, hops, false, message.payloadBuffer(),
            message.payloadOffset(), message.payloadLength());
        final int forwardHops = Math.min(hops + 1, 0xFFFF);
        cachePayload(log, seq, forwardHops, message.payloadBuffer(), message.payloadOffset(),
            message.payloadLength(), message, now);

        final Gossip forward = ctx.gossip;
        forward.set(author, epoch, seq, forwardHops, false)
            .payload(message.payloadBuffer(), message.payloadOffset(), message.payloadLength())
            .signatureFrom(message)
            .topic(topic);
        final int run = log.missingHead == MissingRuns.NONE ? MissingRuns.NONE : missing.find(log, seq);
        final long holders = holders(author, epoch, run, seq);
        spareSlowPeers(from);
        if (message.repair() && config.repairPush())
        {
            enqueueLazy(author, epoch, seq, forwardHops, from, holders | repairPush(forward, from, holders, true), now);
        }
        else if (rebuild.takeIfDue(now))
        {
            enqueueLazy(author, epoch, seq, forwardHops, from, holders | pushToEveryLink(forward, from, holders), now);
        }
        else
        {
            ctx.send(recipients, withoutHolders(eager.copyTo(recipients, from), holders), forward);
            enqueueLazy(author, epoch, seq, forwardHops, from, holders, now);
        }
        rememberLast(author, epoch, seq, message.repair(), now);

        // The edge that delivered first is a tree edge.
        if (lazy.contains(from))
        {
            makeEager(from);
        }

        if (run != MissingRuns.NONE)
        {
            announcedMessageArrived(from, hops, run, seq, now);
        }
    }

    /**
     * True if {@link #onGossip} would take {@code message} for a duplicate: a Swarm-scope message whose id is seen.
     * Changes nothing.
     */
    boolean seen(final Gossip message)
    {
        if (message.neighborsOnly())
        {
            return false;
        }
        final AuthorLog log = authors.find(message.author(), message.epoch());
        return log != null && log.seen(message.sequence());
    }

    /**
     * A Swarm-scope message this node's validators refused (see {@code Dispatcher.validated} for when): its id is
     * marked seen, so later copies are duplicates, and the node stops waiting for it (no graft). It is neither
     * delivered, nor forwarded, nor announced, nor cached, and its edge is left as it is.
     */
    void onRefused(final Gossip message, final long now)
    {
        if (message.neighborsOnly() || seen(message))
        {
            return;
        }
        final NodeId author = message.author();
        final int epoch = message.epoch();
        final long seq = message.sequence();
        AuthorLog log = authors.find(author, epoch);
        if (log == null)
        {
            log = authors.getOrCreate(author, epoch, seq, now);
        }
        recordReceived(log, seq, now);
        final int run = log.missingHead == MissingRuns.NONE ? MissingRuns.NONE : missing.find(log, seq);
        if (run != MissingRuns.NONE && missing.arrived(run, seq, false, now))
        {
            forget(run);
        }
    }

    /**
     * Sent once by its author to each neighbor and never forwarded: nothing to deduplicate. Its sequence is in a
     * space of its own (-1, -2, ...), outside the Swarm stream the AuthorLog windows track.
     */
    private void deliverNeighborsOnly(final NodeId from, final Gossip message)
    {
        ctx.stats.delivered++;
        ctx.output.deliver(topic, message.author(), message.epoch(), message.sequence(), from, message.hops(), true,
            message.payloadBuffer(), message.payloadOffset(), message.payloadLength());
    }

    /**
     * {@code seq}, a sequence of {@code run}, arrived: learn from it (how late eager copies trail their
     * announcements, how long a Graft takes to answer), and stop waiting for it. When it completes the stretch the
     * run's last Graft asked for, or is the last of that stretch (the peer's answer is over, and what it did not
     * have is still missing), the rest of the run is grafted at once rather than at its retry timer.
     */
    private void announcedMessageArrived(final NodeId from, final int hops, final int run, final long seq,
        final long now)
    {
        final boolean graftAnswer = from.equals(missing.graftedPeer(run)) && seq >= missing.graftedFirst(run)
            && seq <= missing.graftedLast(run);
        // Samples once per run and per Graft, from the first copy: a range streams for as long as it is long.
        if (graftAnswer && missing.graftPending(run))
        {
            graftTimer.sample(now - missing.graftedAt(run));
            settleGraft(run);
        }
        if (missing.firstSample(run))
        {
            if (!graftAnswer)
            {
                leadTimer.sample(now - missing.announcedAt(run));
            }
            optimize(from, hops, run, seq);
        }
        if (missing.arrived(run, seq, from.equals(missing.graftedPeer(run)), now))
        {
            forget(run);
            return;
        }
        if (graftAnswer && (seq == missing.graftedLast(run) || missing.first(run) > missing.graftedLast(run)))
        {
            missing.newTimer(run); // its retry timer is stale from here
            graftOrWait(missing.retries, run, true, now);
        }
    }

    /**
     * True if this copy answers the last Graft sent to the slot's peer: everything the peer sends from now on left
     * after it took the Graft, so its duplicates prune again. (Kept out of onGossip, like the duplicate path: the
     * hot path compiles better small.)
     */
    private boolean graftAnswered(final int slot, final NodeId author, final int epoch, final long seq)
    {
        if (graftAsked(slot, author, epoch, seq))
        {
            graftAuthor[slot] = null;
            pruneQuietUntil[slot] = NONE;
            return true;
        }
        return false;
    }

    /** True if the last Graft that turned the slot's peer eager, still unanswered, asked for this message. */
    private boolean graftAsked(final int slot, final NodeId author, final int epoch, final long seq)
    {
        return graftAuthor[slot] != null && graftEpoch[slot] == epoch && seq >= graftFirst[slot]
            && seq <= graftLast[slot] && graftAuthor[slot].equals(author);
    }

    /** A copy of a message already seen: prunes the edge it came over, unless a Prune or a Graft is in flight. */
    private void onDuplicate(final NodeId from, final int slot, final boolean graftAnswer, final long now)
    {
        ctx.stats.duplicates++;
        if (!graftAnswer && !pruneQuiet(slot, now))
        {
            // Prune even if our side already thinks the edge is lazy: the sender evidently does not.
            makeLazy(from);
            ctx.stats.prunesSent++;
            ctx.send(from, ctx.prune.topic(topic));
            if (slot >= 0)
            {
                // The Prune supersedes any Graft still unanswered: from here on only the edge's state counts.
                graftAuthor[slot] = null;
                pruneQuietUntil[slot] = now + PRUNE_REPEAT_NANOS;
            }
        }
    }

    /** An announcer offered this message by a path at least {@code optimizationThreshold} hops shorter: swap. */
    private void optimize(final NodeId from, final int hops, final int run, final long seq)
    {
        int best = -1;
        int bestHops = Integer.MAX_VALUE;
        for (int i = 0; i < missing.advertiserCount(run); i++)
        {
            final NodeId peer = missing.advertiser(run, i);
            if (missing.advertiserHops(run, i) < bestHops && isNeighbor(peer) && !peer.equals(from)
                && missing.announced(run, i, seq))
            {
                best = i;
                bestHops = missing.advertiserHops(run, i);
            }
        }
        if (best >= 0 && hops - bestHops >= config.optimizationThreshold())
        {
            final NodeId shortcut = missing.advertiser(run, best);
            ctx.stats.optimizations++;
            makeEager(shortcut);
            ctx.stats.graftsSent++;
            ctx.send(shortcut, ctx.graft.setNoId().topic(topic));
            makeLazy(from);
            ctx.stats.prunesSent++;
            ctx.send(from, ctx.prune.topic(topic));
        }
    }

    void onIHave(final NodeId from, final IHave message, final long now)
    {
        for (int i = 0; i < message.size(); i++)
        {
            final NodeId author = message.author(i);
            final int epoch = message.epoch(i);
            final long first = message.firstSequence(i);
            // The last id, not one past it: a run may end at Long.MAX_VALUE.
            final long last = first + (message.count(i) - 1);
            AuthorLog log = authors.find(author, epoch);
            if (log != null && log.seenThrough(last))
            {
                continue;
            }
            if (log == null)
            {
                // The runs of a stream hang off its log: a stream first heard of by an announcement gets one now.
                log = authors.getOrCreate(author, epoch, first, now);
            }
            final long lead = leadTimer.timeout();
            // Never later than the announcers' caches, about as busy as this one, still hold the run.
            final long ignored = missing.announce(log, first, last, from, message.hops(i), now,
                now + Math.min(lead, repairHold(now)), lead);
            if (ignored > 0)
            {
                ctx.stats.missingDropped += ignored;
            }
        }
    }

    /**
     * A Graft: the peer becomes eager and, when it names a range, the range is queued for it and its first batch
     * sent right away; the rest follows a batch per timer run ({@link #answerGrafts}).
     */
    void onGraft(final NodeId from, final Graft message, final long now)
    {
        if (isNeighbor(from))
        {
            makeEager(from);
        }
        if (!message.hasId())
        {
            return;
        }
        final int slot = slotOf(from);
        if (slot < 0)
        {
            // Not (or no longer) a neighbor: one batch, no more.
            final AuthorLog log = authors.find(message.author(), message.epoch());
            int sends = ANSWER_BATCH;
            int skips = ANSWER_SKIPS;
            long seq = message.sequence();
            while (log != null && sends > 0 && skips > 0)
            {
                if (sendCached(from, log, seq))
                {
                    sends--;
                }
                else
                {
                    skips--;
                }
                if (seq == message.lastSequence())
                {
                    return;
                }
                seq++;
            }
            ctx.stats.graftsMissed += message.lastSequence() - seq + 1;
            return;
        }
        if (!answers.add(slot, message.author(), message.epoch(), message.sequence(), message.lastSequence()))
        {
            ctx.stats.graftsMissed += message.count();
            return;
        }
        answer(slot);
        if (answers.size() > 0 && answerAt == Long.MAX_VALUE)
        {
            answerAt = now + ANSWER_INTERVAL_NANOS;
        }
    }

    /** Sends the next batch of every slot's grafted ranges, and sets when the next batch goes. */
    private void answerGrafts(final long now)
    {
        boolean sent = false;
        for (int slot = 0; slot < slotPeers.length && answers.size() > 0; slot++)
        {
            if (!answers.isEmpty(slot) && answer(slot))
            {
                sent = true;
            }
        }
        // A congested link drains in milliseconds, not microseconds: look again at the wait lists' pace.
        answerAt = answers.size() == 0 ? Long.MAX_VALUE : now + (sent ? ANSWER_INTERVAL_NANOS : WAIT_POLL_NANOS);
    }

    /**
     * Sends the slot's grafted ranges on, in order, while its link is not congested: at most
     * {@link #ANSWER_BATCH} cached messages, skipping (and counting) at most {@link #ANSWER_SKIPS} that are no longer
     * cached. Returns true if anything was sent.
     */
    private boolean answer(final int slot)
    {
        final NodeId peer = slotPeers[slot];
        int sends = ANSWER_BATCH;
        int skips = ANSWER_SKIPS;
        boolean sent = false;
        while (sends > 0 && skips > 0 && !answers.isEmpty(slot) && !ctx.output.congested(peer))
        {
            final AuthorLog log = authors.find(answers.author(slot), answers.epoch(slot));
            final long last = answers.last(slot);
            long seq = answers.next(slot);
            if (log == null)
            {
                ctx.stats.graftsMissed += last - seq + 1;
                answers.drop(slot);
                continue;
            }
            while (true)
            {
                if (sendCached(peer, log, seq))
                {
                    sends--;
                    sent = true;
                }
                else
                {
                    skips--;
                }
                if (seq == last || sends == 0 || skips == 0)
                {
                    break;
                }
                seq++;
            }
            answers.doneThrough(slot, seq);
        }
        return sent;
    }

    /**
     * Sends {@code peer} message {@code seq} of {@code log} from the payload cache: true if it was cached (counted in
     * {@code graftsAnswered}), false if not (counted in {@code graftsMissed}).
     */
    private boolean sendCached(final NodeId peer, final AuthorLog log, final long seq)
    {
        if (!cachedCopy(log, seq))
        {
            ctx.stats.graftsMissed++;
            return false;
        }
        ctx.stats.graftsAnswered++;
        ctx.send(peer, ctx.gossip);
        return true;
    }

    /**
     * Sets {@code ctx.gossip} to message {@code seq} of {@code log} from the payload cache, with the hops it was
     * cached with and its signature: false (and nothing set) if it is no longer cached.
     */
    private boolean cachedCopy(final AuthorLog log, final long seq)
    {
        final long handle = log.cacheHandle(seq);
        if (handle < 0 || !cache.matches(handle, log.author, log.epoch, seq))
        {
            return false;
        }
        cache.wrap(handle, view);
        final Gossip gossip = ctx.gossip;
        gossip.set(log.author, log.epoch, seq, cache.hops(handle), false)
            .payload(view, 0, cache.length(handle))
            .topic(topic);
        if (cache.signed(handle))
        {
            cache.wrapSignature(handle, signatureView);
            gossip.signature(signatureView, 0, signatureView.capacity());
        }
        return true;
    }

    void onPrune(final NodeId from, final Prune message)
    {
        makeLazy(from);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Timers

    long nextDeadline()
    {
        return Math.min(Math.min(Math.min(flushAt, evictAt), Math.min(releaseAt, answerAt)),
            Math.min(missing.firstTimeouts.headDeadline(), missing.retries.headDeadline()));
    }

    void onTimer(final long now)
    {
        if (flushAt <= now)
        {
            flushLazy();
        }
        if (answerAt <= now)
        {
            answerGrafts(now);
        }
        if (releaseAt <= now)
        {
            releaseWaiting(now);
        }
        runGraftTimers(missing.firstTimeouts, now);
        runGraftTimers(missing.retries, now);
        if (evictAt <= now)
        {
            authors.evictIdle(now - config.messageIdRetentionNanos());
            cache.evictOlderThan(now - config.messageCacheRetentionNanos());
            evictAt = authors.size() > 0 || cache.size() > 0 ? now + config.cacheEvictIntervalNanos() : Long.MAX_VALUE;
        }
    }

    private void runGraftTimers(final DeadlineQueue queue, final long now)
    {
        while (queue.headDeadline() <= now)
        {
            final int run = queue.headEntry();
            if (missing.generation(run) != queue.headGeneration())
            {
                queue.removeHead();
                continue;
            }
            if (ctx.repairsHeld && now - missing.announcedAt(run) < MAX_REPAIR_HOLD_NANOS)
            {
                // A backlog of received frames: leave this timer and those behind it where they are until it clears
                // (or the hold runs out). Re-queueing them one by one on every run costs the very dispatcher time
                // whose shortage made the backlog, and under sustained overload starved the dispatcher outright.
                return;
            }
            queue.removeHead();
            graftOrWait(queue, run, now);
        }
    }

    /**
     * The run's timer ran out (or its announcer can take a Graft again, or its last Graft's stretch arrived): graft
     * its first stretch of unseen sequences, or put it off while its copies are on their way or a Graft's answer is
     * still arriving, or put it aside until the announcer can take a Graft. {@code queue} is where a timer for it
     * goes when put off.
     *
     * <p>Whom to ask: the peer of the last Graft again when all it was asked for arrived (the rest of a long run, or
     * the stretch after a hole), unless the run is arriving by another path meanwhile; else the next announcer. A
     * peer asked for the first time gets at most {@link #FIRST_GRAFT_IDS} ids, the peer asked again up to
     * {@link Graft#MAX_COUNT}. When no announcer is left, the stretch of the last Graft that never came is given up
     * and the rest of the run starts over with its announcers; a run never grafted, or with nothing beyond that
     * stretch, is forgotten (a later IHave starts over).
     */
    private void graftOrWait(final DeadlineQueue queue, final int run, final long now)
    {
        graftOrWait(queue, run, false, now);
    }

    /** As {@link #graftOrWait(DeadlineQueue, int, long)}; {@code answerOver}: the last Graft's answer has ended. */
    private void graftOrWait(final DeadlineQueue queue, final int run, final boolean answerOver, final long now)
    {
        // A graft whose retry timer ran out stops counting against its peer's pacing, whatever comes next.
        // Counted until answered, the grafts of runs put off because their next announcer was at the limit
        // too held both at the limit for good: a deadlock seen as tens of millions of deferrals and a receiver
        // that got nothing more.
        settleGraft(run);
        missing.waiting.remove(run);
        final AuthorLog log = missing.log(run);
        if (authors.find(log.author, log.epoch) != log || !missing.trim(run))
        {
            // Its stream was forgotten (idle, or replaced at maxAuthors), or everything arrived.
            forget(run);
            return;
        }
        if (now - missing.announcedAt(run) < repairHold(now) && onItsWay(run, now))
        {
            // Looked at again a quarter of the longest hold later (at least one lead timeout), or when this hold
            // ends if sooner: at most a few re-queues per run, where re-queueing every lead timeout cost millions
            // of them per second under load.
            ctx.stats.graftsDeferred++;
            rearm(queue, run, Math.min(now + Math.max(leadTimer.timeout(), MAX_REPAIR_HOLD_NANOS / 4),
                missing.announcedAt(run) + repairHold(now)));
            return;
        }
        final NodeId grafted = missing.graftedPeer(run);
        final long first = missing.first(run);
        final boolean stretchDone = grafted != null && first > missing.graftedLast(run);
        if (grafted != null && !stretchDone && !answerOver && now - missing.progressAt(run) < graftTimer.timeout())
        {
            // The answer is still arriving: a long range streams for longer than the retry timeout.
            rearm(missing.retries, run, now + graftTimer.timeout());
            return;
        }
        final long elsewhere = missing.otherProgressAt(run);
        if (stretchDone && elsewhere != Long.MIN_VALUE && now - elsewhere < graftTimer.timeout())
        {
            // The run is arriving by another path as well (its late eager parent caught up): leave the rest to it,
            // and look again a retry timeout later.
            ctx.stats.graftsDeferred++;
            rearm(missing.retries, run, now + graftTimer.timeout());
            return;
        }
        NodeId peer = null;
        int hops = 0;
        boolean again = false;
        if (stretchDone && isNeighbor(grafted))
        {
            peer = grafted;
            hops = missing.graftedHops(run);
            again = true;
        }
        else
        {
            int next;
            while ((next = missing.takeNextAdvertiser(run)) >= 0)
            {
                final NodeId candidate = missing.advertiser(run, next);
                if (isNeighbor(candidate))
                {
                    peer = candidate;
                    hops = missing.advertiserHops(run, next);
                    break;
                }
            }
        }
        if (peer == null)
        {
            if (grafted != null && !stretchDone && missing.graftedLast(run) < missing.last(run))
            {
                // Nobody had the last stretch asked for: give it up, and ask for the rest of the run afresh.
                missing.restartAfter(run, missing.graftedLast(run));
                graftOrWait(queue, run, false, now);
                return;
            }
            forget(run);
            return;
        }
        final int slot = slotOf(peer);
        if (ctx.output.congested(peer) || (slot >= 0 && graftsInFlight[slot] >= MAX_GRAFTS_IN_FLIGHT))
        {
            // Grafts into a congested link only lengthen the queue the answer waits behind: ask this announcer
            // again once its link drains and its earlier grafts are answered.
            if (!again)
            {
                missing.untakeAdvertiser(run);
            }
            ctx.stats.graftsDeferred++;
            if (slot >= 0)
            {
                missing.newTimer(run); // no timer while it waits
                missing.waiting.add(slot, run);
                if (releaseAt == Long.MAX_VALUE)
                {
                    releaseAt = now + WAIT_POLL_NANOS;
                }
                return;
            }
            rearm(queue, run, now + graftTimer.timeout());
            return;
        }
        final int most = again ? Graft.MAX_COUNT : FIRST_GRAFT_IDS;
        final long end = missing.last(run) - first >= most ? first + (most - 1) : missing.last(run);
        final long last = log.unseenThrough(first, end);
        final boolean turnsEager = !eager.contains(peer);
        makeEager(peer);
        ctx.stats.graftsSent++;
        ctx.send(peer, ctx.graft.set(log.author, log.epoch, first, (int)(last - first + 1), hops).topic(topic));
        missing.grafted(run, peer, first, last, hops, now);
        if (slot >= 0)
        {
            graftsInFlight[slot]++;
            if (turnsEager)
            {
                // Until this graft is answered the peer's duplicates predate it. Only a graft that turns the
                // edge eager counts: renewed by every graft, the quiet kept two eager parents under sustained
                // overload (900 k duplicates in a run) instead of pruning the slower one.
                graftAuthor[slot] = log.author;
                graftEpoch[slot] = log.epoch;
                graftFirst[slot] = first;
                graftLast[slot] = last;
                pruneQuietUntil[slot] = now + MAX_REPAIR_HOLD_NANOS;
            }
        }
        rearm(missing.retries, run, now + graftTimer.timeout());
    }

    /** Sets the run's timer in {@code queue} (its earlier timers become stale); forgets it if the queue is full. */
    private void rearm(final DeadlineQueue queue, final int run, final long deadline)
    {
        if (!queue.add(deadline, run, missing.newTimer(run)))
        {
            ctx.stats.missingDropped += missing.last(run) - missing.first(run) + 1;
            forget(run);
        }
    }

    /** Forgets a run (received, or given up), settling its outstanding graft. */
    private void forget(final int run)
    {
        settleGraft(run);
        missing.remove(run);
    }

    /**
     * Grafts what waits for announcers that can take a Graft again (their link drained, earlier Grafts answered or
     * given up), oldest first; a slot whose neighbor has gone lets all of its runs go on to their next announcer.
     * While frames back up ({@link ProtocolState#holdRepairs}) they wait on, as the timers do.
     */
    private void releaseWaiting(final long now)
    {
        final GraftWaitLists waiting = missing.waiting;
        if (!ctx.repairsHeld)
        {
            for (int slot = 0; slot < slotPeers.length && waiting.size() > 0; slot++)
            {
                while (!waiting.isEmpty(slot))
                {
                    final NodeId peer = slotPeers[slot];
                    if (peer != null && (ctx.output.congested(peer) || graftsInFlight[slot] >= MAX_GRAFTS_IN_FLIGHT))
                    {
                        break;
                    }
                    graftOrWait(missing.retries, waiting.poll(slot), now);
                }
            }
        }
        releaseAt = waiting.size() > 0 ? now + WAIT_POLL_NANOS : Long.MAX_VALUE;
    }

    /** The run's last graft is answered, superseded or given up: it no longer counts against its peer. */
    private void settleGraft(final int run)
    {
        final NodeId peer = missing.graftedPeer(run);
        if (peer != null && missing.settleGraft(run))
        {
            final int slot = slotOf(peer);
            if (slot >= 0 && graftsInFlight[slot] > 0)
            {
                graftsInFlight[slot]--;
            }
        }
    }

    /**
     * How long a missing run may wait for its eager copy before it is grafted: {@link #MAX_REPAIR_HOLD_NANOS}, or
     * half of what this node's payload cache spans if that is less. Under sustained load the caches turn over in
     * well under a second (262,144 entries at 450,000 messages a second: 0.6 s), and the announcers' caches, about
     * as big and as busy as this one, would no longer hold what a Graft put off for the whole hold asks for.
     */
    private long repairHold(final long now)
    {
        return Math.min(MAX_REPAIR_HOLD_NANOS, cache.span(now) / 2);
    }

    /**
     * True if the run's messages are most likely still on their way: their author's stream is arriving (a message
     * of it within the current first graft timeout) and has not yet passed the run's first sequence. Streams
     * travel one tree path over FIFO links, so under load an eager copy trails its IHave by the queues on its path;
     * a stream that stalls, or skips past the sequence, lets the graft go.
     */
    private boolean onItsWay(final int run, final long now)
    {
        final AuthorLog log = missing.log(run);
        return log.highestSeen != 0 && log.highestSeen < missing.first(run)
            && now - log.lastSeenNanos < leadTimer.timeout();
    }

    // ----------------------------------------------------------------------------------------------------------
    // Internals

    private void recordReceived(final AuthorLog log, final long seq, final long now)
    {
        final long skipped = log.markSeen(seq);
        if (skipped != 0)
        {
            ctx.stats.windowSkipped += skipped;
            ctx.output.lost(topic, log.author, log.epoch, skipped);
        }
        log.lastSeenNanos = now;
        if (seq > log.highestSeen)
        {
            log.highestSeen = seq;
        }
        ctx.stats.idCacheEvictedEarly = authors.evictedEarly;
        if (evictAt == Long.MAX_VALUE)
        {
            evictAt = now + config.cacheEvictIntervalNanos();
        }
    }

    private void cachePayload(final AuthorLog log, final long seq, final int forwardHops,
        final DirectBuffer payload, final int offset, final int length, final Gossip signatureOf, final long now)
    {
        if (config.payloadCacheBytes() == 0)
        {
            return;
        }
        final long before = cache.evictedEarly();
        // The signature is cached with the payload: a Graft answer must carry the author's signature too.
        final long handle = cache.put(log.author, log.epoch, seq, forwardHops, payload, offset, length,
            signatureOf.signed() ? signatureOf.signatureBuffer() : null, signatureOf.signatureOffset(),
            signatureOf.signatureLength(), now);
        if (handle >= 0)
        {
            log.cacheHandle(seq, handle, cache);
        }
        ctx.stats.payloadCacheEvictedEarly += cache.evictedEarly() - before;
    }

    /**
     * The neighbor slots known to have the message already: its author, whoever announced it to us, and whoever a
     * Graft still unanswered asked for it. Pushing or announcing it to them is wasted, and worse, a push arrives as a
     * duplicate and prunes the edge. A node that
     * fell behind (its eager copies queued behind a backlog) gets its messages late, long after its neighbors
     * announced them: relaying each to them, and to the author, cut every edge it had, including the ones it had
     * just grafted, and left it to graft everything one message at a time.
     */
    private long holders(final NodeId author, final int epoch, final int run, final long seq)
    {
        long mask = slotBit(author) | grafted(author, epoch, seq);
        if (run != MissingRuns.NONE)
        {
            for (int i = 0; i < missing.advertiserCount(run); i++)
            {
                if (missing.announced(run, i, seq))
                {
                    mask |= slotBit(missing.advertiser(run, i));
                }
            }
        }
        return mask;
    }

    /**
     * The slots of the neighbors whose last Graft (one that turned them eager) asked for {@code seq} of
     * {@code author} and is unanswered: they announced it, so they have it. The run that named them as announcers
     * may be gone (its retry timer found no one else to ask) while the answer is still on its way over a slow link;
     * a copy pushed to such a neighbor would arrive there as a duplicate and prune the edge the Graft just asked
     * for, and the next message would need the same Graft again, for good.
     */
    private long grafted(final NodeId author, final int epoch, final long seq)
    {
        long mask = 0;
        for (int slot = 0; slot < graftAuthor.length; slot++)
        {
            if (graftAsked(slot, author, epoch, seq))
            {
                mask |= 1L << slot;
            }
        }
        return mask;
    }

    /** Drops the peers in {@code holders} from the first {@code n} of {@link #recipients}; returns how many stay. */
    private int withoutHolders(final int n, final long holders)
    {
        if (holders == 0 || n == 0)
        {
            return n;
        }
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            final NodeId peer = recipients[i];
            if ((slotBit(peer) & holders) == 0)
            {
                recipients[kept++] = peer;
            }
        }
        for (int i = kept; i < n; i++)
        {
            recipients[i] = null;
        }
        return kept;
    }

    private void enqueueLazy(final NodeId author, final int epoch, final long seq, final int hops,
        final NodeId exclude, final long holders, final long now)
    {
        // Who gets the announcement is fixed now, not at the flush: a peer that turns eager before the flush did not
        // get this message's eager push, and one that turns lazy did.
        final long mask = lazyMask & ~slotBit(exclude) & ~holders;
        if (mask == 0)
        {
            return;
        }
        final int last = lazySize - 1;
        if (last >= 0 && lazyAuthors[last] == author && lazyEpochs[last] == epoch && lazyHops[last] == hops
            && lazyMasks[last] == mask && lazySequences[last] + lazyCounts[last] == seq && seq > lazySequences[last]
            && lazyCounts[last] < IHave.MAX_RUN_LENGTH)
        {
            lazyCounts[last]++;
            return;
        }
        if (lazySize == lazyCapacity)
        {
            flushLazy();
        }
        if (lazySize == lazyAuthors.length)
        {
            growLazy();
        }
        lazyAuthors[lazySize] = author;
        lazyEpochs[lazySize] = epoch;
        lazySequences[lazySize] = seq;
        lazyCounts[lazySize] = 1;
        lazyHops[lazySize] = hops;
        lazyMasks[lazySize] = mask;
        lazySize++;
        if (config.ihaveIntervalNanos() == 0)
        {
            flushLazy();
        }
        else if (flushAt == Long.MAX_VALUE)
        {
            flushAt = now + config.ihaveIntervalNanos();
        }
    }

    private void flushLazy()
    {
        final IHave ihave = ctx.ihave;
        for (int slot = 0; slot < slotPeers.length; slot++)
        {
            final NodeId peer = slotPeers[slot];
            if (peer == null)
            {
                continue;
            }
            final long bit = 1L << slot;
            ihave.clear().topic(topic);
            for (int i = 0; i < lazySize; i++)
            {
                if ((lazyMasks[i] & bit) == 0)
                {
                    continue;
                }
                final int count = lazyCounts[i];
                int taken = ihave.addRun(lazyAuthors[i], lazyEpochs[i], lazySequences[i], count, lazyHops[i]);
                while (taken < count)
                {
                    ctx.send(peer, ihave);
                    ihave.clear().topic(topic);
                    taken += ihave.addRun(lazyAuthors[i], lazyEpochs[i], lazySequences[i] + taken, count - taken,
                        lazyHops[i]);
                }
            }
            if (ihave.size() > 0)
            {
                ctx.send(peer, ihave);
            }
        }
        ihave.clear();
        java.util.Arrays.fill(lazyAuthors, 0, lazySize, null);
        lazySize = 0;
        flushAt = Long.MAX_VALUE;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Neighbor slots: each neighbor holds a small index for as long as it is a neighbor, so that sets of
    // neighbors (who is lazy, who gets an announcement) are bit masks.

    private void assignSlot(final NodeId peer)
    {
        if (slotOf(peer) >= 0)
        {
            return;
        }
        for (int i = 0; i < slotPeers.length; i++)
        {
            if (slotPeers[i] == null)
            {
                slotPeers[i] = peer;
                return;
            }
        }
    }

    private void releaseSlot(final NodeId peer)
    {
        final int slot = slotOf(peer);
        if (slot >= 0)
        {
            slotPeers[slot] = null;
            graftsInFlight[slot] = 0;
            pruneQuietUntil[slot] = NONE;
            graftAuthor[slot] = null;
            lazyMask &= ~(1L << slot);
            answers.clear(slot);
        }
    }

    private int slotOf(final NodeId peer)
    {
        if (peer == null)
        {
            return -1;
        }
        for (int i = 0; i < slotPeers.length; i++)
        {
            if (peer.equals(slotPeers[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private long slotBit(final NodeId peer)
    {
        final int slot = slotOf(peer);
        return slot < 0 ? 0 : 1L << slot;
    }

    /**
     * Before a push: moves the eager peers the transport reports slow to lazy, and prunes the edge at their end
     * too, as long as some peer of the topic is not slow. They get the announcement instead and graft what they
     * miss at their own pace, or take a faster parent, and the node does not wait for them nor take their late
     * copies: a slow link costs that link, not the tree. When no peer is
     * fast, the node itself is the bottleneck: the push goes to them and the node waits for them (flow control).
     *
     * @param from the peer the message came from (not pushed to), or null for the node's own broadcast.
     */
    private void spareSlowPeers(final NodeId from)
    {
        final ProtocolOutput output = ctx.output;
        if (!output.anySlow())
        {
            return;
        }
        int slowTargets = 0;
        boolean anyFast = false;
        for (int i = 0; i < eager.size(); i++)
        {
            final NodeId peer = eager.get(i);
            if (!output.slow(peer))
            {
                anyFast = true;
            }
            else if (!peer.equals(from))
            {
                slowTargets++;
            }
        }
        if (slowTargets == 0)
        {
            return;
        }
        for (int i = 0; !anyFast && i < lazy.size(); i++)
        {
            anyFast = !output.slow(lazy.get(i));
        }
        for (int i = eager.size() - 1; i >= 0; i--)
        {
            final NodeId peer = eager.get(i);
            if (peer.equals(from) || !output.slow(peer))
            {
                continue;
            }
            if (anyFast)
            {
                // Both directions of the edge: a peer too slow to take this node's pushes relays late too, so it is
                // asked to announce rather than push as well, and this node takes a faster parent.
                makeLazy(peer);
                ctx.stats.slowPeersSpared++;
                ctx.stats.prunesSent++;
                ctx.send(peer, ctx.prune.topic(topic));
            }
            else
            {
                output.waitFor(peer);
            }
        }
    }

    private void makeEager(final NodeId peer)
    {
        lazy.remove(peer);
        eager.add(peer);
        lazyMask &= ~slotBit(peer);
    }

    private void makeLazy(final NodeId peer)
    {
        if (eager.remove(peer) || lazy.contains(peer))
        {
            lazy.add(peer);
            lazyMask |= slotBit(peer);
        }
    }

    /**
     * Checks the repair state's invariants (for tests, after every event): those of {@link MissingRuns}; no
     * neighbor slot has more Grafts counted in flight than runs awaiting an answer from its peer, nor more than
     * {@link #MAX_GRAFTS_IN_FLIGHT}; grafted ranges wait only for neighbors; the wait lists and the ranges to
     * answer have a timer to look at them.
     *
     * @throws IllegalStateException naming the first invariant broken.
     */
    void checkInvariants()
    {
        missing.checkInvariants();
        for (int slot = 0; slot < slotPeers.length; slot++)
        {
            if (graftsInFlight[slot] < 0 || graftsInFlight[slot] > MAX_GRAFTS_IN_FLIGHT)
            {
                throw new IllegalStateException("slot " + slot + ": " + graftsInFlight[slot] + " grafts in flight");
            }
            if (slotPeers[slot] == null && !answers.isEmpty(slot))
            {
                throw new IllegalStateException("slot " + slot + " has no neighbor but grafted ranges to answer");
            }
        }
        if (missing.waiting.size() > 0 && releaseAt == Long.MAX_VALUE)
        {
            throw new IllegalStateException(missing.waiting.size() + " runs wait, and nothing looks at them");
        }
        if (answers.size() > 0 && answerAt == Long.MAX_VALUE)
        {
            throw new IllegalStateException(answers.size() + " ranges to answer, and no timer to send them");
        }
    }

    /** Evicts every cached payload older than {@code cutoff}, as the retention would (for tests). */
    void evictCachedPayloads(final long cutoff)
    {
        cache.evictOlderThan(cutoff);
    }

    /** Runs of missing messages held (for tests). */
    int missingRuns()
    {
        return missing.size();
    }

    /** Current length of the IHave queue's arrays (for tests). */
    int lazyQueueLength()
    {
        return lazyAuthors.length;
    }

    private void growLazy()
    {
        // As the repair tables (see Growth): a topic whose flush interval ever holds a thousand runs is a busy one,
        // and doubling allocated again at each new high-water mark, inside steady traffic (128 KB from 2,048 runs).
        final int n = Growth.next(lazyAuthors.length, Math.max(lazyCapacity, 64));
        lazyAuthors = java.util.Arrays.copyOf(lazyAuthors, n);
        lazyEpochs = java.util.Arrays.copyOf(lazyEpochs, n);
        lazySequences = java.util.Arrays.copyOf(lazySequences, n);
        lazyCounts = java.util.Arrays.copyOf(lazyCounts, n);
        lazyHops = java.util.Arrays.copyOf(lazyHops, n);
        lazyMasks = java.util.Arrays.copyOf(lazyMasks, n);
    }

    void quit()
    {
        eager.clear();
        lazy.clear();
        java.util.Arrays.fill(slotPeers, null);
        java.util.Arrays.fill(graftsInFlight, 0);
        java.util.Arrays.fill(pruneQuietUntil, NONE);
        java.util.Arrays.fill(graftAuthor, null);
        lazyMask = 0;
        missing.clear();
        releaseAt = Long.MAX_VALUE;
        answers.clear();
        answerAt = Long.MAX_VALUE;
        authors.clear();
        held.clear();
        lazySize = 0;
        flushAt = Long.MAX_VALUE;
        evictAt = Long.MAX_VALUE;
    }

    /** A broadcast held until the first neighbor: its bytes (payload, then the signature trailer when signed). */
    private record HeldBroadcast(byte[] bytes, int length, boolean neighborsOnly, long sequence, int signatureLength)
    {
    }
}
