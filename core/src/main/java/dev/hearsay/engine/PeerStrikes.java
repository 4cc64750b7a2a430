package dev.hearsay.engine;

import dev.hearsay.NodeId;
import org.agrona.collections.Object2IntHashMap;

/**
 * Dispatcher thread: bad messages of one kind (invalid signatures, rejected by a validator) each connected peer
 * sent since its connection came up, against a limit. Bound: one entry per connected peer that sent one; an entry
 * goes when its peer disconnects, fails, or goes over the limit.
 */
final class PeerStrikes
{
    private final Object2IntHashMap<NodeId> strikes = new Object2IntHashMap<>(0);
    private final int limit;

    /** Peers are allowed {@code limit} strikes; the one after goes over. */
    PeerStrikes(final int limit)
    {
        this.limit = limit;
    }

    /**
     * Counts one strike against {@code peer}; returns how many it has when that is over the limit (the peer's count
     * is then forgotten, as the peer is to be dropped), else 0.
     */
    int strike(final NodeId peer)
    {
        final int count = strikes.getValue(peer) + 1;
        if (count <= limit)
        {
            strikes.put(peer, count);
            return 0;
        }
        strikes.removeKey(peer);
        return count;
    }

    /** {@code peer}'s connection came up or went: it starts again from none. */
    void forget(final NodeId peer)
    {
        strikes.removeKey(peer);
    }
}
