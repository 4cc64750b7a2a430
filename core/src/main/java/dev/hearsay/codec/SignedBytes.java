package dev.hearsay.codec;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.proto.Gossip;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static dev.hearsay.codec.WireFormat.BYTE_ORDER;

/**
 * What an author's Gossip signature covers (docs/wire-format.md, "Signature"): a fixed preamble of
 * {@link #PREAMBLE_LENGTH} bytes (context, topic, author, epoch, sequence, scope, payload length) followed by the
 * payload. The hop count is left out because every forwarder changes it; the scope is in so that a Neighbors-scope
 * message cannot be replayed to the whole topic.
 */
public final class SignedBytes
{
    /** Domain separation: these signatures can never be mistaken for handshake signatures by the same key. */
    public static final String CONTEXT = "hearsay/gossip/v1";

    /** Bytes of the preamble. */
    public static final int PREAMBLE_LENGTH = CONTEXT.length() + TopicId.LENGTH + NodeId.LENGTH + 4 + 8 + 1 + 4;

    /**
     * Domain separation of batch signatures: what an author signs for a run of its messages is this context
     * followed by the run's 32-byte Merkle root (docs/wire-format.md, "Batch signatures").
     */
    public static final String BATCH_CONTEXT = "hearsay/gossip-batch/v1";

    /** Bytes of {@link #BATCH_CONTEXT}. */
    public static final int BATCH_CONTEXT_LENGTH = BATCH_CONTEXT.length();

    private static final byte[] CONTEXT_BYTES = CONTEXT.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BATCH_CONTEXT_BYTES = BATCH_CONTEXT.getBytes(StandardCharsets.US_ASCII);

    private SignedBytes()
    {
    }

    /** Writes {@link #BATCH_CONTEXT} at the start of {@code out}. */
    public static void writeBatchContext(final byte[] out)
    {
        System.arraycopy(BATCH_CONTEXT_BYTES, 0, out, 0, BATCH_CONTEXT_LENGTH);
    }

    /** Writes the preamble of {@code message} at {@code offset}; returns {@link #PREAMBLE_LENGTH}. */
    public static int writePreamble(final Gossip message, final MutableDirectBuffer out, final int offset)
    {
        return writePreamble(message.topic(), message.author(), message.epoch(), message.sequence(),
            message.neighborsOnly(), message.payloadLength(), out, offset);
    }

    /**
     * Writes the preamble of the message with these fields at {@code offset} (what an author signs before the
     * message exists as a {@link Gossip}); returns {@link #PREAMBLE_LENGTH}.
     */
    public static int writePreamble(final TopicId topic, final NodeId author, final int epoch, final long sequence,
        final boolean neighborsOnly, final int payloadLength, final MutableDirectBuffer out, final int offset)
    {
        int p = offset;
        out.putBytes(p, CONTEXT_BYTES);
        p += CONTEXT_BYTES.length;
        topic.write(out, p);
        p += TopicId.LENGTH;
        author.write(out, p);
        p += NodeId.LENGTH;
        out.putInt(p, epoch, BYTE_ORDER);
        p += 4;
        out.putLong(p, sequence, BYTE_ORDER);
        p += 8;
        out.putByte(p, (byte)(neighborsOnly ? 1 : 0));
        p += 1;
        out.putInt(p, payloadLength, BYTE_ORDER);
        return PREAMBLE_LENGTH;
    }
}
