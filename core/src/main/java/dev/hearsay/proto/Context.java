package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What every topic of one node shares: identity, settings, the output, counters, and one reusable holder per
 * message type (sends are synchronous and the output encodes before returning, so one of each is enough).
 */
final class Context
{
    final NodeId me;
    final GossipConfig config;
    final ProtocolOutput output;
    final ProtocolStats stats = new ProtocolStats();
    /** See {@link ProtocolState#holdRepairs}. */
    boolean repairsHeld;
    final int epoch;
    byte[] myData = Message.NO_DATA;
    /** Signs authored Gossip when set; null: unsigned. */
    GossipSigner signer;
    /** Where the signer writes; the Gossip sent carries a view of it until the next broadcast. */
    final UnsafeBuffer signature = new UnsafeBuffer(new byte[Gossip.SIGNATURE_LENGTH]);

    final Join join = new Join();
    final ForwardJoin forwardJoin = new ForwardJoin();
    final Neighbor neighbor = new Neighbor();
    final NeighborReply neighborReply = new NeighborReply();
    final Disconnect disconnect = new Disconnect();
    final Shuffle shuffle = new Shuffle();
    final ShuffleReply shuffleReply = new ShuffleReply();
    final Gossip gossip = new Gossip();
    final IHave ihave = new IHave();
    final Graft graft = new Graft();
    final Prune prune = new Prune();

    Context(final NodeId me, final GossipConfig config, final ProtocolOutput output, final int epoch)
    {
        this.me = me;
        this.config = config;
        this.output = output;
        this.epoch = epoch;
    }

    /** Sends {@code message} to each of {@code peers[0..count)}: one encoding for all, where the output can. */
    void send(final NodeId[] peers, final int count, final Message message)
    {
        if (count == 0)
        {
            return;
        }
        if (message.type() == MessageType.GOSSIP)
        {
            stats.gossipSent += count;
        }
        else
        {
            stats.controlSent += count;
        }
        output.send(peers, count, message);
    }

    void send(final NodeId peer, final Message message)
    {
        if (message.type() == MessageType.GOSSIP)
        {
            stats.gossipSent++;
        }
        else
        {
            stats.controlSent++;
        }
        output.send(peer, message);
    }
}
