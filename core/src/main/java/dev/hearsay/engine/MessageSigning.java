package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import dev.hearsay.TopicId;
import dev.hearsay.codec.SignedBytes;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.GossipSigner;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ed25519 signatures of Gossip messages for one thread at a time (the thread that creates it or any single thread
 * after it; no field is shared): signs what this node authors and checks received Gossip with a
 * {@link SignatureScheme}. The signed bytes are {@link SignedBytes}' preamble followed by the payload, laid out in
 * one scratch array that grows to the largest message seen and is kept, so nothing here allocates per message
 * (what the scheme allocates inside is its own).
 */
final class MessageSigning implements GossipSigner
{
    /** {@link #check} result: the signature is valid. */
    static final int VALID = 0;
    /** {@link #check} result: the message carries no signature. */
    static final int MISSING = 1;
    /** {@link #check} result: the signature does not match the author, id, scope or payload. */
    static final int INVALID = 2;

    /** Public keys of authors a verifier keeps decoded. */
    static final int KEY_CACHE_CAPACITY = 4096;

    /** Batch roots a verifier remembers as verified, per author (a direct-mapped table; see {@link #check}). */
    static final int ROOT_CACHE_CAPACITY = 256;

    private final SignatureScheme.Signer signer;
    private final SignatureScheme.Verifier verifier;
    private final byte[] signature = new byte[Gossip.SIGNATURE_LENGTH];
    private final UnsafeBuffer scratchBuffer = new UnsafeBuffer(new byte[SignedBytes.PREAMBLE_LENGTH + 128]);
    /** What a batch signature covers: the batch context, then the root. */
    private final byte[] rootMessage = new byte[SignedBytes.BATCH_CONTEXT_LENGTH + SignatureBatch.HASH_LENGTH];
    private final byte[] hash = new byte[SignatureBatch.HASH_LENGTH];
    /** The check of batch proofs and the verified roots: made by the first batch-signed message checked. */
    private SignatureBatch batch;
    private NodeId[] rootAuthors;
    private byte[] roots;
    private boolean lastCheckVerifiedSignature;

    /** Signs with {@code key} (when not null) and verifies with the JDK's Ed25519. */
    MessageSigning(final NodeKey key)
    {
        this(SignatureScheme.jdk(), key);
    }

    /** @param key signs when not null; verification is always available. */
    MessageSigning(final SignatureScheme scheme, final NodeKey key)
    {
        this.signer = key != null ? scheme.newSigner(key) : null;
        this.verifier = scheme.newVerifier(KEY_CACHE_CAPACITY);
        SignedBytes.writeBatchContext(rootMessage);
    }

    /**
     * Signs and verifies once, throwing if that fails. The JDK's first Ed25519 signature and verification load and
     * initialise the provider (hundreds of milliseconds on a busy machine): pay that on the thread building the
     * engine, not on a thread in the middle of joining, where a stall makes neighbor requests time out.
     */
    static void selfTest(final SignatureScheme scheme, final NodeKey key)
    {
        final MessageSigning signing = new MessageSigning(scheme, key);
        final TopicId topic = TopicId.of("hearsay/self-test");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer signature = new UnsafeBuffer(new byte[Gossip.SIGNATURE_LENGTH]);
        signing.sign(topic, key.id(), 1, 1, false, payload, 0, 64, signature, 0);
        final Gossip gossip = new Gossip();
        gossip.set(key.id(), 1, 1, 0, false).payload(payload, 0, 64).topic(topic);
        gossip.signature(signature, 0);
        if (signing.check(gossip) != VALID)
        {
            throw new IllegalStateException("Ed25519 self-test failed (" + scheme.name() + ")");
        }
    }

    @Override
    public void sign(final Gossip message, final MutableDirectBuffer out, final int offset)
    {
        sign(message.topic(), message.author(), message.epoch(), message.sequence(), message.neighborsOnly(),
            message.payloadBuffer(), message.payloadOffset(), message.payloadLength(), out, offset);
    }

    /**
     * Writes the {@value Gossip#SIGNATURE_LENGTH}-byte signature of the message with these fields (as
     * {@link SignedBytes} lays them out) at {@code outOffset} of {@code out}. Needs a key.
     */
    void sign(final TopicId topic, final NodeId author, final int epoch, final long sequence,
        final boolean neighborsOnly, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer out, final int outOffset)
    {
        final int n = layOut(topic, author, epoch, sequence, neighborsOnly, payload, offset, length);
        signer.sign(scratchBuffer.byteArray(), 0, n, signature, 0);
        out.putBytes(outOffset, signature);
    }

    /**
     * Checks the author's signature of a received Gossip: {@link #VALID}, {@link #MISSING} or {@link #INVALID}. A
     * batch-signed message is valid when its path leads from its hash to a root its author signed: a root this
     * verifier checked lately is taken from its cache (ROOT_CACHE_CAPACITY entries, one per slot chosen by the root;
     * a new root overwrites its slot), any other costs one Ed25519 verification and is then cached.
     */
    int check(final Gossip message)
    {
        lastCheckVerifiedSignature = false;
        if (!message.signed())
        {
            return MISSING;
        }
        final int n = layOut(message.topic(), message.author(), message.epoch(), message.sequence(),
            message.neighborsOnly(), message.payloadBuffer(), message.payloadOffset(), message.payloadLength());
        message.signatureBuffer().getBytes(message.signatureOffset(), signature);
        if (!message.batchSigned())
        {
            lastCheckVerifiedSignature = true;
            return verifier.verify(message.author(), scratchBuffer.byteArray(), 0, n, signature, 0) ? VALID : INVALID;
        }
        if (batch == null)
        {
            batch = new SignatureBatch();
            rootAuthors = new NodeId[ROOT_CACHE_CAPACITY];
            roots = new byte[ROOT_CACHE_CAPACITY * SignatureBatch.HASH_LENGTH];
        }
        batch.leafHash(scratchBuffer.byteArray(), n, hash, 0);
        if (!batch.foldPath(message.signatureBuffer(), message.signatureOffset(), message.signatureLength(), hash, 0))
        {
            return INVALID;
        }
        final int slot = rootSlot(hash);
        final int at = slot * SignatureBatch.HASH_LENGTH;
        if (message.author().equals(rootAuthors[slot])
            && java.util.Arrays.equals(roots, at, at + SignatureBatch.HASH_LENGTH, hash, 0, SignatureBatch.HASH_LENGTH))
        {
            return VALID;
        }
        lastCheckVerifiedSignature = true;
        System.arraycopy(hash, 0, rootMessage, SignedBytes.BATCH_CONTEXT_LENGTH, SignatureBatch.HASH_LENGTH);
        if (!verifier.verify(message.author(), rootMessage, 0, rootMessage.length, signature, 0))
        {
            return INVALID;
        }
        rootAuthors[slot] = message.author();
        System.arraycopy(hash, 0, roots, at, SignatureBatch.HASH_LENGTH);
        return VALID;
    }

    /** True if the last {@link #check} ran an Ed25519 verification (false: no signature, or a cached root). */
    boolean lastCheckVerifiedSignature()
    {
        return lastCheckVerifiedSignature;
    }

    /**
     * Signs a run of this author's messages at once: {@code run} holds their leaves (added with
     * {@link #addLeaf}) and at least two of them; builds its tree and writes the root's signature into
     * {@code out} at {@code outOffset}. Needs a key.
     */
    void signRun(final SignatureBatch run, final byte[] out, final int outOffset)
    {
        run.buildTree();
        System.arraycopy(run.nodes(), run.rootOffset(), rootMessage, SignedBytes.BATCH_CONTEXT_LENGTH,
            SignatureBatch.HASH_LENGTH);
        signer.sign(rootMessage, 0, rootMessage.length, out, outOffset);
    }

    /** Adds the message with these fields to {@code run} as its next leaf. */
    void addLeaf(final SignatureBatch run, final TopicId topic, final NodeId author, final int epoch,
        final long sequence, final boolean neighborsOnly, final DirectBuffer payload, final int offset,
        final int length)
    {
        final int n = layOut(topic, author, epoch, sequence, neighborsOnly, payload, offset, length);
        run.addLeaf(scratchBuffer.byteArray(), n);
    }

    private static int rootSlot(final byte[] root)
    {
        return root[0] & (ROOT_CACHE_CAPACITY - 1);
    }

    /** Writes preamble and payload into the scratch array; returns their length. */
    private int layOut(final TopicId topic, final NodeId author, final int epoch, final long sequence,
        final boolean neighborsOnly, final DirectBuffer payload, final int offset, final int length)
    {
        final int n = SignedBytes.PREAMBLE_LENGTH + length;
        if (scratchBuffer.capacity() < n)
        {
            scratchBuffer.wrap(new byte[n]);
        }
        SignedBytes.writePreamble(topic, author, epoch, sequence, neighborsOnly, length, scratchBuffer, 0);
        if (length > 0)
        {
            scratchBuffer.putBytes(SignedBytes.PREAMBLE_LENGTH, payload, offset, length);
        }
        return n;
    }
}
