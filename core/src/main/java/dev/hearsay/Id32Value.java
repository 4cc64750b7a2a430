package dev.hearsay;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The common body of the 32-byte identifiers ({@link NodeId}, {@link TopicId}): four big-endian words, so that
 * equality and hashing never touch an array, and a precomputed hash. Ids of different kinds are never equal.
 */
abstract class Id32Value
{
    final long w0;
    final long w1;
    final long w2;
    final long w3;
    private final int hash;

    Id32Value(final long w0, final long w1, final long w2, final long w3)
    {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
        this.hash = Id32.hash(w0, w1, w2, w3);
    }

    /** True if the 32 bytes at {@code offset} equal this id; no allocation. */
    public final boolean matches(final DirectBuffer buffer, final int offset)
    {
        return w0 == Id32.word(buffer, offset, 0) && w1 == Id32.word(buffer, offset, 1)
            && w2 == Id32.word(buffer, offset, 2) && w3 == Id32.word(buffer, offset, 3);
    }

    /** Writes the 32 bytes at {@code offset}. */
    public final void write(final MutableDirectBuffer buffer, final int offset)
    {
        Id32.put(buffer, offset, w0, w1, w2, w3);
    }

    /** A fresh copy of the 32 bytes. */
    public final byte[] toBytes()
    {
        return Id32.toBytes(w0, w1, w2, w3);
    }

    /** First eight bytes as a long, handy for logs and seeds. */
    public final long prefix()
    {
        return w0;
    }

    /** Short form for logs: first 10 hex characters. */
    public final String shortString()
    {
        return toString().substring(0, 10);
    }

    final int compareWords(final Id32Value o)
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

    @Override
    public final boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (o == null || o.getClass() != getClass())
        {
            return false;
        }
        final Id32Value other = (Id32Value)o;
        return w0 == other.w0 && w1 == other.w1 && w2 == other.w2 && w3 == other.w3;
    }

    @Override
    public final int hashCode()
    {
        return hash;
    }

    /** Lowercase hex, 64 characters. */
    @Override
    public final String toString()
    {
        return Id32.toHex(w0, w1, w2, w3);
    }
}
