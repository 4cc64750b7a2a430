package dev.hearsay;

import org.agrona.DirectBuffer;

/**
 * Decides, before a received message is delivered or relayed, whether this node takes it: see {@link Validation}.
 * Set per subscription with {@link SubscriptionOptions#withValidator(MessageValidator)}; it judges every message of
 * the subscription's topic that this node receives from a peer, for every subscription of that topic on the node,
 * because a node relays a topic once whatever its subscriptions. With several validators on one topic (several
 * subscriptions that set one), each is asked and the strictest verdict wins: {@code REJECT} over {@code IGNORE}
 * over {@code ACCEPT}; the asking stops at the first {@code REJECT}.
 *
 * <p><b>Where it runs.</b> On the thread that hands the received frame to the node's ring (a transport I/O thread;
 * on the in-memory test network the sending node's dispatcher), before the frame enters the ring, never on the
 * dispatcher: the node keeps dispatching every other topic and connection while a validator runs. Several I/O
 * threads may call one validator at once, so it must be thread-safe. A slow validator slows the reads of the
 * connections its thread serves (TCP back-pressure then slows their senders), not the dispatcher.
 *
 * <p><b>What it may do.</b> Read its arguments and its own state; return quickly. It must not block (no I/O, no
 * locks held for long, no waiting on futures): with one I/O thread, the default, every connection of the node waits
 * while it runs. It must not call back into the node (broadcast, subscribe, close): those calls may wait for the
 * ring, which may be full of frames waiting behind the validator. The buffer is a read-only view of the received
 * frame, valid only during the call, with no copy made: copy what must outlive it.
 *
 * <p><b>When it is asked.</b> Once for each Gossip message (Swarm or Neighbors scope) that arrives from a peer, with
 * these exceptions: a copy of a Swarm-scope message whose id this node settled lately (accepted or ignored, or
 * rejected with {@code verifySignatures}) is not validated again (it is a duplicate, never delivered nor relayed);
 * copies arriving on different I/O threads at the same moment may each be
 * validated; a copy the node cannot decode, or whose signature fails with {@code verifySignatures}, is dropped
 * before it is asked. Messages this node authors are not validated by it (its neighbours validate them like any
 * other). Messages for a topic this node has no validator for are not decoded on the I/O thread at all.
 *
 * <p><b>Exceptions.</b> A validator that throws (or returns null) counts as {@link Validation#IGNORE}: the fault
 * is this node's, so no peer is penalised for it. Counted ({@code validator errors}) and logged (the 1st, 2nd, 4th,
 * 8th, ... error of the node).
 */
@FunctionalInterface
public interface MessageValidator
{
    /**
     * The verdict on one received message.
     *
     * @param topic         the message's topic.
     * @param buffer        a read-only view holding the payload, valid only during the call.
     * @param offset        where the payload starts in {@code buffer}.
     * @param length        the payload's length in bytes.
     * @param author        the node that broadcast the message (authenticated only with {@code verifySignatures}).
     * @param deliveredFrom the peer that sent this copy (the last hop; authenticated by the transport handshake).
     * @param hops          0 when {@code deliveredFrom} is the author, as {@link GossipHandler#onMessage}.
     * @return what to do with the message; null counts as an error.
     */
    Validation validate(TopicId topic, DirectBuffer buffer, int offset, int length, NodeId author,
        NodeId deliveredFrom, int hops);
}
