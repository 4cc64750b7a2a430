package dev.hearsay;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Identity of a node: its 32-byte Ed25519 public key. Immutable; equality and hash by value.
 */
public final class NodeId implements Comparable<NodeId>
{
    /** Encoded length in bytes. */
    public static final int LENGTH = Id32.LENGTH;

    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;
    private final int hash;

    private NodeId(final long w0, final long w1, final long w2, final long w3)
    {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
        this.hash = Id32.hash(w0, w1, w2, w3);
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

    /** True if the 32 bytes at {@code offset} equal this id; no allocation. */
    public boolean matches(final DirectBuffer buffer, final int offset)
    {
        return w0 == Id32.word(buffer, offset, 0) && w1 == Id32.word(buffer, offset, 1)
            && w2 == Id32.word(buffer, offset, 2) && w3 == Id32.word(buffer, offset, 3);
    }

    /** Hash that {@link #hashCode()} would give for the id stored at {@code offset}; no allocation. */
    public static int hashAt(final DirectBuffer buffer, final int offset)
    {
        return Id32.hash(Id32.word(buffer, offset, 0), Id32.word(buffer, offset, 1), Id32.word(buffer, offset, 2),
            Id32.word(buffer, offset, 3));
    }

    /** Writes the 32 bytes at {@code offset}. */
    public void write(final MutableDirectBuffer buffer, final int offset)
    {
        Id32.put(buffer, offset, w0, w1, w2, w3);
    }

    /** A fresh copy of the 32 key bytes. */
    public byte[] toBytes()
    {
        return Id32.toBytes(w0, w1, w2, w3);
    }

    /** First eight bytes as a long, handy for logs and seeds. */
    public long prefix()
    {
        return w0;
    }

    /** Short form for logs: first 10 hex characters. */
    public String shortString()
    {
        return toString().substring(0, 10);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof NodeId))
        {
            return false;
        }
        final NodeId other = (NodeId)o;
        return w0 == other.w0 && w1 == other.w1 && w2 == other.w2 && w3 == other.w3;
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public int compareTo(final NodeId o)
    {
        int c = Long.compareUnsigned(w0, o.w0);
        if (c == 0)
        {
            c = Long.compareUnsigned(w1, o.w1);
        }
        if (c == 0)
        {
            c = Long.compareUnsigned(w2, o.w2);
        }
        if (c == 0)
        {
            c = Long.compareUnsigned(w3, o.w3);
        }
        return c;
    }

    /** Lowercase hex, 64 characters. */
    @Override
    public String toString()
    {
        return Id32.toHex(w0, w1, w2, w3);
    }
}
