package dev.hearsay.codec;

import dev.hearsay.codec.DecodeException.Reason;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated input: every frame either decodes to a message or is rejected with a {@link DecodeException};
 * no other throwable ever escapes. A frame that decodes must re-encode to exactly the same bytes (the format is
 * canonical), which shows the decoder accepted nothing it should not have.
 */
class MessageDecoderFuzzTest
{
    private static final int ITERATIONS = 100_000;
    private static final int MAX_PAYLOAD = 256;
    private static final int MAX_PEER_DATA = 32;
    private static final MessageType[] TYPES = MessageType.values();

    private final MessageDecoder decoder = new MessageDecoder(MAX_PAYLOAD, MAX_PEER_DATA, 64, 8);
    private final Map<Reason, Integer> rejected = new EnumMap<>(Reason.class);
    private int accepted;

    @Test
    @Timeout(30)
    void randomByteArrays()
    {
        final Random random = new Random(0xF022L);
        final byte[] backing = new byte[1024];
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        for (int i = 0; i < ITERATIONS; i++)
        {
            final int length = random.nextInt(4) == 0 ? random.nextInt(WireFormat.HEADER_LENGTH + 4)
                : random.nextInt(512);
            final int offset = random.nextInt(backing.length - length + 1);
            fill(random, backing, offset, length);
            // Random bytes almost never pass the first two checks; a plausible header half of the time reaches
            // the body decoders too.
            if (length >= 2 && random.nextBoolean())
            {
                backing[offset] = (byte)WireFormat.VERSION;
                backing[offset + 1] = (byte)TYPES[random.nextInt(TYPES.length)].code();
            }
            // The view ends exactly where the frame does: reading past it trips Agrona's bounds check.
            buffer.wrap(backing, 0, offset + length);
            check(buffer, offset, length);
        }
        for (final Reason reason : Reason.values())
        {
            assertTrue(rejected.getOrDefault(reason, 0) > 0, "random input reached " + reason + ": " + rejected);
        }
        assertTrue(accepted > 0, "some random frames are valid messages");
        assertEquals(ITERATIONS, accepted + total(), "every frame accounted for");
        System.out.println("random: accepted " + accepted + ", rejected " + rejected);
    }

    @Test
    @Timeout(30)
    void mutatedValidEncodings()
    {
        final TestMessages.Generator generator = new TestMessages.Generator(0xB17F11BL, MAX_PAYLOAD, MAX_PEER_DATA);
        final Random random = new Random(0x5EED);
        final byte[] backing = new byte[64 * 1024];
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        for (int i = 0; i < ITERATIONS; i++)
        {
            final Message m = generator.next();
            final byte[] frame = TestMessages.encode(m);
            final int offset = random.nextInt(16);
            System.arraycopy(frame, 0, backing, offset, frame.length);
            final int length = mutate(random, m, backing, offset, frame.length);
            buffer.wrap(backing, 0, offset + length);
            check(buffer, offset, length);
        }
        for (final Reason reason : Reason.values())
        {
            if (reason != Reason.BAD_VERSION && reason != Reason.UNKNOWN_TYPE)
            {
                assertTrue(rejected.getOrDefault(reason, 0) > 100, "mutations reached " + reason + ": " + rejected);
            }
        }
        assertTrue(accepted > 1_000, "some mutations stay valid (payload bit flips): " + accepted);
        assertEquals(ITERATIONS, accepted + total(), "every frame accounted for");
        System.out.println("mutated: accepted " + accepted + ", rejected " + rejected);
    }

    private int total()
    {
        return rejected.values().stream().mapToInt(Integer::intValue).sum();
    }

    private void check(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final Message decoded;
        try
        {
            decoded = decoder.decode(buffer, offset, length);
        }
        catch (final DecodeException e)
        {
            rejected.merge(e.reason(), 1, Integer::sum);
            return;
        }
        catch (final Throwable t)
        {
            final byte[] input = new byte[length];
            buffer.getBytes(offset, input);
            throw new AssertionError("decode threw " + t + " for " + Arrays.toString(input), t);
        }
        accepted++;
        final byte[] input = new byte[length];
        buffer.getBytes(offset, input);
        final byte[] reencoded;
        try
        {
            reencoded = TestMessages.encode(decoded);
        }
        catch (final RuntimeException e)
        {
            fail("accepted a frame that cannot be re-encoded: " + decoded + " from " + Arrays.toString(input), e);
            return;
        }
        assertArrayEquals(input, reencoded, "accepted frame re-encodes differently: " + decoded);
    }

    /** Applies one random mutation in place; returns the new frame length. */
    private static int mutate(
        final Random random, final Message m, final byte[] backing, final int offset, final int length)
    {
        switch (random.nextInt(6))
        {
            case 0:
            {
                // One to three bit flips anywhere.
                final int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++)
                {
                    final int at = offset + random.nextInt(length);
                    backing[at] ^= (byte)(1 << random.nextInt(8));
                }
                return length;
            }
            case 1:
                return random.nextInt(length);
            case 2:
            {
                final int extra = 1 + random.nextInt(16);
                fill(random, backing, offset + length, extra);
                return length + extra;
            }
            case 3:
            {
                final List<int[]> fields = TestMessages.lengthFields(m);
                if (fields.isEmpty())
                {
                    backing[offset + random.nextInt(length)] = (byte)random.nextInt();
                    return length;
                }
                final int[] field = fields.get(random.nextInt(fields.size()));
                corruptLength(random, backing, offset + field[0], field[1]);
                return length;
            }
            case 4:
            {
                // A byte set to a value that is special for booleans, flags and counts.
                final int[] special = {0, 1, 2, 0x7F, 0x80, 0xFF, Message.MAX_CONTACTS + 1};
                backing[offset + random.nextInt(length)] = (byte)special[random.nextInt(special.length)];
                return length;
            }
            default:
            {
                // Corruption and a cut together: the length disagrees with what is left.
                final List<int[]> fields = TestMessages.lengthFields(m);
                if (!fields.isEmpty())
                {
                    final int[] field = fields.get(random.nextInt(fields.size()));
                    corruptLength(random, backing, offset + field[0], field[1]);
                }
                return length - random.nextInt(Math.min(length, 8) + 1);
            }
        }
    }

    private static void corruptLength(final Random random, final byte[] backing, final int at, final int width)
    {
        final long current = read(backing, at, width);
        final long max = width == 4 ? 0xFFFFFFFFL : (1L << (8 * width)) - 1;
        final long value;
        switch (random.nextInt(6))
        {
            case 0:
                value = max;
                break;
            case 1:
                value = width == 4 ? 0x7FFFFFFFL : max >>> 1;
                break;
            case 2:
                value = current + 1 + random.nextInt(3);
                break;
            case 3:
                value = Math.max(0, current - 1 - random.nextInt(3));
                break;
            case 4:
                value = width == 4 ? 0x80000000L : max;
                break;
            default:
                value = random.nextLong() & max;
                break;
        }
        for (int i = 0; i < width; i++)
        {
            backing[at + i] = (byte)(value >>> (8 * i));
        }
    }

    private static long read(final byte[] backing, final int at, final int width)
    {
        long value = 0;
        for (int i = width - 1; i >= 0; i--)
        {
            value = (value << 8) | (backing[at + i] & 0xFF);
        }
        return value;
    }

    private static void fill(final Random random, final byte[] bytes, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            bytes[offset + i] = (byte)random.nextInt();
        }
    }
}
