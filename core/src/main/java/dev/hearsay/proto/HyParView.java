package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * HyParView membership of one topic: a small symmetric active view (the neighbors PlumTree gossips with), a larger
 * passive view of backup contacts kept fresh by periodic shuffles, random-walk joins, and refill of the active view
 * from the passive one when a neighbor leaves or fails.
 *
 * <p>Rules worth knowing: a Join or a high-priority Neighbor request is always accepted, evicting a random active
 * peer if the view is full (the evicted peer gets a Disconnect carrying a few passive contacts and stays in the
 * passive view); a low-priority request only takes a free slot. A node that reaches a joiner through a ForwardJoin
 * puts it in its active view only when the joiner accepts the Neighbor request. Refill keeps at most as many
 * Neighbor requests in flight as there are free active slots; a refused request backs off (doubling up to the
 * shuffle interval) and a request that times out drops that candidate from the passive view.
 *
 * <p>Re-merging: a contact dropped as failed (reported down while active or asked, or silent past a request's
 * timeout) is remembered in {@link FailedContacts} and probed now and then with a high-priority Neighbor request,
 * one probe in flight. From one side a partition looks like the crash of everyone across it, so both sides drop
 * each other and refill from their own side; with full views nobody would ever ask across again. A contact that
 * answers is linked at once (high priority: accepted even into a full view, evicting a random neighbor on each
 * side), and that one link joins the two parts. If that contact had failed two probe intervals ago or more, the
 * rest of the list is then forgotten: the other entries most likely failed in the same incident, and linking each
 * would only churn views that are one overlay again. A contact that refuses two probes in a row outright (reported
 * down before the probe's timeout) is taken for crashed and forgotten. A topic with no failed contact never probes.
 *
 * <p>Bounds: active and passive views have fixed capacities; pending requests are at most the active capacity;
 * failed contacts are bounded by {@code failedContactCapacity}; contact data is kept only for members of either
 * view.
 */
final class HyParView implements PeerList.ContactSource
{
    private final Context ctx;
    private final GossipConfig config;
    private final TopicId topic;
    private final Topic owner;
    private final SplittableRandom random;
    private final PeerList active;
    private final PeerList passive;
    private final PeerList pending;
    private final long[] pendingDeadlines;
    private final Map<NodeId, byte[]> contactData = new HashMap<>();

    private final PeerList bootstrap = new PeerList(16);
    private final FailedContacts failed;
    /** When the next probe of a failed contact is sent; {@link Long#MAX_VALUE} while none is kept. */
    private long probeAt = Long.MAX_VALUE;
    /** No probe before this: one probe per interval (jittered), and none while one is in flight. */
    private long probeFloor;
    /** Target of the last probe, until answered or replaced by the next: a late answer still re-links. */
    private NodeId probed;
    private boolean probeInFlight;
    private long probeTimeoutAt;
    private long shuffleAt;
    private long refillAt = Long.MAX_VALUE;
    private long refillBackoff;
    private long rejoinAt;
    private long rejoinBackoff;
    /**
     * False from a Join until a bootstrap contact is in the active view. Neighbors gained meanwhile prove nothing:
     * they may have joined through this node, and a group built that way around a node whose own Join was lost is
     * an island that nothing else would ever connect.
     */
    private boolean joinAnswered = true;
    /**
     * Low-priority Neighbor requests refused in a row (by live peers whose views were full) since the last one
     * accepted. See {@link #refillPriority}.
     */
    private int refusalsInARow;
    /** Refusals in a row after which a node with at most half its active view asks with high priority. */
    static final int REFUSALS_BEFORE_HIGH_PRIORITY = 2;

    HyParView(final Context ctx, final TopicId topic, final Topic owner, final SplittableRandom random,
        final long now)
    {
        this.ctx = ctx;
        this.config = ctx.config;
        this.topic = topic;
        this.owner = owner;
        this.random = random;
        this.active = new PeerList(config.activeViewCapacity());
        this.passive = new PeerList(Math.max(1, config.passiveViewCapacity()));
        this.pending = new PeerList(config.activeViewCapacity());
        this.pendingDeadlines = new long[config.activeViewCapacity()];
        this.refillBackoff = config.neighborRequestTimeoutNanos();
        this.rejoinBackoff = config.neighborRequestTimeoutNanos();
        this.failed = new FailedContacts(config.failedContactCapacity(), config.failedContactRetentionNanos(),
            config.failedContactProbeIntervalNanos(), random);
        // Spread the first shuffle over one interval so nodes started together do not shuffle in lockstep.
        this.shuffleAt = now + 1 + (long)(random.nextDouble() * config.shuffleIntervalNanos());
    }

    PeerList active()
    {
        return active;
    }

    PeerList passive()
    {
        return passive;
    }

    /** True while {@code peer} is a neighbor, or a request or probe to it waits for its answer. */
    boolean isActiveOrPending(final NodeId peer)
    {
        return active.contains(peer) || pending.contains(peer) || (probeInFlight && peer.equals(probed));
    }

    /** Failed contacts kept for probing. */
    int failedContactCount()
    {
        return failed.size();
    }

    @Override
    public byte[] contactData(final NodeId peer)
    {
        final byte[] data = contactData.get(peer);
        return data == null ? Message.NO_DATA : data;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Commands

    void join(final NodeId contact, final long now)
    {
        if (contact.equals(ctx.me))
        {
            return;
        }
        // Remembered (bounded, first 16) so a node left with no neighbor and no contact can join again.
        bootstrap.add(contact);
        if (active.contains(contact))
        {
            return;
        }
        joinAnswered = false;
        // A Join is answered by NeighborReply: track it like a Neighbor request so a silent contact times out.
        addPending(contact, now);
        ctx.send(contact, ctx.join.set(ctx.myData).topic(topic));
    }

    /** Leaves: every active peer gets Disconnect(alive=false). */
    void quit()
    {
        while (!active.isEmpty())
        {
            final NodeId peer = active.removeAt(active.size() - 1);
            ctx.send(peer, ctx.disconnect.set(false).topic(topic));
            owner.neighborDown(peer, false);
        }
        pending.clear();
        bootstrap.clear();
        failed.clear();
        probeInFlight = false;
        probed = null;
        probeAt = Long.MAX_VALUE;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Messages

    void onJoin(final NodeId from, final Join join, final long now)
    {
        learn(from, join.data());
        // Even a peer already active gets the reply: it may have restarted and be waiting for it. The reply goes
        // first, so that the joiner has linked this node before anything the new link sends (a Graft, a catch-up
        // IHave) reaches it.
        ctx.send(from, ctx.neighborReply.set(true, ctx.myData).topic(topic));
        if (!active.contains(from))
        {
            addActive(from, now);
            final int ttl = config.activeRandomWalkLength();
            for (int i = 0; i < active.size(); i++)
            {
                final NodeId peer = active.get(i);
                if (!peer.equals(from))
                {
                    ctx.send(peer, ctx.forwardJoin.set(from, join.data(), ttl).topic(topic));
                }
            }
        }
    }

    void onForwardJoin(final NodeId from, final ForwardJoin message, final long now)
    {
        final NodeId joiner = message.joiner();
        if (joiner.equals(ctx.me))
        {
            return;
        }
        final int ttl = message.ttl();
        if (ttl <= 0 || active.size() <= 1)
        {
            if (!active.contains(joiner) && !pending.contains(joiner))
            {
                learn(joiner, message.joinerData());
                if (pending.isFull())
                {
                    addPassive(joiner);
                }
                else
                {
                    addPending(joiner, now);
                    ctx.send(joiner, ctx.neighbor.set(true, ctx.myData).topic(topic));
                }
            }
            return;
        }
        if (ttl == config.passiveRandomWalkLength())
        {
            learn(joiner, message.joinerData());
            addPassive(joiner);
        }
        final NodeId next = active.random(random, from, joiner);
        if (next == null)
        {
            if (!active.contains(joiner) && !pending.contains(joiner) && !pending.isFull())
            {
                learn(joiner, message.joinerData());
                addPending(joiner, now);
                ctx.send(joiner, ctx.neighbor.set(true, ctx.myData).topic(topic));
            }
            return;
        }
        ctx.send(next, ctx.forwardJoin.set(joiner, message.joinerData(), ttl - 1).topic(topic));
    }

    void onNeighbor(final NodeId from, final Neighbor message, final long now)
    {
        learn(from, message.data());
        // A formerly failed contact that asks is linked whatever its priority: it may be across a healed partition.
        final boolean accept = active.contains(from) || message.highPriority()
            || active.size() + pending.size() < active.capacity() || failed.contains(from);
        if (accept)
        {
            // The reply first: the requester links this node before the new link's first messages reach it.
            removePending(from);
            ctx.send(from, ctx.neighborReply.set(true, ctx.myData).topic(topic));
            addActive(from, now);
        }
        else
        {
            addPassive(from);
            ctx.send(from, ctx.neighborReply.set(false, ctx.myData).topic(topic));
            owner.releaseIfUnused(from);
        }
    }

    void onNeighborReply(final NodeId from, final NeighborReply reply, final long now)
    {
        learn(from, reply.data());
        final int request = pending.indexOf(from);
        final boolean wasPending = request >= 0;
        if (wasPending)
        {
            owner.neighborRoundTrip(now - (pendingDeadlines[request] - config.neighborRequestTimeoutNanos()));
            removePendingAt(request);
        }
        final boolean answersProbe = from.equals(probed);
        if (answersProbe)
        {
            probed = null;
            probeInFlight = false;
        }
        if (reply.accepted())
        {
            if (active.contains(from))
            {
                return;
            }
            if (wasPending || answersProbe || !active.isFull())
            {
                addActive(from, now);
                refillBackoff = config.neighborRequestTimeoutNanos();
                refusalsInARow = 0;
            }
            else
            {
                // A late acceptance we no longer have room for: tell the peer, so both views stay symmetric.
                addPassive(from);
                sendDisconnect(from, true);
                owner.releaseIfUnused(from);
            }
        }
        else
        {
            // A refused probe (a peer that does not give high priority its meaning): alive, not to be probed again.
            if (failed.remove(from) != FailedContacts.NOT_KEPT)
            {
                scheduleProbe();
            }
            addPassive(from);
            owner.releaseIfUnused(from);
            if (wasPending)
            {
                refusalsInARow++;
                ctx.stats.neighborRequestsRefused++;
            }
            // Refused: try again later rather than hammering the passive view.
            refillAt = Math.min(refillAt, now + refillBackoff);
            refillBackoff = Math.min(refillBackoff * 2, config.shuffleIntervalNanos());
        }
    }

    void onDisconnect(final NodeId from, final Disconnect message, final long now)
    {
        final ContactList contacts = message.contacts();
        for (int i = 0; i < contacts.size(); i++)
        {
            learnPassive(contacts.id(i), contacts.data(i));
        }
        removePending(from);
        if (active.remove(from))
        {
            if (message.alive())
            {
                ctx.stats.neighborsReplaced++;
            }
            else
            {
                ctx.stats.neighborsLost++;
            }
            owner.neighborDown(from, !message.alive());
        }
        if (message.alive())
        {
            addPassive(from);
        }
        else
        {
            removePassive(from);
            if (failed.remove(from) != FailedContacts.NOT_KEPT)
            {
                scheduleProbe();
            }
        }
        owner.releaseIfUnused(from);
        if (message.alive() && active.isEmpty())
        {
            // Evicted by a live peer and left alone: the high-priority request that follows evicts someone else,
            // who does the same. Where few nodes compete for full views that chain never ends, so each link of it
            // waits a random fraction of the request timeout: the chain slows to a trickle instead of a storm.
            final long jitter = 1 + (long)(random.nextDouble() * config.neighborRequestTimeoutNanos() / 4);
            refillAt = Math.min(refillAt, now + jitter);
            avoidAfterEviction = from;
        }
        else
        {
            refillAvoiding(now, from);
        }
    }

    void onShuffle(final NodeId from, final Shuffle message, final long now)
    {
        final NodeId origin = message.origin();
        if (origin.equals(ctx.me))
        {
            return;
        }
        final int ttl = message.ttl() - 1;
        if (ttl > 0 && active.size() > 1)
        {
            final NodeId next = active.random(random, from, origin);
            if (next != null)
            {
                final Shuffle forward = ctx.shuffle.set(origin, message.originData(), ttl);
                forward.contacts().copyFrom(message.contacts());
                ctx.send(next, forward.topic(topic));
                return;
            }
        }
        // The walk ends here: answer the origin with as many of our passive contacts as it sent, then merge.
        final ShuffleReply reply = ctx.shuffleReply.clear();
        passive.sample(random, message.contacts().size() + 1, origin, reply.contacts(), this);
        ctx.send(origin, reply.topic(topic));
        learnPassive(origin, message.originData());
        final ContactList contacts = message.contacts();
        for (int i = 0; i < contacts.size(); i++)
        {
            learnPassive(contacts.id(i), contacts.data(i));
        }
        owner.releaseIfUnused(origin);
    }

    void onShuffleReply(final NodeId from, final ShuffleReply message, final long now)
    {
        final ContactList contacts = message.contacts();
        for (int i = 0; i < contacts.size(); i++)
        {
            learnPassive(contacts.id(i), contacts.data(i));
        }
        owner.releaseIfUnused(from);
        if (active.isEmpty())
        {
            refill(now);
        }
    }

    /**
     * The connection to {@code peer} failed or was closed ({@code keepAsFailed}: remember it as a failed contact if it
     * was in use), or this node dropped it itself (never probe it back).
     */
    void onPeerDown(final NodeId peer, final long now, final boolean keepAsFailed)
    {
        if (probeInFlight && peer.equals(probed))
        {
            // Down before the probe's timeout: refused (a reset, a refused dial), not lost in a partition. The probe
            // is no longer in flight, so the next due contact may be probed at once.
            probeInFlight = false;
            failed.refused(peer);
            probeFloor = now;
            scheduleProbe();
        }
        if (!keepAsFailed && failed.remove(peer) != FailedContacts.NOT_KEPT)
        {
            scheduleProbe();
        }
        final boolean wasPending = removePending(peer);
        final boolean wasActive = active.remove(peer);
        if (wasActive)
        {
            ctx.stats.neighborsLost++;
            owner.neighborDown(peer, true);
        }
        if (wasActive || wasPending)
        {
            // It was in use and the connection broke: not a backup contact any more, but one to probe.
            removePassive(peer);
            if (keepAsFailed)
            {
                recordFailure(peer, now);
            }
            refill(now);
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Timers

    long nextDeadline()
    {
        // Requests are appended with the same timeout, so the oldest (index 0) expires first.
        long deadline = Math.min(Math.min(shuffleAt, refillAt), probeAt);
        if (probeInFlight)
        {
            deadline = Math.min(deadline, probeTimeoutAt);
        }
        return pending.isEmpty() ? deadline : Math.min(deadline, pendingDeadlines[0]);
    }

    void onTimer(final long now)
    {
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            if (pendingDeadlines[i] <= now)
            {
                final NodeId peer = pending.get(i);
                removePendingAt(i);
                ctx.stats.neighborRequestTimeouts++;
                // Silent for a whole timeout: most likely gone. Forget it as a contact, but probe it later.
                removePassive(peer);
                recordFailure(peer, now);
                owner.releaseIfUnused(peer);
            }
        }
        if (refillAt <= now)
        {
            refillAt = Long.MAX_VALUE;
        }
        final NodeId evicter = avoidAfterEviction;
        avoidAfterEviction = null;
        if (evicter != null)
        {
            refillAvoiding(now, evicter);
        }
        else
        {
            refill(now);
        }
        if (shuffleAt <= now)
        {
            shuffleAt = now + config.shuffleIntervalNanos();
            shuffle();
        }
        if (probeInFlight && probeTimeoutAt <= now)
        {
            // Unanswered: the contact keeps its place (and its lengthening wait) in the list.
            probeInFlight = false;
            failed.unanswered(probed);
            owner.releaseIfUnused(probed);
        }
        if (probeAt <= now)
        {
            probe(now);
        }
    }

    /**
     * Sends a high-priority Neighbor request to the failed contact due first, if any is due. Its answer is handled
     * by {@link #onNeighborReply}: accepted, the contact is linked even into a full view.
     */
    private void probe(final long now)
    {
        final NodeId target = failed.takeDue(now);
        if (target != null && !pending.contains(target))
        {
            probed = target;
            probeInFlight = true;
            probeTimeoutAt = now + config.neighborRequestTimeoutNanos();
            final long interval = config.failedContactProbeIntervalNanos();
            probeFloor = Math.max(probeTimeoutAt, now + (long)(interval * (0.5 + random.nextDouble())));
            ctx.stats.contactProbes++;
            ctx.send(target, ctx.neighbor.set(true, ctx.myData).topic(topic));
        }
        scheduleProbe();
    }

    private void recordFailure(final NodeId peer, final long now)
    {
        if (failed.add(peer, now))
        {
            scheduleProbe();
        }
    }

    private void scheduleProbe()
    {
        probeAt = failed.isEmpty() ? Long.MAX_VALUE : Math.max(probeFloor, failed.nextDue());
    }

    private void shuffle()
    {
        final NodeId target = active.random(random, null, null);
        if (target == null)
        {
            return;
        }
        final Shuffle message = ctx.shuffle.set(ctx.me, ctx.myData, config.shuffleRandomWalkLength());
        active.sample(random, config.shuffleActiveViewCount(), target, message.contacts(), this);
        passive.sample(random, config.shufflePassiveViewCount(), target, message.contacts(), this);
        ctx.send(target, message.topic(topic));
    }

    /**
     * Asks passive contacts to fill free active slots, one request in flight per free slot. A node joins again
     * through its bootstrap peers, backing off (doubling up to the shuffle interval), when it has no neighbor,
     * nothing pending and no passive contact, or when no bootstrap contact has become a neighbor yet and no Join is
     * pending: a join never hangs silently because one Join was lost, even if other nodes joined through this one
     * meanwhile.
     */
    private void refill(final long now)
    {
        while (active.size() + pending.size() < active.capacity())
        {
            final NodeId candidate = randomPassiveNotPending();
            if (candidate == null)
            {
                break;
            }
            addPending(candidate, now);
            ctx.send(candidate, ctx.neighbor.set(refillPriority(), ctx.myData).topic(topic));
        }
        if (!active.isEmpty() && joinAnswered)
        {
            rejoinBackoff = config.neighborRequestTimeoutNanos();
            return;
        }
        if (bootstrap.isEmpty() || (active.isEmpty() ? !pending.isEmpty() : joinPending()))
        {
            return;
        }
        if (now < rejoinAt)
        {
            refillAt = Math.min(refillAt, rejoinAt);
            return;
        }
        rejoinAt = now + rejoinBackoff;
        rejoinBackoff = Math.min(rejoinBackoff * 2, config.shuffleIntervalNanos());
        for (int i = 0; i < bootstrap.size() && !pending.isFull(); i++)
        {
            final NodeId contact = bootstrap.get(i);
            addPending(contact, now);
            ctx.send(contact, ctx.join.set(ctx.myData).topic(topic));
        }
    }

    /**
     * The priority of the next refill request: high when the active view is empty (as in HyParView), and also when
     * it holds at most half its capacity and the last {@link #REFUSALS_BEFORE_HIGH_PRIORITY} requests were refused.
     * A small group of survivors linked only to each other (after a mass crash, or cut off by loss) otherwise stays
     * apart: each of its members has a neighbor, so it asks with low priority, and every live node it knows of has
     * a full view and refuses. The escalated request is accepted even into a full view, evicting one neighbor there
     * (who keeps more than half its view and refills with low priority), so it cannot start an eviction chain.
     */
    private boolean refillPriority()
    {
        if (active.isEmpty())
        {
            return true;
        }
        if (refusalsInARow >= REFUSALS_BEFORE_HIGH_PRIORITY && active.size() * 2 <= active.capacity())
        {
            refusalsInARow = 0;
            ctx.stats.escalatedNeighborRequests++;
            return true;
        }
        return false;
    }

    private boolean joinPending()
    {
        for (int i = 0; i < pending.size(); i++)
        {
            if (bootstrap.contains(pending.get(i)))
            {
                return true;
            }
        }
        return false;
    }

    private NodeId avoid;
    private NodeId avoidAfterEviction;

    /** Refill, not asking {@code peer} (which just dropped us) while another candidate exists. */
    private void refillAvoiding(final long now, final NodeId peer)
    {
        avoid = peer;
        try
        {
            refill(now);
        }
        finally
        {
            avoid = null;
        }
    }

    private boolean isCandidate(final NodeId peer)
    {
        return !pending.contains(peer) && !peer.equals(avoid) && !(probeInFlight && peer.equals(probed));
    }

    private NodeId randomPassiveNotPending()
    {
        int candidates = 0;
        for (int i = 0; i < passive.size(); i++)
        {
            if (isCandidate(passive.get(i)))
            {
                candidates++;
            }
        }
        if (candidates == 0)
        {
            return null;
        }
        int pick = random.nextInt(candidates);
        for (int i = 0; i < passive.size(); i++)
        {
            final NodeId peer = passive.get(i);
            if (isCandidate(peer) && pick-- == 0)
            {
                return peer;
            }
        }
        return null;
    }

    // ----------------------------------------------------------------------------------------------------------
    // View maintenance

    private void addActive(final NodeId peer, final long now)
    {
        if (peer.equals(ctx.me) || active.contains(peer))
        {
            return;
        }
        if (active.isFull())
        {
            final NodeId evicted = active.random(random, peer, null);
            active.remove(evicted);
            sendDisconnect(evicted, true);
            ctx.stats.neighborsReplaced++;
            owner.neighborDown(evicted, false);
            addPassive(evicted);
            owner.releaseIfUnused(evicted);
        }
        passive.remove(peer);
        active.add(peer);
        if (!joinAnswered && bootstrap.contains(peer))
        {
            joinAnswered = true;
        }
        final long failedAt = failed.remove(peer);
        if (failedAt != FailedContacts.NOT_KEPT)
        {
            // A formerly failed contact is a neighbor again: whatever separated it from this node's part of the
            // overlay, this link spans it. If it failed two probe intervals ago or more, it was cut off for a while,
            // and the other entries most likely failed in the same incident: linking each would only churn views
            // that are one overlay again. One that answered its first probe at once had only lost a message or two,
            // which says nothing about the others.
            ctx.stats.contactsRelinked++;
            if (now - failedAt >= 2 * config.failedContactProbeIntervalNanos())
            {
                failed.clear();
            }
            scheduleProbe();
        }
        owner.neighborUp(peer);
    }

    private void sendDisconnect(final NodeId peer, final boolean alive)
    {
        final Disconnect message = ctx.disconnect.set(alive);
        passive.sample(random, config.disconnectContactCount(), peer, message.contacts(), this);
        ctx.send(peer, message.topic(topic));
    }

    private void addPassive(final NodeId peer)
    {
        if (peer.equals(ctx.me) || active.contains(peer) || passive.contains(peer) || passive.capacity() == 0
            || config.passiveViewCapacity() == 0)
        {
            return;
        }
        if (passive.isFull())
        {
            final NodeId evicted = passive.random(random, null, null);
            passive.remove(evicted);
            forgetIfUnknown(evicted);
        }
        passive.add(peer);
    }

    private void removePassive(final NodeId peer)
    {
        if (passive.remove(peer))
        {
            forgetIfUnknown(peer);
        }
    }

    private void addPending(final NodeId peer, final long now)
    {
        if (pending.contains(peer))
        {
            return;
        }
        if (pending.isFull())
        {
            // Bounded: the oldest request gives way (it is the likeliest to have been lost).
            removePendingAt(0);
        }
        pendingDeadlines[pending.size()] = now + config.neighborRequestTimeoutNanos();
        pending.add(peer);
    }

    private boolean removePending(final NodeId peer)
    {
        final int i = pending.indexOf(peer);
        if (i < 0)
        {
            return false;
        }
        removePendingAt(i);
        return true;
    }

    private void removePendingAt(final int i)
    {
        System.arraycopy(pendingDeadlines, i + 1, pendingDeadlines, i, pending.size() - i - 1);
        pending.removeAt(i);
    }

    private void learn(final NodeId peer, final byte[] data)
    {
        if (peer.equals(ctx.me) || data == null || data.length == 0)
        {
            return;
        }
        final byte[] known = contactData.get(peer);
        if (known == null || !java.util.Arrays.equals(known, data))
        {
            contactData.put(peer, data.clone());
            ctx.output.contactData(peer, data);
        }
    }

    private void learnPassive(final NodeId peer, final byte[] data)
    {
        learn(peer, data);
        addPassive(peer);
        forgetIfUnknown(peer);
    }

    private void forgetIfUnknown(final NodeId peer)
    {
        if (!active.contains(peer) && !passive.contains(peer) && !pending.contains(peer))
        {
            contactData.remove(peer);
        }
    }
}
