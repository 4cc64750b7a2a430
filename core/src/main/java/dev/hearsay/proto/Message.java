package dev.hearsay.proto;

import dev.hearsay.TopicId;

/**
 * A protocol message for one topic. Instances are mutable holders that their owner reuses (the protocol for what it
 * sends, the decoder for what it reads): a receiver that must keep one beyond the call copies it with
 * {@link #copy()}.
 */
public abstract class Message
{
    /** Largest number of contacts in one membership message. */
    public static final int MAX_CONTACTS = 64;

    static final byte[] NO_DATA = new byte[0];

    TopicId topic;

    Message()
    {
    }

    /** The kind of message. */
    public abstract MessageType type();

    /** The topic this message belongs to. */
    public final TopicId topic()
    {
        return topic;
    }

    /** Sets the topic. */
    public final Message topic(final TopicId topic)
    {
        this.topic = topic;
        return this;
    }

    /** A deep copy that owns all its data (payloads included). */
    public abstract Message copy();

    /** Never null: an absent contact data is the empty array. */
    static byte[] data(final byte[] data)
    {
        return data == null ? NO_DATA : data;
    }
}
