package dev.hearsay.codec;

import dev.hearsay.GossipConfig;
import dev.hearsay.proto.Disconnect;
import dev.hearsay.proto.ForwardJoin;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.Neighbor;
import dev.hearsay.proto.NeighborReply;
import dev.hearsay.proto.Prune;
import dev.hearsay.proto.Shuffle;
import dev.hearsay.proto.ShuffleReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import static dev.hearsay.codec.TestMessages.nodeId;
import static dev.hearsay.codec.TestMessages.topicId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Encoder validation, buffer sizing and the allocation-free encode path. */
class MessageEncoderTest
{
    private final MessageEncoder encoder = new MessageEncoder(4096, 512);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);

    private void refuse(final Message message)
    {
        final byte[] before = Arrays.copyOf(buffer.byteArray(), 256);
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(message, buffer, 0), message.type()::name);
        assertArrayEquals(before, Arrays.copyOf(buffer.byteArray(), 256), "nothing written for " + message.type());
    }

    private static Gossip gossip(final int hops, final int payloadLength)
    {
        final Gossip g = new Gossip().set(nodeId(1), 1, 1, hops, false);
        g.payload(new UnsafeBuffer(new byte[Math.max(1, payloadLength)]), 0, payloadLength).topic(topicId(1));
        return g;
    }

    @Test
    @Timeout(10)
    void hopsOutsideUnsigned16BitsAreRefused()
    {
        refuse(gossip(WireFormat.MAX_HOPS + 1, 0));
        refuse(gossip(-1, 0));
        encoder.encode(gossip(WireFormat.MAX_HOPS, 0), buffer, 0);

        final IHave ihave = new IHave();
        ihave.add(nodeId(1), 1, 1, 3);
        ihave.add(nodeId(2), 1, 1, 65536);
        refuse(ihave.topic(topicId(1)));

        refuse(new Graft().set(nodeId(1), 1, 1, 70000).topic(topicId(1)));
        refuse(new Graft().set(nodeId(1), 1, 1, Integer.MIN_VALUE).topic(topicId(1)));
    }

    @Test
    @Timeout(10)
    void ttlOutsideUnsigned8BitsIsRefused()
    {
        refuse(new ForwardJoin().set(nodeId(1), null, 256).topic(topicId(1)));
        refuse(new ForwardJoin().set(nodeId(1), null, -1).topic(topicId(1)));
        refuse(new Shuffle().set(nodeId(1), null, 1000).topic(topicId(1)));
    }

    @Test
    @Timeout(10)
    void sizesOverTheEncoderLimitsAreRefused()
    {
        refuse(gossip(0, 4097));
        encoder.encode(gossip(0, 4096), buffer, 0);
        refuse(new Join().set(new byte[513]).topic(topicId(1)));
        final ShuffleReply reply = new ShuffleReply();
        reply.contacts().add(nodeId(1), new byte[1]);
        reply.contacts().add(nodeId(2), new byte[513]);
        refuse(reply.topic(topicId(1)));

        final MessageEncoder fromConfig = new MessageEncoder(GossipConfig.builder().maxPeerDataSize(0).build());
        assertThrows(IllegalArgumentException.class,
            () -> fromConfig.encode(new Join().set(new byte[1]).topic(topicId(1)), buffer, 0));
    }

    @Test
    @Timeout(10)
    void incompleteMessagesAreRefused()
    {
        refuse(new Prune());
        refuse(new Gossip().set(null, 1, 1, 1, false).topic(topicId(1)));
        refuse(new ForwardJoin().topic(topicId(1)));
        refuse(new Shuffle().topic(topicId(1)));
        final Disconnect disconnect = new Disconnect().set(true);
        disconnect.contacts().add(null, null);
        refuse(disconnect.topic(topicId(1)));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(null, buffer, 0));
    }

    @Test
    @Timeout(10)
    void aMessageThatDoesNotFitIsRefusedBeforeWriting()
    {
        final Gossip g = gossip(0, 100);
        final int length = MessageEncoder.encodedLength(g);
        final UnsafeBuffer small = new UnsafeBuffer(new byte[length + 9]);
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(g, small, 10));
        assertTrue(Arrays.equals(new byte[length + 9], small.byteArray()), "nothing written");
        assertEquals(length, encoder.encode(g, small, 9));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(g, buffer, -1));
    }

    @Test
    @Timeout(10)
    void maxEncodedLengthIsTheLargestValidMessage()
    {
        final int maxPayload = 4096;
        final int maxPeerData = 512;
        final int max = MessageEncoder.maxEncodedLength(maxPayload, maxPeerData);
        final Map<MessageType, Message> largest = largestMessages(maxPayload, maxPeerData);
        assertEquals(MessageType.values().length, largest.size());
        int biggest = 0;
        for (final Message m : largest.values())
        {
            final int length = MessageEncoder.encodedLength(m);
            assertTrue(length <= max, m + " of " + length + " exceeds " + max);
            assertEquals(length, encoder.encode(m, buffer, 0));
            biggest = Math.max(biggest, length);
        }
        assertEquals(biggest, max, "the bound is tight");
        // With the defaults a full Shuffle is the largest frame.
        assertEquals(MessageEncoder.encodedLength(largest.get(MessageType.SHUFFLE)), max);

        // Tight in the other two regimes: a large payload, and an IHave of 256 runs when all else is tiny.
        assertEquals(MessageEncoder.encodedLength(largestMessages(100_000, 0).get(MessageType.GOSSIP)),
            MessageEncoder.maxEncodedLength(100_000, 0));
        assertEquals(MessageEncoder.encodedLength(largestMessages(0, 0).get(MessageType.IHAVE)),
            MessageEncoder.maxEncodedLength(0, 0));
        assertEquals(WireFormat.HEADER_LENGTH + 2 + 256 * 48, MessageEncoder.maxEncodedLength(0, 0));

        assertThrows(IllegalArgumentException.class, () -> MessageEncoder.maxEncodedLength(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> MessageEncoder.maxEncodedLength(0, -1));
        assertThrows(IllegalArgumentException.class, () -> MessageEncoder.maxEncodedLength(0, 65536));
        assertThrows(IllegalArgumentException.class, () -> MessageEncoder.maxEncodedLength(Integer.MAX_VALUE, 0));
    }

    private static Map<MessageType, Message> largestMessages(final int maxPayload, final int maxPeerData)
    {
        final byte[] data = new byte[maxPeerData];
        final Map<MessageType, Message> all = new EnumMap<>(MessageType.class);
        all.put(MessageType.JOIN, new Join().set(data));
        all.put(MessageType.FORWARD_JOIN, new ForwardJoin().set(nodeId(1), data, 255));
        all.put(MessageType.NEIGHBOR, new Neighbor().set(true, data));
        all.put(MessageType.NEIGHBOR_REPLY, new NeighborReply().set(true, data));
        final Disconnect disconnect = new Disconnect().set(true);
        final Shuffle shuffle = new Shuffle().set(nodeId(1), data, 255);
        final ShuffleReply reply = new ShuffleReply();
        for (int i = 0; i < Message.MAX_CONTACTS; i++)
        {
            disconnect.contacts().add(nodeId(i), data);
            shuffle.contacts().add(nodeId(i), data);
            reply.contacts().add(nodeId(i), data);
        }
        all.put(MessageType.DISCONNECT, disconnect);
        all.put(MessageType.SHUFFLE, shuffle);
        all.put(MessageType.SHUFFLE_REPLY, reply);
        final Gossip gossip = new Gossip().set(nodeId(1), 1, 1, 1, true);
        gossip.payload(new UnsafeBuffer(new byte[Math.max(1, maxPayload)]), 0, maxPayload);
        // The largest Gossip carries the longest signature trailer: a batch proof of the greatest depth.
        final byte[] proof = new byte[WireFormat.MAX_SIGNATURE_TRAILER_LENGTH];
        proof[WireFormat.SIGNATURE_LENGTH] = (byte)WireFormat.MAX_BATCH_PROOF_DEPTH;
        gossip.signature(new UnsafeBuffer(proof), 0, proof.length);
        all.put(MessageType.GOSSIP, gossip);
        final IHave ihave = new IHave();
        while (!ihave.isFull())
        {
            ihave.add(nodeId(ihave.size()), 1, 1, 1);
        }
        all.put(MessageType.IHAVE, ihave);
        all.put(MessageType.GRAFT, new Graft().set(nodeId(1), 1, 1, 1));
        all.put(MessageType.PRUNE, new Prune());
        for (final Message m : all.values())
        {
            m.topic(topicId(1));
        }
        return all;
    }

    @Test
    @Timeout(20)
    void encodingAllocatesNothing()
    {
        assumeTrue(TestMessages.canMeasureAllocation());
        final Gossip gossip = gossip(3, 256);
        final IHave ihave = (IHave)largestMessages(0, 0).get(MessageType.IHAVE);
        final Shuffle shuffle = (Shuffle)largestMessages(0, 32).get(MessageType.SHUFFLE);
        final int iterations = 10_000;
        long sum = 0;
        for (int i = 0; i < 1_000; i++)
        {
            sum += encoder.encode(gossip, buffer, 0) + encoder.encode(ihave, buffer, 0)
                + encoder.encode(shuffle, buffer, 0);
        }
        final long before = TestMessages.allocatedBytes();
        for (int i = 0; i < iterations; i++)
        {
            sum += encoder.encode(gossip, buffer, 0) + encoder.encode(ihave, buffer, 0)
                + encoder.encode(shuffle, buffer, 0);
        }
        final long allocated = TestMessages.allocatedBytes() - before;
        assertTrue(sum > 0);
        // One object per call would be at least 16 bytes * 30,000; allow a little for the measurement itself.
        assertTrue(allocated < 4096, "encode allocated " + allocated + " bytes over " + 3 * iterations + " calls");
    }
}
