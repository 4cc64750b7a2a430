package dev.hearsay.engine;

import dev.hearsay.NodeKey;
import dev.hearsay.codec.SignedBytes;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.GossipSigner;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ed25519 message signing and verification on the dispatcher thread: signs what this node authors (as the
 * protocol's {@link GossipSigner}) and checks received Gossip before the protocol sees it. The signed bytes are
 * {@link SignedBytes}' preamble followed by the payload. Reuses one signer, one verifier (with its public key
 * cache) and scratch buffers; the JDK's Ed25519 still allocates internally per call.
 */
final class MessageSigning implements GossipSigner
{
    /** {@link #check} result: the signature is valid. */
    static final int VALID = 0;
    /** {@link #check} result: the message carries no signature. */
    static final int MISSING = 1;
    /** {@link #check} result: the signature does not match the author, id, scope or payload. */
    static final int INVALID = 2;

    /** Public keys of authors kept decoded. */
    static final int KEY_CACHE_CAPACITY = 4096;

    private final NodeKey.Signer signer;
    private final NodeKey.Verifier verifier;
    private final byte[] preamble = new byte[SignedBytes.PREAMBLE_LENGTH];
    private final UnsafeBuffer preambleBuffer = new UnsafeBuffer(preamble);
    private final byte[] signature = new byte[Gossip.SIGNATURE_LENGTH];
    private byte[] scratch = new byte[0];

    /** @param key signs when not null; verification is always available. */
    MessageSigning(final NodeKey key)
    {
        this.signer = key != null ? key.newSigner() : null;
        this.verifier = new NodeKey.Verifier(KEY_CACHE_CAPACITY);
        warmUp(key != null ? key : NodeKey.fromSeed(0L));
    }

    /**
     * The JDK's first Ed25519 signature and verification load and initialise the provider (hundreds of
     * milliseconds on a busy machine). Pay that here, on the thread building the engine, not on the dispatcher in
     * the middle of joining, where a stall makes neighbor requests time out.
     */
    private void warmUp(final NodeKey key)
    {
        final byte[] data = new byte[64];
        final NodeKey.Signer warm = signer != null ? signer : key.newSigner();
        warm.update(data, 0, data.length);
        warm.sign(signature, 0);
        verifier.begin(key.id());
        verifier.update(data, 0, data.length);
        if (!verifier.verify(signature, 0))
        {
            throw new IllegalStateException("Ed25519 self-test failed");
        }
    }

    @Override
    public void sign(final Gossip message, final MutableDirectBuffer out, final int offset)
    {
        SignedBytes.writePreamble(message, preambleBuffer, 0);
        signer.update(preamble, 0, preamble.length);
        final DirectBuffer payload = message.payloadBuffer();
        final int length = message.payloadLength();
        if (length > 0)
        {
            final byte[] array = payload.byteArray();
            if (array != null)
            {
                signer.update(array, payload.wrapAdjustment() + message.payloadOffset(), length);
            }
            else
            {
                signer.update(copy(payload, message.payloadOffset(), length), 0, length);
            }
        }
        signer.sign(signature, 0);
        out.putBytes(offset, signature);
    }

    /** Checks the author's signature of a received Gossip: {@link #VALID}, {@link #MISSING} or {@link #INVALID}. */
    int check(final Gossip message)
    {
        if (!message.signed())
        {
            return MISSING;
        }
        if (!verifier.begin(message.author()))
        {
            return INVALID;
        }
        SignedBytes.writePreamble(message, preambleBuffer, 0);
        verifier.update(preamble, 0, preamble.length);
        final DirectBuffer payload = message.payloadBuffer();
        final int length = message.payloadLength();
        if (length > 0)
        {
            final byte[] array = payload.byteArray();
            if (array != null)
            {
                verifier.update(array, payload.wrapAdjustment() + message.payloadOffset(), length);
            }
            else
            {
                verifier.update(copy(payload, message.payloadOffset(), length), 0, length);
            }
        }
        message.signatureBuffer().getBytes(message.signatureOffset(), signature);
        return verifier.verify(signature, 0) ? VALID : INVALID;
    }

    private byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        if (scratch.length < length)
        {
            scratch = new byte[length];
        }
        buffer.getBytes(offset, scratch, 0, length);
        return scratch;
    }
}
