package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 message signatures with BouncyCastle's low-level RFC 8032 code ({@code org.bouncycastle.math.ec.rfc8032}):
 * several times faster than the JDK's provider, and free of provider lookups and key objects. The default of a
 * {@code GossipNode} when its configuration names no {@link SignatureScheme}. Produces and accepts exactly the
 * signatures {@link SignatureScheme#jdk()} does.
 * <p>
 * Stateless; its signers and verifiers belong to one thread at a time. What allocates: a verifier decodes an
 * author's public key once and keeps it (a bounded table); BouncyCastle itself allocates a few small arrays and a
 * SHA-512 digest inside each signature and verification, which its API does not let a caller reuse.
 */
public final class BouncyCastleSignatureScheme implements SignatureScheme
{
    /** The scheme. */
    public static final BouncyCastleSignatureScheme INSTANCE = new BouncyCastleSignatureScheme();

    static
    {
        // Builds the base-point tables once, on the thread that loads this class, not inside the first signature.
        Ed25519.precompute();
    }

    private BouncyCastleSignatureScheme()
    {
    }

    @Override
    public String name()
    {
        return "bouncycastle";
    }

    @Override
    public SignatureScheme.Signer newSigner(final NodeKey key)
    {
        return new Signer(key.privateSeed(), key.id().toBytes());
    }

    @Override
    public SignatureScheme.Verifier newVerifier(final int keyCacheCapacity)
    {
        return new Verifier(keyCacheCapacity);
    }

    @Override
    public String toString()
    {
        return name();
    }

    /** Signs with one key: the 32-byte seed and the public key, kept as arrays. */
    private static final class Signer implements SignatureScheme.Signer
    {
        private final byte[] seed;
        private final byte[] publicKey;

        Signer(final byte[] seed, final byte[] publicKey)
        {
            this.seed = seed;
            this.publicKey = publicKey;
        }

        @Override
        public void sign(final byte[] message, final int offset, final int length, final byte[] signature,
            final int signatureOffset)
        {
            Ed25519.sign(seed, 0, publicKey, 0, message, offset, length, signature, signatureOffset);
        }
    }

    /**
     * Verifies with decoded public keys kept in a direct-mapped table of at least the asked capacity (a power of
     * two, indexed by the id's hash). Full policy: a key whose place is taken replaces the key there; an evicted
     * key is decoded again when its author next signs.
     */
    private static final class Verifier implements SignatureScheme.Verifier
    {
        private final NodeId[] ids;
        private final Ed25519.PublicPoint[] points;
        private final int mask;

        Verifier(final int keyCacheCapacity)
        {
            if (keyCacheCapacity < 1 || keyCacheCapacity > 1 << 20)
            {
                throw new IllegalArgumentException("keyCacheCapacity: " + keyCacheCapacity + " not in 1..2^20");
            }
            final int size = org.agrona.BitUtil.findNextPositivePowerOfTwo(keyCacheCapacity);
            this.ids = new NodeId[size];
            this.points = new Ed25519.PublicPoint[size];
            this.mask = size - 1;
        }

        @Override
        public boolean verify(final NodeId signer, final byte[] message, final int offset, final int length,
            final byte[] signature, final int signatureOffset)
        {
            final int i = signer.hashCode() & mask;
            Ed25519.PublicPoint point = points[i];
            if (point == null || !signer.equals(ids[i]))
            {
                // Full validation, once per key: a curve point, and not one of small order (with such a key a
                // forged signature can verify for any message, so no genuine node ever has one).
                point = Ed25519.validatePublicKeyFullExport(signer.toBytes(), 0);
                if (point == null)
                {
                    return false;
                }
                ids[i] = signer;
                points[i] = point;
            }
            return Ed25519.verify(signature, signatureOffset, point, message, offset, length);
        }
    }
}
