package dev.hearsay.proto;

/** HyParView answer to a Neighbor request or a Join: accepted (both sides are now neighbors) or refused. */
public final class NeighborReply extends Message
{
    private boolean accepted;
    private byte[] data = NO_DATA;

    @Override
    public MessageType type()
    {
        return MessageType.NEIGHBOR_REPLY;
    }

    /** True if the sender added the receiver to its active view. */
    public boolean accepted()
    {
        return accepted;
    }

    /** The sender's contact data. */
    public byte[] data()
    {
        return data;
    }

    /** Sets all fields. */
    public NeighborReply set(final boolean accepted, final byte[] data)
    {
        this.accepted = accepted;
        this.data = data(data);
        return this;
    }

    @Override
    public NeighborReply copy()
    {
        final NeighborReply c = new NeighborReply().set(accepted, data.clone());
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "NeighborReply(" + (accepted ? "accepted" : "refused") + ")";
    }
}
