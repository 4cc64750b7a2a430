package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fingerprints of settled ids read the id where a Gossip frame holds it, and do not collide: a copy whose
 * fingerprint is found in the table is dropped unless the protocol has seen its id, so a match by accident would
 * drop a new message.
 */
final class InboundValidationTest
{
    private static final TopicId TOPIC = TopicId.of("fingerprints");
    private static final NodeId AUTHOR = EngineTestSupport.key(80).id();

    @Test
    @Timeout(30)
    void theFingerprintReadsTheIdOfTheFrame()
    {
        final UnsafeBuffer frame = EngineTestSupport.gossipFrame(TOPIC, AUTHOR, 0x0102030405060708L, 3,
            "payload".getBytes(StandardCharsets.UTF_8));
        assertEquals(0x0102030405060708L, frame.getLong(InboundValidation.SEQUENCE_AT, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1, frame.getInt(InboundValidation.EPOCH_AT, ByteOrder.LITTLE_ENDIAN));
        assertTrue(AUTHOR.matches(frame, InboundValidation.AUTHOR_AT));
        assertTrue(TOPIC.matches(frame, InboundValidation.TOPIC_AT));
        // Hops are not part of the id: copies forwarded further have the same fingerprint.
        final UnsafeBuffer further = EngineTestSupport.gossipFrame(TOPIC, AUTHOR, 0x0102030405060708L, 4,
            "payload".getBytes(StandardCharsets.UTF_8));
        assertEquals(InboundValidation.fingerprint(7, frame, 0), InboundValidation.fingerprint(7, further, 0));
        assertNotEquals(InboundValidation.fingerprint(7, frame, 0), InboundValidation.fingerprint(8, frame, 0),
            "keyed");
    }

    @Test
    @Timeout(60)
    void anAuthorsStreamNeverMatchesTheIdHeldInItsSlot()
    {
        final UnsafeBuffer frame = EngineTestSupport.gossipFrame(TOPIC, AUTHOR, 1, 1, new byte[8]);
        final long[] slots = new long[VerifiedIds.CAPACITY];
        int matches = 0;
        for (long sequence = 1; sequence <= 8_000_000; sequence++)
        {
            frame.putLong(InboundValidation.SEQUENCE_AT, sequence, ByteOrder.LITTLE_ENDIAN);
            final long fingerprint = InboundValidation.fingerprint(0x5DEECE66DL, frame, 0);
            final int index = (int)(fingerprint >>> 32) & (VerifiedIds.CAPACITY - 1);
            if (slots[index] == fingerprint)
            {
                matches++;
            }
            slots[index] = fingerprint;
        }
        assertEquals(0, matches, "new ids taken for settled ones");
    }
}
