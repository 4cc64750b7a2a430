package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.SignatureScheme;
import dev.hearsay.codec.DecodeException;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.WireFormat;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Checks the author's signature of a received Gossip frame before it enters the ring, on the thread that hands the
 * frame over (a transport I/O thread), so that verification runs in parallel with the dispatcher and with the
 * other I/O threads. Owned by that one thread (the engine keeps one per thread); the only shared state is the
 * {@link VerifiedIds} table and the counters.
 * <p>
 * A verdict is computed once per frame. A frame handed over again because the ring was full (the transport
 * retries the same bytes) gets the verdict of its first attempt: the last frame and its verdict are kept, and a
 * byte-for-byte equal frame reuses it. Nothing is allocated per frame: the frame is copied into an array that grows
 * to the largest frame seen, and decoded there with this thread's own decoder.
 */
final class InboundVerifier
{
    /** Verdict: not a Gossip frame, or undecodable (the dispatcher decodes, rejects or checks it itself). */
    static final int NOT_CHECKED = 0;
    /** Verdict: the signature is valid. */
    static final int VERIFIED = 1;
    /** Verdict: not checked, because a copy with the same id verified lately (see {@link VerifiedIds}). */
    static final int SKIPPED_DUPLICATE = 2;
    /** Verdict: the signature is invalid. */
    static final int INVALID = 3;
    /** Verdict: the Gossip carries no signature. */
    static final int MISSING = 4;

    private static final byte GOSSIP_CODE = (byte)MessageType.GOSSIP.code();

    private final MessageDecoder decoder;
    private final MessageSigning signing;
    private final VerifiedIds verified;
    private final EngineCounters counters;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
    private byte[] last = new byte[256];
    private int lastLength = -1;
    private int lastVerdict;

    InboundVerifier(final GossipConfig config, final SignatureScheme scheme, final VerifiedIds verified,
        final EngineCounters counters)
    {
        this.decoder = new MessageDecoder(config);
        this.signing = new MessageSigning(scheme, null);
        this.verified = verified;
        this.counters = counters;
    }

    /** The verdict on {@code length} bytes of {@code buffer} at {@code offset}: one of the constants above. */
    int check(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length <= WireFormat.TYPE_OFFSET || buffer.getByte(offset + WireFormat.TYPE_OFFSET) != GOSSIP_CODE)
        {
            return NOT_CHECKED;
        }
        if (frame.capacity() < length)
        {
            frame.wrap(new byte[length]);
        }
        final byte[] bytes = frame.byteArray();
        buffer.getBytes(offset, bytes, 0, length);
        if (length == lastLength && Arrays.equals(bytes, 0, length, last, 0, length))
        {
            return lastVerdict;
        }
        final int verdict = verdict(length);
        remember(bytes, length, verdict);
        return verdict;
    }

    private int verdict(final int length)
    {
        final Message message;
        try
        {
            message = decoder.decode(frame, 0, length);
        }
        catch (final DecodeException ex)
        {
            return NOT_CHECKED;
        }
        final Gossip gossip = (Gossip)message;
        if (!gossip.signed())
        {
            return MISSING;
        }
        // Neighbors-scope messages are never relayed, so they have no duplicates worth remembering.
        final long id = gossip.neighborsOnly() ? 0 :
            VerifiedIds.fingerprint(gossip.topic(), gossip.author(), gossip.epoch(), gossip.sequence());
        if (id != 0 && verified.contains(id))
        {
            counters.incrementShared(EngineCounter.SIGNATURES_SKIPPED_DUPLICATE);
            return SKIPPED_DUPLICATE;
        }
        counters.incrementShared(EngineCounter.SIGNATURES_VERIFIED);
        if (signing.check(gossip) != MessageSigning.VALID)
        {
            return INVALID;
        }
        if (!signing.lastCheckVerifiedSignature())
        {
            counters.incrementShared(EngineCounter.SIGNATURES_SHARED_ROOT);
        }
        if (id != 0)
        {
            verified.add(id);
        }
        return VERIFIED;
    }

    private void remember(final byte[] bytes, final int length, final int verdict)
    {
        if (last.length < length)
        {
            last = new byte[bytes.length];
        }
        System.arraycopy(bytes, 0, last, 0, length);
        lastLength = length;
        lastVerdict = verdict;
    }
}
