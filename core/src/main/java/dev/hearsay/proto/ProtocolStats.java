package dev.hearsay.proto;

/**
 * Monotonic counters of one {@link ProtocolState}. Written only by the thread driving the protocol; other threads
 * may read them racily (plain longs: a reader may see a slightly stale value).
 */
public final class ProtocolStats
{
    /** Gossip messages sent (payload messages). */
    public long gossipSent;
    /** Membership and repair messages sent (everything but Gossip). */
    public long controlSent;
    /** Broadcasts delivered to local subscribers. */
    public long delivered;
    /** Gossip received for a message already delivered. */
    public long duplicates;
    /** Graft messages sent (each asks for a range of one author's messages, or repairs an edge only). */
    public long graftsSent;
    /** Prune messages sent. */
    public long prunesSent;
    /** Messages sent in answer to Grafts (from the payload cache). */
    public long graftsAnswered;
    /** Messages asked for by Grafts and not sent: no longer cached, or their range refused (64 already queued). */
    public long graftsMissed;
    /**
     * Announced messages not tracked as missing: the missing runs were full with one run per stream (see
     * {@link dev.hearsay.GossipConfig#missingCapacity()}), or a timer queue was.
     */
    public long missingDropped;
    /** Broadcasts rejected because the topic had no neighbor and its hold queue was full. */
    public long heldRejected;
    /** Messages for topics this node has not joined. */
    public long unknownTopic;
    /** Author logs (seen-sequence windows) dropped before their retention because a topic hit maxAuthors. */
    public long idCacheEvictedEarly;
    /** Sequences an author's window gave up on, never seen, because a much newer one arrived (see AuthorLog). */
    public long windowSkipped;
    /** Payloads evicted before their retention because the payload cache was full. */
    public long payloadCacheEvictedEarly;
    /** Neighbor requests that timed out. */
    public long neighborRequestTimeouts;
    /** Probes (high-priority Neighbor requests) sent to contacts dropped as failed. */
    public long contactProbes;
    /** Contacts dropped as failed that became neighbors again (each joins two parts of a split overlay, if split). */
    public long contactsRelinked;
    /** Tree optimisations (Graft + Prune pairs sent). */
    public long optimizations;
    /** Graft timers put off because the node held back its reads (see ProtocolState#holdRepairs). */
    public long graftsDeferred;
    /** Slow eager peers moved to lazy before a push, so that the node need not wait for them (see PlumTree). */
    public long slowPeersSpared;
    /**
     * New neighbors asked for eager push (a Graft without id) because this node's part of the topic's tree may have
     * been cut off: it had received nothing yet, or had lost an eager neighbor and received nothing since (see
     * PlumTree).
     */
    public long treeLinksRequested;
    /**
     * Neighbor requests sent with high priority by a node that still had neighbors: at most half its active view,
     * and its last requests refused by full views (see HyParView).
     */
    public long escalatedNeighborRequests;
    /**
     * Repair copies sent: a message pushed over every link at once after a tree edge failed right after it, or
     * passed on that way by a node that received it as a repair copy (see PlumTree).
     */
    public long repairPushes;
    /**
     * Neighbors lost: their connection failed (closed, reset, convicted silent by the transport's failure detector,
     * dial failed) or they left the topic, while in the active view (see HyParView).
     */
    public long neighborsLost;
    /**
     * Neighbors replaced: evicted from the active view by this node to make room for another, or by the neighbor
     * (a Disconnect that says it stays alive). Overlay maintenance, not a failure.
     */
    public long neighborsReplaced;
    /** Neighbor requests this node sent that were refused (the contact's view was full; see HyParView). */
    public long neighborRequestsRefused;
    /**
     * Messages pushed over every link, lazy ones too, to rebuild the tree once the overlay settled after neighbors
     * failed: at most one per burst of failures (see TreeRebuild).
     */
    public long treeRebuilds;

    /**
     * A copy of these counters, for any thread: each value as the copying thread sees it (racy, possibly a little
     * stale), in an object nobody else writes.
     */
    public ProtocolStats snapshot()
    {
        final ProtocolStats copy = new ProtocolStats();
        copy.gossipSent = gossipSent;
        copy.controlSent = controlSent;
        copy.delivered = delivered;
        copy.duplicates = duplicates;
        copy.graftsSent = graftsSent;
        copy.prunesSent = prunesSent;
        copy.graftsAnswered = graftsAnswered;
        copy.graftsMissed = graftsMissed;
        copy.missingDropped = missingDropped;
        copy.heldRejected = heldRejected;
        copy.unknownTopic = unknownTopic;
        copy.idCacheEvictedEarly = idCacheEvictedEarly;
        copy.windowSkipped = windowSkipped;
        copy.payloadCacheEvictedEarly = payloadCacheEvictedEarly;
        copy.neighborRequestTimeouts = neighborRequestTimeouts;
        copy.contactProbes = contactProbes;
        copy.contactsRelinked = contactsRelinked;
        copy.optimizations = optimizations;
        copy.graftsDeferred = graftsDeferred;
        copy.slowPeersSpared = slowPeersSpared;
        copy.treeLinksRequested = treeLinksRequested;
        copy.escalatedNeighborRequests = escalatedNeighborRequests;
        copy.repairPushes = repairPushes;
        copy.neighborsLost = neighborsLost;
        copy.neighborsReplaced = neighborsReplaced;
        copy.neighborRequestsRefused = neighborRequestsRefused;
        copy.treeRebuilds = treeRebuilds;
        return copy;
    }

    @Override
    public String toString()
    {
        return "ProtocolStats{gossipSent=" + gossipSent + ", controlSent=" + controlSent + ", delivered=" + delivered
            + ", duplicates=" + duplicates + ", graftsSent=" + graftsSent + ", prunesSent=" + prunesSent
            + ", graftsAnswered=" + graftsAnswered + ", graftsMissed=" + graftsMissed
            + ", missingDropped=" + missingDropped + ", heldRejected=" + heldRejected
            + ", unknownTopic=" + unknownTopic + ", idCacheEvictedEarly=" + idCacheEvictedEarly
            + ", windowSkipped=" + windowSkipped + ", graftsDeferred=" + graftsDeferred + ", slowPeersSpared=" + slowPeersSpared + ", payloadCacheEvictedEarly=" + payloadCacheEvictedEarly
            + ", neighborRequestTimeouts=" + neighborRequestTimeouts + ", contactProbes=" + contactProbes
            + ", contactsRelinked=" + contactsRelinked + ", optimizations=" + optimizations
            + ", treeLinksRequested=" + treeLinksRequested
            + ", escalatedNeighborRequests=" + escalatedNeighborRequests + ", repairPushes=" + repairPushes
            + ", neighborsLost=" + neighborsLost + ", neighborsReplaced=" + neighborsReplaced
            + ", neighborRequestsRefused=" + neighborRequestsRefused + ", treeRebuilds=" + treeRebuilds + "}";
    }
}
