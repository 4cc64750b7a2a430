package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;

import java.util.ArrayList;
import java.util.Set;

/**
 * The dispatcher's registry entry of one joined topic: its local subscriptions and its current neighbors (the
 * protocol's active view as reported through neighborUp/neighborDown). Touched by the dispatcher thread only.
 * Bounds: subscriptions by the engine's subscription limit, neighbors by the active view capacity.
 */
final class TopicEntry
{
    final TopicId topic;
    final ArrayList<EngineSubscription> subscriptions = new ArrayList<>(4);
    final ArrayList<NodeId> neighbors = new ArrayList<>(8);
    /** Immutable copy of {@link #neighbors}, rebuilt on each membership change and handed to subscriptions. */
    Set<NodeId> snapshot = Set.of();

    TopicEntry(final TopicId topic)
    {
        this.topic = topic;
    }

    boolean addNeighbor(final NodeId peer)
    {
        if (neighbors.contains(peer))
        {
            return false;
        }
        neighbors.add(peer);
        publishSnapshot();
        return true;
    }

    boolean removeNeighbor(final NodeId peer)
    {
        if (!neighbors.remove(peer))
        {
            return false;
        }
        publishSnapshot();
        return true;
    }

    private void publishSnapshot()
    {
        snapshot = Set.copyOf(neighbors);
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            subscriptions.get(i).neighbors(snapshot);
        }
    }
}
