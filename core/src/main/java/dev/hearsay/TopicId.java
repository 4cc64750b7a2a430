package dev.hearsay;

import org.agrona.DirectBuffer;

/**
 * Identity of a topic: 32 bytes, usually the SHA-256 of its name. Immutable; equality and hash by value.
 */
public final class TopicId extends Id32Value implements Comparable<TopicId>
{
    /** Encoded length in bytes. */
    public static final int LENGTH = Id32.LENGTH;

    private TopicId(final long w0, final long w1, final long w2, final long w3)
    {
        super(w0, w1, w2, w3);
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

    /** Hash that {@link #hashCode()} would give for the id stored at {@code offset}; no allocation. */
    public static int hashAt(final DirectBuffer buffer, final int offset)
    {
        return Id32.hash(Id32.word(buffer, offset, 0), Id32.word(buffer, offset, 1), Id32.word(buffer, offset, 2),
            Id32.word(buffer, offset, 3));
    }

    @Override
    public int compareTo(final TopicId o)
    {
        return compareWords(o);
    }
}
