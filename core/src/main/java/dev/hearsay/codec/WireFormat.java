package dev.hearsay.codec;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;

import java.nio.ByteOrder;

/**
 * Constants of the Hearsay wire format, version 3 (described byte by byte in {@code docs/wire-format.md}). Every
 * message starts with a fixed header (version, type, topic); integers are little-endian; ids are their 32 raw bytes.
 */
public final class WireFormat
{
    /**
     * The only version this codec writes and reads. Version 2 changed IHave from a list of ids to runs of
     * consecutive sequences; version 3 changed Graft from one id to a range of them (a count follows the id). A
     * node of an earlier version's frames are refused (and it refuses ours) as a bad version.
     */
    public static final int VERSION = 3;

    /** Byte order of every multi-byte integer field. Little-endian is the native order of x86 and ARM. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 0;

    /** Offset of the message type byte ({@link dev.hearsay.proto.MessageType#code()}). */
    public static final int TYPE_OFFSET = 1;

    /** Offset of the 32-byte topic id. */
    public static final int TOPIC_OFFSET = 2;

    /** Length of the header every message starts with: version, type, topic. */
    public static final int HEADER_LENGTH = TOPIC_OFFSET + TopicId.LENGTH;

    /** Gossip flag bit: Neighbors-scope broadcast, never forwarded. */
    public static final int FLAG_NEIGHBORS_ONLY = 0x01;

    /**
     * Gossip flag bit: the author's 64-byte Ed25519 signature follows the payload. Only sent when signing is
     * configured (network-wide), because a node of an earlier build rejects the bit.
     */
    public static final int FLAG_SIGNED = 0x02;

    /**
     * Gossip flag bit: the author signed a batch of its messages at once, and a batch proof follows the payload:
     * the 64-byte Ed25519 signature of the batch's Merkle root, the proof depth d (u8, 1 to
     * {@link #MAX_BATCH_PROOF_DEPTH}), the sides (u8, bit i set when the i-th sibling is the left one) and d
     * 32-byte sibling hashes, leaf upwards (docs/wire-format.md, "Batch signatures"). Never set together with
     * {@link #FLAG_SIGNED}.
     */
    public static final int FLAG_BATCH_SIGNED = 0x04;

    /**
     * Gossip flag bit: a repair copy, pushed over a link that may be lazy because a tree edge on the message's way
     * failed; its receiver passes it on the same way ({@link dev.hearsay.GossipConfig#repairPush()}). Changed by every
     * forwarder, like the hop count, so not signed. Never set together with {@link #FLAG_NEIGHBORS_ONLY}.
     */
    public static final int FLAG_REPAIR = 0x08;

    /** Gossip flag bits this decoder accepts; any other bit set is rejected. */
    public static final int KNOWN_GOSSIP_FLAGS = FLAG_NEIGHBORS_ONLY | FLAG_SIGNED | FLAG_BATCH_SIGNED | FLAG_REPAIR;

    /** Bytes of the optional Gossip signature trailer (an Ed25519 signature). */
    public static final int SIGNATURE_LENGTH = dev.hearsay.proto.Gossip.SIGNATURE_LENGTH;

    /** Bytes of a batch proof before its sibling hashes: the root's signature, the depth and the sides. */
    public static final int BATCH_PROOF_FIXED_LENGTH = SIGNATURE_LENGTH + 2;

    /** Bytes of one sibling hash in a batch proof (SHA-256). */
    public static final int BATCH_PROOF_HASH_LENGTH = 32;

    /** Deepest batch proof the format carries: batches of up to 256 messages (the sides fit one byte). */
    public static final int MAX_BATCH_PROOF_DEPTH = 8;

    /** Bytes of the longest signature trailer: a batch proof of the greatest depth. */
    public static final int MAX_SIGNATURE_TRAILER_LENGTH = BATCH_PROOF_FIXED_LENGTH
        + MAX_BATCH_PROOF_DEPTH * BATCH_PROOF_HASH_LENGTH;

    /** Largest hop count (unsigned 16-bit field). */
    public static final int MAX_HOPS = 0xFFFF;

    /** Largest random walk time-to-live (unsigned 8-bit field). */
    public static final int MAX_TTL = 0xFF;

    /** Largest contact data the format can carry (unsigned 16-bit length). */
    public static final int MAX_DATA_LENGTH = 0xFFFF;

    /** Bytes of a length-prefixed contact data field without its data. */
    public static final int DATA_PREFIX_LENGTH = 2;

    /** Bytes of one contact without its data: id and data length. */
    public static final int CONTACT_FIXED_LENGTH = NodeId.LENGTH + DATA_PREFIX_LENGTH;

    /** Bytes of a contact list's count field. */
    public static final int CONTACT_COUNT_LENGTH = 1;

    /** Bytes of a message id with its hop count: author, epoch (i32), sequence (i64), hops (u16). */
    public static final int ID_ENTRY_LENGTH = NodeId.LENGTH + 4 + 8 + 2;

    /** Bytes of an IHave's run count field. */
    public static final int IHAVE_COUNT_LENGTH = 2;

    /** Bytes of one IHave run: the id entry of its first message, then its id count (u16, 1..65535). */
    public static final int RUN_ENTRY_LENGTH = ID_ENTRY_LENGTH + 2;

    /** Bytes of the id count (u32) that follows a Graft's first id. */
    public static final int GRAFT_COUNT_LENGTH = 4;

    /** Bytes of a Gossip body before its payload: flags, id entry, payload length (u32). */
    public static final int GOSSIP_FIXED_LENGTH = 1 + ID_ENTRY_LENGTH + 4;

    /** Largest payload length the format can carry while the whole message, signed, still fits in an int. */
    public static final int MAX_PAYLOAD_LENGTH = Integer.MAX_VALUE - HEADER_LENGTH - GOSSIP_FIXED_LENGTH
        - MAX_SIGNATURE_TRAILER_LENGTH;

    /** Bytes of a batch proof of {@code depth} sibling hashes. */
    public static int batchProofLength(final int depth)
    {
        return BATCH_PROOF_FIXED_LENGTH + depth * BATCH_PROOF_HASH_LENGTH;
    }

    private WireFormat()
    {
    }
}
