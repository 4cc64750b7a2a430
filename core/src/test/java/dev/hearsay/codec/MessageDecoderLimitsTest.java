package dev.hearsay.codec;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.codec.DecodeException.Reason;
import dev.hearsay.proto.Disconnect;
import dev.hearsay.proto.ForwardJoin;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.Neighbor;
import dev.hearsay.proto.NeighborReply;
import dev.hearsay.proto.Prune;
import dev.hearsay.proto.Shuffle;
import dev.hearsay.proto.ShuffleReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static dev.hearsay.codec.TestMessages.encode;
import static dev.hearsay.codec.TestMessages.nodeId;
import static dev.hearsay.codec.TestMessages.topicId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every limit and every malformed field is rejected with the right reason, cheaply and without allocating. */
class MessageDecoderLimitsTest
{
    private static final int MAX_PAYLOAD = 4096;
    private static final int MAX_PEER_DATA = 512;
    /** Offset of the Gossip payload length field: header, flags, id entry. */
    private static final int GOSSIP_LENGTH_AT = WireFormat.HEADER_LENGTH + 1 + WireFormat.ID_ENTRY_LENGTH;
    private static final int BODY = WireFormat.HEADER_LENGTH;

    private final MessageDecoder decoder = new MessageDecoder(MAX_PAYLOAD, MAX_PEER_DATA);
    /** Writes what the strict decoder must refuse. */
    private final MessageEncoder permissive = new MessageEncoder();

    private static Reason reject(final MessageDecoder decoder, final byte[] frame)
    {
        return assertThrows(DecodeException.class, () -> TestMessages.decode(decoder, frame)).reason();
    }

    private Reason reject(final byte[] frame)
    {
        return reject(decoder, frame);
    }

    private byte[] encodePermissive(final Message message)
    {
        final byte[] out = new byte[MessageEncoder.encodedLength(message)];
        permissive.encode(message, new UnsafeBuffer(out), 0);
        return out;
    }

    private static Gossip gossip(final int payloadLength)
    {
        final Gossip g = new Gossip().set(nodeId(1), 2, 3, 4, false);
        g.payload(new UnsafeBuffer(new byte[Math.max(1, payloadLength)]), 0, payloadLength).topic(topicId(1));
        return g;
    }

    private static void putInt(final byte[] frame, final int at, final int value)
    {
        new UnsafeBuffer(frame).putInt(at, value, WireFormat.BYTE_ORDER);
    }

    private static void putShort(final byte[] frame, final int at, final int value)
    {
        new UnsafeBuffer(frame).putShort(at, (short)value, WireFormat.BYTE_ORDER);
    }

    @Test
    @Timeout(10)
    void hugeDeclaredPayloadLengthIsRejectedWithoutAllocating()
    {
        final byte[] frame = encode(gossip(8));
        putInt(frame, GOSSIP_LENGTH_AT, 0x7FFFFFFF);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));
        putInt(frame, GOSSIP_LENGTH_AT, 0xFFFFFFFF);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));
        putInt(frame, GOSSIP_LENGTH_AT, 0x80000000);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));

        // A decoder allowing any payload still refuses a length longer than the frame.
        final MessageDecoder unlimited = new MessageDecoder(WireFormat.MAX_PAYLOAD_LENGTH, WireFormat.MAX_DATA_LENGTH);
        putInt(frame, GOSSIP_LENGTH_AT, WireFormat.MAX_PAYLOAD_LENGTH);
        assertEquals(Reason.TRUNCATED, reject(unlimited, frame));

        assumeTrue(TestMessages.canMeasureAllocation());
        putInt(frame, GOSSIP_LENGTH_AT, 0x7FFFFFFF);
        final long before = TestMessages.allocatedBytes();
        for (int i = 0; i < 100; i++)
        {
            reject(frame);
        }
        // Each rejection costs an exception and its message (well under 1 KiB), never a buffer of the declared size.
        final long allocated = TestMessages.allocatedBytes() - before;
        assertTrue(allocated < 100 * 4096, "allocated " + allocated + " bytes for 100 rejections");
    }

    @Test
    @Timeout(10)
    void hugeDeclaredContactDataIsRejectedBeforeAllocating()
    {
        final byte[] frame = encode(new Join().set(new byte[3]).topic(topicId(1)));
        putShort(frame, BODY, 0xFFFF);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));

        // Within the limit but longer than the frame: checked against the remaining bytes before the array exists.
        final MessageDecoder generous = new MessageDecoder(MAX_PAYLOAD, WireFormat.MAX_DATA_LENGTH);
        assertEquals(Reason.TRUNCATED, reject(generous, frame));

        assumeTrue(TestMessages.canMeasureAllocation());
        reject(generous, frame);
        final long before = TestMessages.allocatedBytes();
        for (int i = 0; i < 100; i++)
        {
            reject(generous, frame);
        }
        final long allocated = TestMessages.allocatedBytes() - before;
        assertTrue(allocated < 100 * 4096, "allocated " + allocated + " bytes; a 64 KiB array per call would be "
            + 100 * 65535);
    }

    @Test
    @Timeout(10)
    void payloadOverMaxPayloadIsRejected()
    {
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(encodePermissive(gossip(MAX_PAYLOAD + 1))));
        assertEquals(MAX_PAYLOAD, ((Gossip)TestMessages.decode(decoder, encode(gossip(MAX_PAYLOAD)))).payloadLength());

        final MessageDecoder fromConfig = new MessageDecoder(GossipConfig.builder().maxMessageSize(100).build());
        assertEquals(100, fromConfig.maxPayload());
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(fromConfig, encodePermissive(gossip(101))));
    }

    @Test
    @Timeout(10)
    void contactDataOverMaxPeerDataIsRejectedInEveryField()
    {
        final byte[] big = new byte[MAX_PEER_DATA + 1];
        final Shuffle bigContact = new Shuffle().set(nodeId(1), null, 3);
        bigContact.contacts().add(nodeId(2), null);
        bigContact.contacts().add(nodeId(3), big);
        final Disconnect bigDisconnect = new Disconnect().set(true);
        bigDisconnect.contacts().add(nodeId(2), big);
        final ShuffleReply bigReply = new ShuffleReply();
        bigReply.contacts().add(nodeId(2), big);
        final Message[] messages = {
            new Join().set(big),
            new ForwardJoin().set(nodeId(1), big, 1),
            new Neighbor().set(true, big),
            new NeighborReply().set(false, big),
            new Shuffle().set(nodeId(1), big, 1),
            bigContact,
            bigDisconnect,
            bigReply,
        };
        for (final Message m : messages)
        {
            m.topic(topicId(1));
            assertEquals(Reason.LENGTH_OVER_LIMIT, reject(encodePermissive(m)), m.toString());
        }

        final MessageDecoder noData = new MessageDecoder(GossipConfig.builder().maxPeerDataSize(0).build());
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(noData, encode(new Join().set(new byte[1]).topic(topicId(1)))));
    }

    @Test
    @Timeout(10)
    void tooManyContactsAreRejected()
    {
        // ContactList cannot hold 65, so append a 65th contact by hand and raise the count.
        final ShuffleReply full = new ShuffleReply();
        for (int i = 0; i < Message.MAX_CONTACTS; i++)
        {
            full.contacts().add(nodeId(i), null);
        }
        full.topic(topicId(1));
        final byte[] valid = encode(full);
        final byte[] frame = Arrays.copyOf(valid, valid.length + WireFormat.CONTACT_FIXED_LENGTH);
        Arrays.fill(frame, valid.length, valid.length + 32, (byte)0x77);
        frame[BODY] = (byte)(Message.MAX_CONTACTS + 1);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));

        frame[BODY] = (byte)0xFF;
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));

        // The same count check guards Disconnect (count after the alive byte) and Shuffle.
        final byte[] disconnect = encode(new Disconnect().set(true).topic(topicId(1)));
        disconnect[BODY + 1] = (byte)(Message.MAX_CONTACTS + 1);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(disconnect));

        // A count within the limit that the frame cannot hold is truncation.
        valid[BODY] = (byte)Message.MAX_CONTACTS;
        assertEquals(Reason.TRUNCATED, reject(Arrays.copyOf(valid, BODY + 1 + 40)));
    }

    @Test
    @Timeout(10)
    void tooManyIHaveRunsAreRejected()
    {
        final IHave full = new IHave();
        for (int i = 0; i < IHave.MAX_RUNS; i++)
        {
            full.add(nodeId(i), i, i, i);
        }
        full.topic(topicId(1));
        final byte[] valid = encode(full);
        final byte[] frame = Arrays.copyOf(valid, valid.length + WireFormat.RUN_ENTRY_LENGTH);
        putShort(frame, BODY, IHave.MAX_RUNS + 1);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));
        putShort(frame, BODY, 0xFFFF);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(frame));
        putShort(valid, BODY, IHave.MAX_RUNS - 1);
        assertEquals(Reason.TRAILING_BYTES, reject(valid));
    }

    @Test
    @Timeout(10)
    void graftRangesMustHoldOneIdOrMoreWithinTheLimitsOfCountAndSequence()
    {
        final int countAt = BODY + 1 + WireFormat.ID_ENTRY_LENGTH;
        final int sequenceAt = BODY + 1 + NodeId.LENGTH + 4;

        final byte[] range = encode(new Graft().set(nodeId(1), 1, 100, Graft.MAX_COUNT, 1).topic(topicId(1)));
        assertEquals(countAt + WireFormat.GRAFT_COUNT_LENGTH, range.length);
        assertEquals(Graft.MAX_COUNT, ((Graft)TestMessages.decode(decoder, range)).count());
        putInt(range, countAt, 0);
        assertEquals(Reason.BAD_FIELD, reject(range), "a range of no ids");
        putInt(range, countAt, Graft.MAX_COUNT + 1);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(range));
        putInt(range, countAt, -1);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(range), "2^32 - 1 read as unsigned");

        final byte[] last = encode(new Graft().set(nodeId(1), 1, Long.MAX_VALUE - 4, 5, 1).topic(topicId(1)));
        assertEquals(Long.MAX_VALUE, ((Graft)TestMessages.decode(decoder, last)).lastSequence());
        new UnsafeBuffer(last).putLong(sequenceAt, Long.MAX_VALUE - 3, WireFormat.BYTE_ORDER);
        assertEquals(Reason.BAD_FIELD, reject(last), "a range passing the largest sequence");
        assertEquals(Reason.TRUNCATED, reject(Arrays.copyOf(last, last.length - 1)));
    }

    @Test
    @Timeout(10)
    void ihaveRunsMustHoldOneIdOrMoreWithinTheLimitsOfSequenceAndTotal()
    {
        final int countAt = BODY + WireFormat.IHAVE_COUNT_LENGTH + WireFormat.ID_ENTRY_LENGTH;
        final int sequenceAt = BODY + WireFormat.IHAVE_COUNT_LENGTH + NodeId.LENGTH + 4;

        final IHave one = new IHave();
        one.appendRun(nodeId(1), 1, 100, 5, 1);
        final byte[] empty = encode(one.topic(topicId(1)));
        putShort(empty, countAt, 0);
        assertEquals(Reason.BAD_FIELD, reject(empty));

        final IHave last = new IHave();
        last.appendRun(nodeId(1), 1, Long.MAX_VALUE - 4, 5, 1);
        final byte[] passing = encode(last.topic(topicId(1)));
        assertEquals(5, ((IHave)TestMessages.decode(decoder, passing)).count(0));
        new UnsafeBuffer(passing).putLong(sequenceAt, Long.MAX_VALUE - 3, WireFormat.BYTE_ORDER);
        assertEquals(Reason.BAD_FIELD, reject(passing));

        // Two runs of 65,535 ids: 65,536 in all is the limit, one more is over it.
        final IHave two = new IHave();
        two.appendRun(nodeId(1), 1, 1, IHave.MAX_RUN_LENGTH, 1);
        two.appendRun(nodeId(2), 1, 1, 1, 1);
        final byte[] atLimit = encode(two.topic(topicId(1)));
        assertEquals(IHave.MAX_IDS, ((IHave)TestMessages.decode(decoder, atLimit)).idCount());
        putShort(atLimit, countAt + WireFormat.RUN_ENTRY_LENGTH, 2);
        assertEquals(Reason.LENGTH_OVER_LIMIT, reject(atLimit));
    }

    @Test
    @Timeout(10)
    void booleansOtherThanZeroOrOneAreBadFields()
    {
        final Message[] messages = {
            new Neighbor().set(true, null),
            new NeighborReply().set(true, new byte[2]),
            new Disconnect().set(false),
            new Graft().setNoId(),
            new Graft().set(nodeId(1), 1, 1, 1),
        };
        for (final Message m : messages)
        {
            m.topic(topicId(1));
            final byte[] frame = encode(m);
            for (final int bad : new int[]{2, 3, 0x7F, 0x80, 0xFF})
            {
                frame[BODY] = (byte)bad;
                final DecodeException e = assertThrows(
                    DecodeException.class, () -> TestMessages.decode(decoder, frame));
                assertEquals(Reason.BAD_FIELD, e.reason(), m + " with boolean " + bad);
                assertTrue(e.getMessage().contains("offset " + BODY), e.getMessage());
            }
        }
    }

    @Test
    @Timeout(10)
    void reservedGossipFlagBitsAreBadFields()
    {
        final byte[] frame = encode(gossip(3));
        // Bit 1 announces a signature trailer, which this frame lacks.
        frame[BODY] = (byte)WireFormat.FLAG_SIGNED;
        assertEquals(Reason.TRUNCATED, reject(frame), "signed flag without a signature");
        // Bit 2 announces a batch proof, which this frame lacks too.
        frame[BODY] = (byte)WireFormat.FLAG_BATCH_SIGNED;
        assertEquals(Reason.TRUNCATED, reject(frame), "batch-signed flag without a proof");
        frame[BODY] = (byte)(WireFormat.FLAG_SIGNED | WireFormat.FLAG_BATCH_SIGNED);
        assertEquals(Reason.BAD_FIELD, reject(frame), "signed and batch-signed at once");
        // Bit 3 marks a repair copy: meaningless on a Neighbors-scope message, which is never forwarded.
        frame[BODY] = (byte)WireFormat.FLAG_REPAIR;
        final Gossip repair = (Gossip)TestMessages.decode(decoder, frame);
        assertTrue(repair.repair() && !repair.neighborsOnly());
        frame[BODY] = (byte)(WireFormat.FLAG_REPAIR | WireFormat.FLAG_NEIGHBORS_ONLY);
        assertEquals(Reason.BAD_FIELD, reject(frame), "repair with neighborsOnly");
        for (int bit = 4; bit < 8; bit++)
        {
            frame[BODY] = (byte)(1 << bit);
            assertEquals(Reason.BAD_FIELD, reject(frame), "flag bit " + bit);
            frame[BODY] = (byte)((1 << bit) | WireFormat.FLAG_NEIGHBORS_ONLY);
            assertEquals(Reason.BAD_FIELD, reject(frame), "flag bit " + bit + " with neighborsOnly");
        }
        frame[BODY] = (byte)WireFormat.FLAG_NEIGHBORS_ONLY;
        final Gossip neighbors = (Gossip)TestMessages.decode(decoder, frame);
        assertTrue(neighbors.neighborsOnly() && !neighbors.repair());
    }

    @Test
    @Timeout(10)
    void batchProofLengthFollowsItsDepth()
    {
        for (int depth = 1; depth <= WireFormat.MAX_BATCH_PROOF_DEPTH; depth++)
        {
            final byte[] proof = new byte[WireFormat.batchProofLength(depth)];
            proof[WireFormat.SIGNATURE_LENGTH] = (byte)depth;
            final byte[] frame = encode(gossip(5).signature(new UnsafeBuffer(proof), 0, proof.length));
            assertEquals(85 + 5 + 66 + 32 * depth, frame.length);
            final Gossip decoded = (Gossip)TestMessages.decode(decoder, frame);
            assertTrue(decoded.batchSigned(), "depth " + depth);
            assertEquals(proof.length, decoded.signatureLength());
            assertEquals(Reason.TRUNCATED, reject(java.util.Arrays.copyOf(frame, frame.length - 1)), "depth " + depth);
            assertEquals(Reason.TRAILING_BYTES, reject(java.util.Arrays.copyOf(frame, frame.length + 1)));
            // The depth is read from the proof: one more than its hashes needs 32 bytes more.
            frame[85 + 5 + WireFormat.SIGNATURE_LENGTH] = (byte)(depth + 1);
            assertEquals(depth < WireFormat.MAX_BATCH_PROOF_DEPTH ? Reason.TRUNCATED : Reason.LENGTH_OVER_LIMIT,
                reject(frame), "depth " + (depth + 1) + " with the hashes of " + depth);
        }
        final byte[] proof = new byte[WireFormat.batchProofLength(1)];
        final byte[] frame = encode(gossip(5).signature(new UnsafeBuffer(proof), 0, proof.length));
        assertEquals(Reason.BAD_FIELD, reject(frame), "depth 0");
    }

    @Test
    @Timeout(10)
    void signatureTrailerMustBeExactlySixtyFourBytes()
    {
        final Gossip signed = gossip(5).signature(new UnsafeBuffer(new byte[64]), 0);
        final byte[] frame = encode(signed);
        assertEquals(85 + 5 + 64, frame.length);
        assertTrue(((Gossip)TestMessages.decode(decoder, frame)).signed());
        assertEquals(Reason.TRUNCATED, reject(java.util.Arrays.copyOf(frame, frame.length - 1)));
        assertEquals(Reason.TRAILING_BYTES, reject(java.util.Arrays.copyOf(frame, frame.length + 1)));
        // The same bytes without the flag: the signature is trailing garbage.
        frame[BODY] = 0;
        assertEquals(Reason.TRAILING_BYTES, reject(frame));
    }

    @Test
    @Timeout(10)
    void versionAndTypeAreChecked()
    {
        final byte[] frame = encode(new Prune().topic(topicId(1)));
        // 1: the layout before IHave runs; 2: before Graft ranges.
        for (final int version : new int[]{0, 1, 2, 4, 0x7F, 0xFF})
        {
            frame[WireFormat.VERSION_OFFSET] = (byte)version;
            assertEquals(Reason.BAD_VERSION, reject(frame), "version " + version);
        }
        // The version is checked first: a frame of a later version need not share this header.
        assertEquals(Reason.BAD_VERSION, reject(new byte[]{4}));

        frame[WireFormat.VERSION_OFFSET] = (byte)WireFormat.VERSION;
        for (final int type : new int[]{0, 8, 15, 20, 31, 32, 0x80, 0xFF})
        {
            frame[WireFormat.TYPE_OFFSET] = (byte)type;
            assertEquals(Reason.UNKNOWN_TYPE, reject(frame), "type " + type);
        }
    }

    @Test
    @Timeout(10)
    void shortAndLongFramesAreRejected()
    {
        assertEquals(Reason.TRUNCATED, reject(new byte[0]));
        assertEquals(Reason.TRUNCATED, reject(new byte[]{WireFormat.VERSION}));
        assertEquals(Reason.TRUNCATED, reject(new byte[]{WireFormat.VERSION, 19, 0}));
        final byte[] prune = encode(new Prune().topic(topicId(1)));
        assertEquals(WireFormat.HEADER_LENGTH, prune.length);
        assertEquals(Reason.TRAILING_BYTES, reject(Arrays.copyOf(prune, prune.length + 1)));

        // A Graft that asks for no message carries nothing more.
        final byte[] graft = encode(new Graft().setNoId().topic(topicId(1)));
        assertEquals(Reason.TRAILING_BYTES, reject(Arrays.copyOf(graft, graft.length + WireFormat.ID_ENTRY_LENGTH)));
    }

    @Test
    @Timeout(10)
    void exceptionIsCheapAndDescriptive()
    {
        final byte[] frame = encode(gossip(8));
        putInt(frame, GOSSIP_LENGTH_AT, 0x7FFFFFFF);
        final DecodeException e = assertThrows(DecodeException.class, () -> TestMessages.decode(decoder, frame));
        assertEquals(0, e.getStackTrace().length, "no stack trace");
        assertEquals(
            "LENGTH_OVER_LIMIT: GOSSIP payload length 2147483647 exceeds the limit 4096 at offset " + GOSSIP_LENGTH_AT,
            e.getMessage());

        putInt(frame, GOSSIP_LENGTH_AT, 0xFFFFFFFF);
        final DecodeException unsigned = assertThrows(
            DecodeException.class, () -> TestMessages.decode(decoder, frame));
        assertTrue(unsigned.getMessage().contains("4294967295"), "length shown unsigned: " + unsigned.getMessage());
    }

    @Test
    @Timeout(10)
    void callerErrorsAreIllegalArguments()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[40]);
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(buffer, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(buffer, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(buffer, 35, 10));
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(buffer, Integer.MAX_VALUE, 10));
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new MessageDecoder(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MessageDecoder(0, 65536));
        assertThrows(IllegalArgumentException.class, () -> new MessageDecoder(10, 10, 0, 1));
    }
}
