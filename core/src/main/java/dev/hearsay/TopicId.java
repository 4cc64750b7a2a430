package dev.hearsay;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Identity of a topic: 32 bytes, usually the SHA-256 of its name. Immutable; equality and hash by value.
 */
public final class TopicId implements Comparable<TopicId>
{
    /** Encoded length in bytes. */
    public static final int LENGTH = Id32.LENGTH;

    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;
    private final int hash;

    private TopicId(final long w0, final long w1, final long w2, final long w3)
    {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
        this.hash = Id32.hash(w0, w1, w2, w3);
    }

    /** The topic whose id is the SHA-256 of the UTF-8 bytes of {@code name}. */
    public static TopicId of(final String name)
    {
        if (name == null)
        {
            throw new IllegalArgumentException("topic name: null");
        }
        try
        {
            final java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            return fromBytes(sha.digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        catch (final java.security.NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The id whose bytes are {@code id32} (copied). */
    public static TopicId fromBytes(final byte[] id32)
    {
        Id32.checkLength(id32, "TopicId");
        return new TopicId(Id32.word(id32, 0), Id32.word(id32, 1), Id32.word(id32, 2), Id32.word(id32, 3));
    }

    /** Reads an id from 32 bytes of {@code buffer} at {@code offset}. */
    public static TopicId read(final DirectBuffer buffer, final int offset)
    {
        return new TopicId(Id32.word(buffer, offset, 0), Id32.word(buffer, offset, 1), Id32.word(buffer, offset, 2),
            Id32.word(buffer, offset, 3));
    }

    /** Parses the 64-character lowercase or uppercase hex form. */
    public static TopicId parse(final String hex)
    {
        return fromBytes(Id32.parseHex(hex, "TopicId"));
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

    /** A fresh copy of the 32 id bytes. */
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
        if (!(o instanceof TopicId))
        {
            return false;
        }
        final TopicId other = (TopicId)o;
        return w0 == other.w0 && w1 == other.w1 && w2 == other.w2 && w3 == other.w3;
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public int compareTo(final TopicId o)
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
