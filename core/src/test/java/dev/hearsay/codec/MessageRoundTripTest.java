package dev.hearsay.codec;

import dev.hearsay.NodeId;
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
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.hearsay.codec.TestMessages.assertSameContent;
import static dev.hearsay.codec.TestMessages.bytes;
import static dev.hearsay.codec.TestMessages.encode;
import static dev.hearsay.codec.TestMessages.nodeId;
import static dev.hearsay.codec.TestMessages.topicId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Exact round trips of every message type with edge values, and the byte layout pinned against the spec. */
class MessageRoundTripTest
{
    private static final int MAX_PAYLOAD = 4096;
    private static final int MAX_PEER_DATA = 512;

    private final MessageDecoder decoder = new MessageDecoder(MAX_PAYLOAD, MAX_PEER_DATA);
    private final Random random = new Random(7);

    /** Edge-value messages of every type; each type appears at least once. */
    private List<Message> edgeCases()
    {
        final List<Message> all = new ArrayList<>();
        final NodeId zeros = nodeId(0x00);
        final NodeId ones = nodeId(0xFF);

        all.add(new Join().set(null).topic(topicId(0x00)));
        all.add(new Join().set(bytes(random, 1)).topic(topicId(0xFF)));
        all.add(new Join().set(bytes(random, MAX_PEER_DATA)).topic(topicId(0x5A)));

        all.add(new ForwardJoin().set(zeros, null, 0).topic(topicId(1)));
        all.add(new ForwardJoin().set(ones, bytes(random, MAX_PEER_DATA), WireFormat.MAX_TTL).topic(topicId(1)));

        all.add(new Neighbor().set(true, null).topic(topicId(2)));
        all.add(new Neighbor().set(false, bytes(random, MAX_PEER_DATA)).topic(topicId(2)));
        all.add(new NeighborReply().set(true, bytes(random, 3)).topic(topicId(3)));
        all.add(new NeighborReply().set(false, null).topic(topicId(3)));

        all.add(new Disconnect().set(true).topic(topicId(4)));
        final Disconnect fullDisconnect = new Disconnect().set(false);
        for (int i = 0; i < Message.MAX_CONTACTS; i++)
        {
            fullDisconnect.contacts().add(nodeId(i), bytes(random, MAX_PEER_DATA));
        }
        all.add(fullDisconnect.topic(topicId(4)));

        all.add(new Shuffle().set(zeros, null, 0).topic(topicId(5)));
        final Shuffle fullShuffle = new Shuffle().set(ones, bytes(random, MAX_PEER_DATA), WireFormat.MAX_TTL);
        for (int i = 0; i < Message.MAX_CONTACTS; i++)
        {
            fullShuffle.contacts().add(nodeId(i), i % 2 == 0 ? null : bytes(random, MAX_PEER_DATA));
        }
        all.add(fullShuffle.topic(topicId(5)));

        all.add(new ShuffleReply().topic(topicId(6)));
        final ShuffleReply reply = new ShuffleReply();
        for (int i = 0; i < Message.MAX_CONTACTS; i++)
        {
            reply.contacts().add(nodeId(255 - i), bytes(random, i));
        }
        all.add(reply.topic(topicId(6)));

        all.add(new Gossip().set(zeros, 0, 0, 0, false).payload(new UnsafeBuffer(new byte[0]), 0, 0)
            .topic(topicId(7)));
        all.add(new Gossip().set(ones, Integer.MIN_VALUE, Long.MIN_VALUE, WireFormat.MAX_HOPS, true)
            .payload(new UnsafeBuffer(bytes(random, MAX_PAYLOAD + 10)), 5, MAX_PAYLOAD).topic(topicId(7)));
        all.add(new Gossip().set(nodeId(9), Integer.MAX_VALUE, Long.MAX_VALUE, 1, false)
            .payload(new UnsafeBuffer(bytes(random, 1)), 0, 1).topic(topicId(7)));
        all.add(new Gossip().set(nodeId(9), -1, -1L, 0, true)
            .payload(new UnsafeBuffer(bytes(random, 100)), 0, 100).topic(topicId(7)));
        all.add(new Gossip().set(nodeId(9), 3, 4, 5, false)
            .payload(new UnsafeBuffer(bytes(random, 0)), 0, 0)
            .signature(new UnsafeBuffer(bytes(random, 64)), 0).topic(topicId(7)));
        all.add(new Gossip().set(nodeId(9), 3, 4, 5, false).repair(true)
            .payload(new UnsafeBuffer(bytes(random, 10)), 0, 10)
            .signature(new UnsafeBuffer(bytes(random, 64)), 0).topic(topicId(7)));
        all.add(new Gossip().set(ones, 3, 4, 5, true)
            .payload(new UnsafeBuffer(bytes(random, MAX_PAYLOAD)), 0, MAX_PAYLOAD)
            .signature(new UnsafeBuffer(bytes(random, 70)), 6).topic(topicId(7)));

        all.add(new IHave().topic(topicId(8)));
        final IHave one = new IHave();
        one.add(ones, Integer.MIN_VALUE, Long.MAX_VALUE, WireFormat.MAX_HOPS);
        all.add(one.topic(topicId(8)));
        final IHave full = new IHave();
        for (int i = 0; i < IHave.MAX_RUNS; i++)
        {
            full.add(nodeId(i), random.nextInt(), random.nextLong(Long.MAX_VALUE), i * 257);
        }
        all.add(full.topic(topicId(8)));
        final IHave longest = new IHave();
        longest.appendRun(ones, 1, Long.MAX_VALUE - IHave.MAX_RUN_LENGTH + 1, IHave.MAX_RUN_LENGTH, 0);
        longest.appendRun(nodeId(2), -1, Long.MIN_VALUE, IHave.MAX_IDS - IHave.MAX_RUN_LENGTH, 1);
        all.add(longest.topic(topicId(8)));

        all.add(new Graft().setNoId().topic(topicId(9)));
        all.add(new Graft().set(zeros, 0, 0, 0).topic(topicId(9)));
        all.add(new Graft().set(ones, Integer.MAX_VALUE, Long.MIN_VALUE, WireFormat.MAX_HOPS).topic(topicId(9)));
        all.add(new Graft().set(nodeId(3), -1, Long.MAX_VALUE - (Graft.MAX_COUNT - 1), Graft.MAX_COUNT, 7)
            .topic(topicId(9)));
        all.add(new Graft().set(nodeId(4), 2, 1, 200_000, 0).topic(topicId(9)));

        all.add(new Prune().topic(topicId(10)));
        return all;
    }

    @Test
    @Timeout(10)
    void everyTypeRoundTripsExactly()
    {
        final Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (final Message m : edgeCases())
        {
            final byte[] frame = encode(m);
            final Message decoded = TestMessages.decode(decoder, frame);
            assertSameContent(m, decoded);
            // The format is canonical: re-encoding what was decoded gives the same bytes.
            assertArrayEquals(frame, encode(decoded), "re-encoding " + m);
            seen.add(m.type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen, "every type covered");
    }

    @Test
    @Timeout(10)
    void roundTripsAtAnOffsetOfASharedBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);
        final MessageEncoder encoder = new MessageEncoder(MAX_PAYLOAD, MAX_PEER_DATA);
        int offset = 3;
        final List<Message> messages = edgeCases();
        final int[] offsets = new int[messages.size()];
        for (int i = 0; i < messages.size(); i++)
        {
            offsets[i] = offset;
            final int written = encoder.encode(messages.get(i), buffer, offset);
            assertEquals(MessageEncoder.encodedLength(messages.get(i)), written);
            offset += written;
        }
        // Decode only after everything is written: no message overwrote its neighbour.
        for (int i = 0; i < messages.size(); i++)
        {
            final int end = i + 1 < messages.size() ? offsets[i + 1] : offset;
            assertSameContent(messages.get(i), decoder.decode(buffer, offsets[i], end - offsets[i]));
        }
    }

    @Test
    @Timeout(10)
    void encodesIntoAnExpandableBuffer()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(8);
        final Message m = edgeCases().stream().filter(x -> x instanceof Shuffle).reduce((a, b) -> b).orElseThrow();
        final int written = new MessageEncoder().encode(m, buffer, 10);
        assertSameContent(m, decoder.decode(buffer, 10, written));
    }

    @Test
    @Timeout(10)
    void gossipLayoutIsLittleEndianAsDocumented()
    {
        final Gossip gossip = new Gossip().set(nodeId(0x22), 0x01020304, 0x0102030405060708L, 0x0102, true);
        gossip.payload(new UnsafeBuffer(new byte[]{'h', 'i'}), 0, 2).topic(topicId(0x11));

        final String expected = "03" + "10" + "11".repeat(32)
            + "01" + "22".repeat(32) + "04030201" + "0807060504030201" + "0201"
            + "02000000" + "6869";
        assertEquals(expected, HexFormat.of().formatHex(encode(gossip)));
    }

    @Test
    @Timeout(10)
    void signedGossipLayoutIsAsDocumented()
    {
        final byte[] signature = new byte[64];
        for (int i = 0; i < signature.length; i++)
        {
            signature[i] = (byte)(0xC0 + (i & 0x0F));
        }
        final Gossip gossip = new Gossip().set(nodeId(0x22), 7, 9, 3, false);
        gossip.payload(new UnsafeBuffer(new byte[]{'h', 'i'}), 0, 2).signature(new UnsafeBuffer(signature), 0)
            .topic(topicId(0x11));

        final String expected = "03" + "10" + "11".repeat(32)
            + "02" + "22".repeat(32) + "07000000" + "0900000000000000" + "0300"
            + "02000000" + "6869" + HexFormat.of().formatHex(signature);
        assertEquals(expected, HexFormat.of().formatHex(encode(gossip)));
        assertEquals(85 + 2 + 64, MessageEncoder.encodedLength(gossip));
    }

    @Test
    @Timeout(10)
    void reusedHolderDropsTheSignatureOnSet()
    {
        final Gossip gossip = new Gossip().set(nodeId(1), 1, 1, 0, false);
        gossip.payload(new UnsafeBuffer(new byte[]{1}), 0, 1).signature(new UnsafeBuffer(new byte[64]), 0);
        gossip.set(nodeId(2), 1, 2, 0, false);
        assertEquals(false, gossip.signed(), "a reused holder must not carry the previous message's signature");
        gossip.topic(topicId(1));
        assertEquals(85 + 1, encode(gossip).length);
    }

    @Test
    @Timeout(10)
    void membershipLayoutsAreAsDocumented()
    {
        final Join join = new Join().set(new byte[]{(byte)0xAA, (byte)0xBB, (byte)0xCC});
        join.topic(topicId(0x11));
        assertEquals("03" + "01" + "11".repeat(32) + "0300" + "aabbcc", HexFormat.of().formatHex(encode(join)));

        final Shuffle shuffle = new Shuffle().set(nodeId(0x33), new byte[]{7}, 6);
        shuffle.contacts().add(nodeId(0x44), null);
        shuffle.contacts().add(nodeId(0x55), new byte[]{1, 2});
        shuffle.topic(topicId(0x11));
        assertEquals("03" + "06" + "11".repeat(32) + "33".repeat(32) + "06" + "0100" + "07"
            + "02" + "44".repeat(32) + "0000" + "55".repeat(32) + "0200" + "0102",
            HexFormat.of().formatHex(encode(shuffle)));

        final Graft edgeOnly = new Graft().setNoId();
        edgeOnly.topic(topicId(0x11));
        assertEquals("03" + "12" + "11".repeat(32) + "00", HexFormat.of().formatHex(encode(edgeOnly)));
        // A range: the id entry of its first message, then the count (u32).
        final Graft range = new Graft().set(nodeId(0x22), 3, 0x0102, 0x030201, 4);
        range.topic(topicId(0x11));
        assertEquals("03" + "12" + "11".repeat(32) + "01" + "22".repeat(32) + "03000000" + "0201000000000000"
            + "0400" + "01020300", HexFormat.of().formatHex(encode(range)));

        final IHave ihave = new IHave();
        ihave.add(nodeId(0x66), 5, 6, 7);
        ihave.add(nodeId(0x66), 5, 7, 7);
        ihave.add(nodeId(0x66), 5, 8, 7);
        ihave.topic(topicId(0x11));
        // One run: sequences 6, 7 and 8 of author 0x66's epoch 5, all at hop count 7.
        assertEquals("03" + "11" + "11".repeat(32) + "0100" + "66".repeat(32) + "05000000" + "0600000000000000"
            + "0700" + "0300", HexFormat.of().formatHex(encode(ihave)));
    }

    @Test
    @Timeout(10)
    void decoderReusesOneHolderPerType()
    {
        final Gossip a = new Gossip().set(nodeId(1), 1, 1, 0, false);
        a.payload(new UnsafeBuffer(new byte[]{1}), 0, 1).topic(topicId(1));
        final Gossip b = new Gossip().set(nodeId(2), 2, 2, 3, true);
        b.payload(new UnsafeBuffer(new byte[]{2, 2}), 0, 2).topic(topicId(2));

        final Message first = TestMessages.decode(decoder, encode(a));
        final Message second = TestMessages.decode(decoder, encode(b));
        assertSame(first, second, "one Gossip holder");
        assertSameContent(b, second);

        final Message prune = TestMessages.decode(decoder, encode(new Prune().topic(topicId(3))));
        assertSame(prune, TestMessages.decode(decoder, encode(new Prune().topic(topicId(4)))));
    }

    @Test
    @Timeout(10)
    void decodedContactListsDoNotLeakFromThePreviousMessage()
    {
        final ShuffleReply big = new ShuffleReply();
        for (int i = 0; i < 10; i++)
        {
            big.contacts().add(nodeId(i), new byte[]{(byte)i});
        }
        big.topic(topicId(1));
        final ShuffleReply small = new ShuffleReply();
        small.contacts().add(nodeId(99), null);
        small.topic(topicId(1));

        TestMessages.decode(decoder, encode(big));
        assertSameContent(small, TestMessages.decode(decoder, encode(small)));

        final IHave many = new IHave();
        for (int i = 0; i < 20; i++)
        {
            many.add(nodeId(i), i, i, i);
        }
        many.topic(topicId(1));
        final IHave none = new IHave();
        none.topic(topicId(1));
        TestMessages.decode(decoder, encode(many));
        assertEquals(0, ((IHave)TestMessages.decode(decoder, encode(none))).size());

        final Graft withId = new Graft().set(nodeId(1), 1, 1, 1);
        withId.topic(topicId(1));
        final Graft noId = new Graft().setNoId();
        noId.topic(topicId(1));
        TestMessages.decode(decoder, encode(withId));
        assertSameContent(noId, TestMessages.decode(decoder, encode(noId)));
    }

    @Test
    @Timeout(10)
    void gossipPayloadIsAViewOfTheDecodedBuffer()
    {
        final Gossip gossip = new Gossip().set(nodeId(1), 1, 1, 0, false);
        gossip.payload(new UnsafeBuffer(new byte[]{10, 20, 30}), 0, 3).topic(topicId(1));
        final byte[] frame = encode(gossip);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final Gossip decoded = (Gossip)decoder.decode(buffer, 0, frame.length);
        final int payloadAt = frame.length - 3;

        // Writing into the frame shows through the payload: it was not copied.
        frame[payloadAt + 1] = 99;
        assertEquals(99, decoded.payloadBuffer().getByte(decoded.payloadOffset() + 1));
        assertEquals(3, decoded.payloadLength());
    }
}
