package dev.hearsay.proto;

/**
 * HyParView Neighbor request: the sender wants the receiver in its active view. A high-priority request (the
 * sender has no neighbor left, or it probes a contact it had dropped as failed, to re-merge a split overlay) is always
 * accepted; a low-priority one only into a free slot, unless the receiver had itself dropped the sender as failed.
 */
public final class Neighbor extends Message
{
    private boolean highPriority;
    private byte[] data = NO_DATA;

    @Override
    public MessageType type()
    {
        return MessageType.NEIGHBOR;
    }

    /** True when the sender has an empty active view, or probes a contact it had dropped as failed. */
    public boolean highPriority()
    {
        return highPriority;
    }

    /** The sender's contact data. */
    public byte[] data()
    {
        return data;
    }

    /** Sets all fields. */
    public Neighbor set(final boolean highPriority, final byte[] data)
    {
        this.highPriority = highPriority;
        this.data = data(data);
        return this;
    }

    @Override
    public Neighbor copy()
    {
        final Neighbor c = new Neighbor().set(highPriority, data.clone());
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "Neighbor(" + (highPriority ? "high" : "low") + ")";
    }
}
