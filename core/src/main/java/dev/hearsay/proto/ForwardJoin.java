package dev.hearsay.proto;

import dev.hearsay.NodeId;

/** HyParView ForwardJoin: a random walk announcing a new node to the overlay. */
public final class ForwardJoin extends Message
{
    private NodeId joiner;
    private byte[] joinerData = NO_DATA;
    private int ttl;

    @Override
    public MessageType type()
    {
        return MessageType.FORWARD_JOIN;
    }

    /** The node that joined. */
    public NodeId joiner()
    {
        return joiner;
    }

    /** The joiner's contact data. */
    public byte[] joinerData()
    {
        return joinerData;
    }

    /** Remaining hops of the walk. */
    public int ttl()
    {
        return ttl;
    }

    /** Sets all fields. */
    public ForwardJoin set(final NodeId joiner, final byte[] joinerData, final int ttl)
    {
        this.joiner = joiner;
        this.joinerData = data(joinerData);
        this.ttl = ttl;
        return this;
    }

    @Override
    public ForwardJoin copy()
    {
        final ForwardJoin c = new ForwardJoin().set(joiner, joinerData.clone(), ttl);
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "ForwardJoin(" + joiner.shortString() + ", ttl=" + ttl + ")";
    }
}
