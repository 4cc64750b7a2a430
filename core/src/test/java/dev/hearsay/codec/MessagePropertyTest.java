package dev.hearsay.codec;

import dev.hearsay.codec.DecodeException.Reason;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.EnumMap;
import java.util.Map;

import static dev.hearsay.codec.TestMessages.assertSameContent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeded random valid messages: every one survives encode then decode unchanged, and its framing is exact. */
class MessagePropertyTest
{
    private static final long SEED = 0x4865617273617931L;
    private static final int MESSAGES = 20_000;
    private static final int MAX_PAYLOAD = 2048;
    private static final int MAX_PEER_DATA = 96;

    @Test
    @Timeout(30)
    void randomValidMessagesRoundTrip()
    {
        final TestMessages.Generator generator = new TestMessages.Generator(SEED, MAX_PAYLOAD, MAX_PEER_DATA);
        final MessageEncoder encoder = new MessageEncoder(MAX_PAYLOAD, MAX_PEER_DATA);
        // Small caches so that evictions happen during the run, not only hits.
        final MessageDecoder decoder = new MessageDecoder(MAX_PAYLOAD, MAX_PEER_DATA, 8, 2);
        final int maxFrame = MessageEncoder.maxEncodedLength(MAX_PAYLOAD, MAX_PEER_DATA);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[maxFrame + 64]);
        final Map<MessageType, Integer> perType = new EnumMap<>(MessageType.class);

        for (int i = 0; i < MESSAGES; i++)
        {
            final Message m = generator.next();
            final int offset = generator.random().nextInt(64);
            final int length = MessageEncoder.encodedLength(m);
            assertTrue(length <= maxFrame, "within maxEncodedLength: " + m);

            final int written = encoder.encode(m, buffer, offset);
            assertEquals(length, written, "encodedLength == bytes written for " + m);
            assertSameContent(m, decoder.decode(buffer, offset, written));
            perType.merge(m.type(), 1, Integer::sum);
        }
        assertEquals(MessageType.values().length, perType.size(), "every type generated: " + perType);
        assertTrue(decoder.nodeIdCache().misses() > 0 && decoder.nodeIdCache().hits() > 0, "cache hits and misses");
    }

    @Test
    @Timeout(30)
    void everyProperPrefixIsTruncatedAndEveryExtensionIsTrailing()
    {
        final TestMessages.Generator generator = new TestMessages.Generator(SEED + 1, 64, 16);
        final MessageDecoder decoder = new MessageDecoder(64, 16);
        for (int i = 0; i < 200; i++)
        {
            final Message m = generator.next();
            final byte[] frame = TestMessages.encode(m);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 1]);
            buffer.putBytes(0, frame);
            // Every length field is explicit, so no proper prefix of a message is itself a message.
            for (int cut = 0; cut < frame.length; cut++)
            {
                final int length = cut;
                final DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(buffer, 0, length));
                assertEquals(Reason.TRUNCATED, e.reason(), m + " cut to " + cut);
            }
            buffer.putByte(frame.length, (byte)generator.random().nextInt());
            final DecodeException e = assertThrows(
                DecodeException.class, () -> decoder.decode(buffer, 0, frame.length + 1));
            assertEquals(Reason.TRAILING_BYTES, e.reason(), m + " plus one byte");
        }
    }
}
