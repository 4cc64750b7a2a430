package dev.hearsay.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearsay.GossipConfig;
import dev.hearsay.proto.Message;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Coverage-guided fuzzing of {@link MessageDecoder} with Jazzer (see docs/fuzzing.md). The input is one frame body,
 * decoded with the default limits. Every input must:
 * <ul>
 *     <li>decode to a message or be rejected with a {@link DecodeException}: no other throwable, and no read outside
 *     the frame (the frame ends where its buffer does, so a read past it trips Agrona's bounds check);</li>
 *     <li>allocate at most a small multiple of its own length: no count or length field sizes anything before it
 *     is checked;</li>
 *     <li>when accepted, re-encode to exactly its own bytes (the format is canonical) and decode again to the same
 *     content.</li>
 * </ul>
 * Without {@code JAZZER_FUZZ} this replays the committed corpus under {@code MessageDecoderJazzerTestInputs/decode}
 * (seeds from {@link FuzzSeedCorpusTest}, plus any regression input a fuzzing run found) as part of the build.
 */
class MessageDecoderJazzerTest
{
    /** Where the frame starts in its buffer: a decoder that mixed up absolute and relative offsets would show. */
    static final int OFFSET = 7;
    /** Allowed allocation: contact data copies, ids not seen before, an exception message, holder growth. */
    private static final long ALLOCATION_PER_BYTE = 4;
    private static final long ALLOCATION_FIXED = 32 * 1024;

    private static final GossipConfig CONFIG = GossipConfig.defaults();
    private static final boolean MEASURE_ALLOCATION = TestMessages.canMeasureAllocation();

    /** One decoder for every input, as on a connection: its id caches and holders carry over between frames. */
    private static final MessageDecoder DECODER = new MessageDecoder(CONFIG);
    private static final MessageDecoder SECOND = new MessageDecoder(CONFIG);
    private static final MessageEncoder ENCODER = new MessageEncoder(CONFIG);

    @FuzzTest
    @Timeout(10)
    void decode(final byte[] frame)
    {
        final byte[] backing = new byte[OFFSET + frame.length];
        System.arraycopy(frame, 0, backing, OFFSET, frame.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);

        final Message decoded;
        final long before = MEASURE_ALLOCATION ? TestMessages.allocatedBytes() : 0;
        try
        {
            decoded = DECODER.decode(buffer, OFFSET, frame.length);
        }
        catch (final DecodeException e)
        {
            assertNotNull(e.reason(), "a rejection names its reason");
            checkAllocation(before, frame);
            return;
        }
        catch (final Throwable t)
        {
            throw new AssertionError("decode threw " + t + " (not a DecodeException) for " + hex(frame), t);
        }
        checkAllocation(before, frame);
        assertNotNull(decoded, "decode returned null for " + hex(frame));

        final byte[] reencoded = new byte[MessageEncoder.encodedLength(decoded)];
        try
        {
            ENCODER.encode(decoded, new UnsafeBuffer(reencoded), 0);
        }
        catch (final RuntimeException e)
        {
            fail("accepted a frame the encoder refuses: " + decoded + " from " + hex(frame), e);
        }
        assertArrayEquals(frame, reencoded, () -> "accepted frame re-encodes differently: " + decoded + " from "
            + hex(frame));
        final Message again = SECOND.decode(new UnsafeBuffer(reencoded), 0, reencoded.length);
        TestMessages.assertSameContent(decoded, again);
    }

    /**
     * Fails if decoding allocated more than the bound. The first run of a code path also links its call sites and
     * loads classes (megabytes, once), so an input over the bound is decoded once more and judged by that run: an
     * allocation sized from the input repeats, a first-use cost does not.
     */
    private static void checkAllocation(final long before, final byte[] frame)
    {
        if (!MEASURE_ALLOCATION)
        {
            return;
        }
        final long bound = ALLOCATION_FIXED + ALLOCATION_PER_BYTE * frame.length;
        if (TestMessages.allocatedBytes() - before <= bound)
        {
            return;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final long again = TestMessages.allocatedBytes();
        try
        {
            DECODER.decode(buffer, 0, frame.length);
        }
        catch (final DecodeException e)
        {
            // Judged by the allocation only.
        }
        final long allocated = TestMessages.allocatedBytes() - again;
        assertTrue(allocated <= bound, () -> "decoding " + frame.length + " bytes allocated " + allocated
            + " bytes (bound " + bound + "): " + hex(frame));
    }

    static String hex(final byte[] bytes)
    {
        final int shown = Math.min(bytes.length, 256);
        return HexFormat.of().formatHex(bytes, 0, shown) + (bytes.length > shown ? "... (" + bytes.length
            + " bytes)" : "");
    }
}
