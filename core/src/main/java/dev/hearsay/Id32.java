package dev.hearsay;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Shared helpers for the 32-byte identifiers ({@link NodeId}, {@link TopicId}), which keep their bytes as four
 * big-endian longs so that equality and hashing never touch an array.
 */
final class Id32
{
    static final int LENGTH = 32;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Id32()
    {
    }

    static long word(final byte[] bytes, final int index)
    {
        long v = 0;
        for (int i = 0; i < 8; i++)
        {
            v = (v << 8) | (bytes[index * 8 + i] & 0xFFL);
        }
        return v;
    }

    static long word(final DirectBuffer buffer, final int offset, final int index)
    {
        return buffer.getLong(offset + index * 8, ByteOrder.BIG_ENDIAN);
    }

    static void put(final MutableDirectBuffer buffer, final int offset, final long w0, final long w1, final long w2,
        final long w3)
    {
        buffer.putLong(offset, w0, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 8, w1, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 16, w2, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 24, w3, ByteOrder.BIG_ENDIAN);
    }

    static byte[] toBytes(final long w0, final long w1, final long w2, final long w3)
    {
        final byte[] out = new byte[LENGTH];
        final long[] words = {w0, w1, w2, w3};
        for (int w = 0; w < 4; w++)
        {
            for (int i = 0; i < 8; i++)
            {
                out[w * 8 + i] = (byte)(words[w] >>> (56 - 8 * i));
            }
        }
        return out;
    }

    static int hash(final long w0, final long w1, final long w2, final long w3)
    {
        // The ids are uniformly random (keys, hashes): folding is enough, but mix so low bits spread.
        long h = w0 * 0x9E3779B97F4A7C15L ^ w1 * 0xC2B2AE3D27D4EB4FL ^ w2 * 0x165667B19E3779F9L ^ w3;
        h ^= h >>> 29;
        return (int)(h ^ (h >>> 32));
    }

    static String toHex(final long w0, final long w1, final long w2, final long w3)
    {
        final char[] out = new char[64];
        final long[] words = {w0, w1, w2, w3};
        int c = 0;
        for (final long w : words)
        {
            for (int shift = 60; shift >= 0; shift -= 4)
            {
                out[c++] = HEX[(int)((w >>> shift) & 0xF)];
            }
        }
        return new String(out);
    }

    static byte[] parseHex(final String hex, final String what)
    {
        if (hex == null || hex.length() != 64)
        {
            throw new IllegalArgumentException(what + ": expected 64 hex characters, got "
                + (hex == null ? "null" : hex.length() + " characters"));
        }
        final byte[] out = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            final int hi = Character.digit(hex.charAt(2 * i), 16);
            final int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0)
            {
                throw new IllegalArgumentException(what + ": not a hex string: " + hex);
            }
            out[i] = (byte)((hi << 4) | lo);
        }
        return out;
    }

    static void checkLength(final byte[] bytes, final String what)
    {
        if (bytes == null || bytes.length != LENGTH)
        {
            throw new IllegalArgumentException(what + ": expected 32 bytes, got "
                + (bytes == null ? "null" : bytes.length));
        }
    }
}
