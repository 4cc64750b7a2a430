package dev.hearsay.proto;

/** HyParView Join: the sender asks the receiver to let it into the topic's overlay. */
public final class Join extends Message
{
    private byte[] data = NO_DATA;

    @Override
    public MessageType type()
    {
        return MessageType.JOIN;
    }

    /** The sender's own contact data. */
    public byte[] data()
    {
        return data;
    }

    /** Sets the sender's contact data. */
    public Join set(final byte[] data)
    {
        this.data = data(data);
        return this;
    }

    @Override
    public Join copy()
    {
        final Join c = new Join().set(data.clone());
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "Join";
    }
}
