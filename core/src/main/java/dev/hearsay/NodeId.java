package dev.hearsay;

import org.agrona.DirectBuffer;

/**
 * Identity of a node: its 32-byte Ed25519 public key. Immutable; equality and hash by value.
 */
public final class NodeId extends Id32Value implements Comparable<NodeId>
{
    /** Encoded length in bytes. */
    public static final int LENGTH = Id32.LENGTH;

    private NodeId(final long w0, final long w1, final long w2, final long w3)
    {
        super(w0, w1, w2, w3);
    }

    /** The id whose bytes are {@code key32} (copied). */
    public static NodeId fromBytes(final byte[] key32)
    {
        Id32.checkLength(key32, "NodeId");
        return new NodeId(Id32.word(key32, 0), Id32.word(key32, 1), Id32.word(key32, 2), Id32.word(key32, 3));
    }

    /** Reads an id from 32 bytes of {@code buffer} at {@code offset}. */
    public static NodeId read(final DirectBuffer buffer, final int offset)
    {
        return new NodeId(Id32.word(buffer, offset, 0), Id32.word(buffer, offset, 1), Id32.word(buffer, offset, 2),
            Id32.word(buffer, offset, 3));
    }

    /** Parses the 64-character lowercase or uppercase hex form. */
    public static NodeId parse(final String hex)
    {
        return fromBytes(Id32.parseHex(hex, "NodeId"));
    }

    /** Hash that {@link #hashCode()} would give for the id stored at {@code offset}; no allocation. */
    public static int hashAt(final DirectBuffer buffer, final int offset)
    {
        return Id32.hash(Id32.word(buffer, offset, 0), Id32.word(buffer, offset, 1), Id32.word(buffer, offset, 2),
            Id32.word(buffer, offset, 3));
    }

    @Override
    public int compareTo(final NodeId o)
    {
        return compareWords(o);
    }
}
