package dev.hearsay.proto;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;

/**
 * Everything the protocol asks of its host. Called synchronously from {@link ProtocolState}'s methods on the
 * thread that drives it. Arguments are only valid during the call: a {@link Message} is reused by the protocol, so
 * an implementation encodes it (or {@link Message#copy() copies} it) before returning. Implementations must not
 * call back into the protocol.
 */
public interface ProtocolOutput
{
    /** Send {@code message} to {@code peer}, dialling it if needed. A failure is reported back as peer-down. */
    void send(NodeId peer, Message message);

    /**
     * Send the same {@code message} to {@code peers[0]} .. {@code peers[count - 1]}. The default sends to each in
     * turn; an output that encodes may encode once for all (an eager fan-out sends one Gossip to every tree edge).
     */
    default void send(final NodeId[] peers, final int count, final Message message)
    {
        for (int i = 0; i < count; i++)
        {
            send(peers[i], message);
        }
    }

    /** Deliver a broadcast to the topic's local subscribers. */
    void deliver(TopicId topic, NodeId author, int epoch, long sequence, NodeId from, int hops, boolean neighborsOnly,
        DirectBuffer payload, int offset, int length);

    /**
     * The topic gave up {@code count} messages of {@code author}'s epoch {@code epoch} that it never received: the
     * stream's dedupe window moved past them, and a copy arriving later is taken for a duplicate, so none is
     * delivered after this report.
     */
    default void lost(final TopicId topic, final NodeId author, final int epoch, final long count)
    {
    }

    /** {@code peer} entered the topic's active view. */
    void neighborUp(TopicId topic, NodeId peer);

    /** {@code peer} left the topic's active view. */
    void neighborDown(TopicId topic, NodeId peer);

    /** No topic needs {@code peer} any more: the connection may be closed once queued sends are flushed. */
    void disconnect(NodeId peer);

    /**
     * True while sends to {@code peer} queue up faster than they leave (flow control). The protocol then puts off
     * what it may send later, such as grafts: a burst of them would only lengthen the queue it waits on.
     */
    default boolean congested(final NodeId peer)
    {
        return false;
    }

    /** True while some peer may be slow (see {@link #slow}): a cheap check before asking about each peer. */
    default boolean anySlow()
    {
        return false;
    }

    /**
     * True while sends to {@code peer} have queued up and not drained for long enough that the peer counts as stuck:
     * the node no longer waits for it, and PlumTree pushes payloads to its other eager peers instead, announcing them
     * to this one, which grafts what it misses when it reads again or takes another parent.
     */
    default boolean slow(final NodeId peer)
    {
        return false;
    }

    /**
     * PlumTree pushed a payload to the slow {@code peer} because no other peer of the topic could take it instead:
     * the node waits for that peer again (flow control, node-wide: the last resort).
     */
    default void waitFor(final NodeId peer)
    {
    }

    /** The protocol learned {@code peer}'s contact data (for example its addresses). */
    default void contactData(final NodeId peer, final byte[] data)
    {
    }
}
