package dev.hearsay.sim;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongUnaryOperator;

/**
 * The ids of simulated nodes, {@code NodeKey.fromSeed(seedOf(index)).id()}. Ed25519 key generation costs about
 * 0.7 ms a key, seconds for a large run, so ids for the first {@code prepared} indexes are derived ahead by a
 * background thread while the simulation runs on its own thread. Indexes are claimed in order from one counter by
 * whichever thread is free: the simulator thread computes an id itself only when it would otherwise wait, and no
 * id is computed twice. Each id depends on its index alone, so the result is the same as computing in line.
 */
final class NodeIdSource
{
    private final LongUnaryOperator seedOf;
    private final AtomicReferenceArray<NodeId> ids;
    private final AtomicInteger nextClaim = new AtomicInteger();

    /** Starts deriving the ids of indexes {@code [0, prepared)} on a daemon thread. */
    NodeIdSource(final LongUnaryOperator seedOf, final int prepared)
    {
        this.seedOf = seedOf;
        this.ids = new AtomicReferenceArray<>(prepared);
        if (prepared > 1)
        {
            final Thread worker = new Thread(this::work, "sim-node-keys");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** The id of node {@code index}, computed now if nobody has. */
    NodeId id(final int index)
    {
        if (index >= ids.length())
        {
            return compute(index);
        }
        while (true)
        {
            final NodeId id = ids.get(index);
            if (id != null)
            {
                return id;
            }
            final int claim = nextClaim.get();
            if (claim <= index && nextClaim.compareAndSet(claim, claim + 1))
            {
                ids.set(claim, compute(claim));
            }
            else
            {
                Thread.onSpinWait(); // the worker is computing this very id: well under a millisecond
            }
        }
    }

    private void work()
    {
        int claim;
        while ((claim = nextClaim.getAndIncrement()) < ids.length())
        {
            ids.set(claim, compute(claim));
        }
    }

    private NodeId compute(final int index)
    {
        return NodeKey.fromSeed(seedOf.applyAsLong(index)).id();
    }
}
