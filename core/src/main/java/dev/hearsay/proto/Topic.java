package dev.hearsay.proto;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;

import java.util.SplittableRandom;

/** One joined topic: its HyParView membership and its PlumTree broadcast, wired together. */
final class Topic
{
    final TopicId id;
    final HyParView hyParView;
    final PlumTree plumTree;
    private final Context ctx;
    private final ProtocolState owner;
    private long now;

    Topic(final Context ctx, final ProtocolState owner, final TopicId id, final long seed, final long now)
    {
        this.ctx = ctx;
        this.owner = owner;
        this.id = id;
        this.now = now;
        this.plumTree = new PlumTree(ctx, id);
        this.hyParView = new HyParView(ctx, id, this, new SplittableRandom(seed), now);
    }

    void time(final long now)
    {
        this.now = now;
    }

    void neighborUp(final NodeId peer)
    {
        ctx.output.neighborUp(id, peer);
        plumTree.neighborUp(peer, now);
    }

    /**
     * {@code peer} left the active view; {@code lost}: it failed or left the topic (its connection broke, it was
     * reported down, or it said goodbye), rather than being swapped for another neighbor by either side.
     */
    void neighborDown(final NodeId peer, final boolean lost)
    {
        plumTree.neighborDown(peer, lost, now);
        ctx.output.neighborDown(id, peer);
    }

    /** A neighbor request of this topic's was answered after {@code nanos}. */
    void neighborRoundTrip(final long nanos)
    {
        plumTree.neighborRoundTrip(nanos);
    }

    void releaseIfUnused(final NodeId peer)
    {
        owner.releaseIfUnused(peer);
    }

    void onMessage(final NodeId from, final Message message, final long now)
    {
        this.now = now;
        switch (message.type())
        {
            case JOIN -> hyParView.onJoin(from, (Join)message, now);
            case FORWARD_JOIN -> hyParView.onForwardJoin(from, (ForwardJoin)message, now);
            case NEIGHBOR -> hyParView.onNeighbor(from, (Neighbor)message, now);
            case NEIGHBOR_REPLY -> hyParView.onNeighborReply(from, (NeighborReply)message, now);
            case DISCONNECT -> hyParView.onDisconnect(from, (Disconnect)message, now);
            case SHUFFLE -> hyParView.onShuffle(from, (Shuffle)message, now);
            case SHUFFLE_REPLY -> hyParView.onShuffleReply(from, (ShuffleReply)message, now);
            case GOSSIP -> plumTree.onGossip(from, (Gossip)message, now);
            case IHAVE -> plumTree.onIHave(from, (IHave)message, now);
            case GRAFT -> plumTree.onGraft(from, (Graft)message, now);
            case PRUNE -> plumTree.onPrune(from, (Prune)message);
            default -> throw new IllegalArgumentException("unknown message type " + message.type());
        }
    }

    long nextDeadline()
    {
        return Math.min(hyParView.nextDeadline(), plumTree.nextDeadline());
    }

    void onTimer(final long now)
    {
        this.now = now;
        hyParView.onTimer(now);
        plumTree.onTimer(now);
    }

    void quit(final long now)
    {
        this.now = now;
        hyParView.quit();
        plumTree.quit();
    }
}
