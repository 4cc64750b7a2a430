package dev.hearsay;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 key pair of a node. The public key is the node's {@link NodeId}. Uses the JDK's own EdDSA provider.
 */
public final class NodeKey
{
    /** Length of an Ed25519 signature in bytes. */
    public static final int SIGNATURE_LENGTH = 64;

    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), followed by the 32 raw key bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    /** The field prime of Curve25519, 2^255 - 19. */
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    /** The twisted Edwards curve constant d = -121665 / 121666 of Ed25519. */
    private static final BigInteger D =
        BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);

    private final PrivateKey privateKey;
    private final NodeId id;

    private NodeKey(final KeyPair pair)
    {
        this.privateKey = pair.getPrivate();
        final byte[] encoded = pair.getPublic().getEncoded();
        this.id = NodeId.fromBytes(Arrays.copyOfRange(encoded, encoded.length - NodeId.LENGTH, encoded.length));
    }

    /** A fresh random key pair. */
    public static NodeKey generate()
    {
        return create(new SecureRandom());
    }

    /** The key pair whose 32-byte private seed is {@code seed32}: the same seed always gives the same id. */
    public static NodeKey fromSeed(final byte[] seed32)
    {
        if (seed32 == null || seed32.length != 32)
        {
            throw new IllegalArgumentException("seed: expected 32 bytes, got " + (seed32 == null ? "null" : seed32.length));
        }
        final byte[] seed = seed32.clone();
        // EdDSA key generation draws exactly the 32-byte private seed from the random source; feeding it the
        // seed makes generation deterministic without reimplementing the curve.
        final SecureRandom fixed = new SecureRandom()
        {
            @Override
            public void nextBytes(final byte[] bytes)
            {
                Arrays.fill(bytes, (byte)0);
                System.arraycopy(seed, 0, bytes, 0, Math.min(bytes.length, seed.length));
            }
        };
        return create(fixed);
    }

    /** Deterministic key from a number, for tests and simulations. */
    public static NodeKey fromSeed(final long seed)
    {
        final byte[] bytes = new byte[32];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(seed >>> (56 - 8 * i));
        }
        bytes[31] = 0x5A;
        return fromSeed(bytes);
    }

    private static NodeKey create(final SecureRandom random)
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            return new NodeKey(generator.generateKeyPair());
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("Ed25519 is not available on this JVM", e);
        }
    }

    /**
     * A copy of the 32-byte private seed this key pair derives from (what {@link #fromSeed(byte[])} takes): for
     * another Ed25519 implementation that signs with this key. A secret: do not log, store or send it.
     */
    public byte[] privateSeed()
    {
        if (privateKey instanceof java.security.interfaces.EdECPrivateKey edec)
        {
            return edec.getBytes().orElseThrow(() -> new IllegalStateException("private seed not available"));
        }
        throw new IllegalStateException("not an EdDSA private key: " + privateKey.getAlgorithm());
    }

    /** The public identity of this key. */
    public NodeId id()
    {
        return id;
    }

    /** Signs {@code length} bytes of {@code data} at {@code offset}; returns the 64-byte signature. */
    public byte[] sign(final byte[] data, final int offset, final int length)
    {
        try
        {
            final Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(data, offset, length);
            return signature.sign();
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Signs all of {@code data}. */
    public byte[] sign(final byte[] data)
    {
        return sign(data, 0, data.length);
    }

    /** True if {@code sig} is {@code signer}'s valid signature of {@code data}; false for any malformed input. */
    public static boolean verify(final NodeId signer, final byte[] data, final int offset, final int length,
        final byte[] sig)
    {
        if (sig == null || sig.length != SIGNATURE_LENGTH)
        {
            return false;
        }
        try
        {
            final Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(publicKey(signer));
            signature.update(data, offset, length);
            return signature.verify(sig);
        }
        catch (final GeneralSecurityException | IllegalArgumentException e)
        {
            return false;
        }
    }

    /** True if {@code sig} is {@code signer}'s valid signature of all of {@code data}. */
    public static boolean verify(final NodeId signer, final byte[] data, final byte[] sig)
    {
        return verify(signer, data, 0, data.length, sig);
    }

    /**
     * A reusable signer by this key for one thread at a time: keeps one initialised {@link Signature} instead of
     * looking one up per message, and takes the data in pieces.
     */
    public Signer newSigner()
    {
        try
        {
            final Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            return new Signer(signature);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("Ed25519 is not available on this JVM", e);
        }
    }

    /** Streaming Ed25519 signer made by {@link NodeKey#newSigner()}; not thread-safe. */
    public static final class Signer
    {
        private final Signature signature;

        private Signer(final Signature signature)
        {
            this.signature = signature;
        }

        /** Adds {@code length} bytes of {@code data} at {@code offset} to the message being signed. */
        public void update(final byte[] data, final int offset, final int length)
        {
            try
            {
                signature.update(data, offset, length);
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalStateException("Ed25519 signing failed", e);
            }
        }

        /** Signs what was added since the last signature and writes the 64 bytes at {@code offset} of {@code out}. */
        public void sign(final byte[] out, final int offset)
        {
            try
            {
                final int length = signature.sign(out, offset, SIGNATURE_LENGTH);
                if (length != SIGNATURE_LENGTH)
                {
                    throw new IllegalStateException("Ed25519 signature of " + length + " bytes");
                }
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalStateException("Ed25519 signing failed", e);
            }
        }
    }

    /**
     * A reusable Ed25519 verifier for one thread at a time, with a bounded cache of decoded public keys (decoding a
     * key costs about as much as a verification). When the cache holds {@code keyCacheCapacity} keys it is cleared
     * and refills with the signers seen next.
     */
    public static final class Verifier
    {
        private final java.util.HashMap<NodeId, PublicKey> keys = new java.util.HashMap<>();
        private final int keyCacheCapacity;
        private final Signature signature;
        private boolean ready;

        /** A verifier that caches at most {@code keyCacheCapacity} public keys. */
        public Verifier(final int keyCacheCapacity)
        {
            if (keyCacheCapacity < 1)
            {
                throw new IllegalArgumentException("keyCacheCapacity: " + keyCacheCapacity + " is not positive");
            }
            this.keyCacheCapacity = keyCacheCapacity;
            try
            {
                this.signature = Signature.getInstance("Ed25519");
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalStateException("Ed25519 is not available on this JVM", e);
            }
        }

        /** Starts checking a message signed by {@code signer}; false if its id is not a valid Ed25519 key. */
        public boolean begin(final NodeId signer)
        {
            ready = false;
            try
            {
                PublicKey key = keys.get(signer);
                if (key == null)
                {
                    key = publicKey(signer);
                    if (keys.size() >= keyCacheCapacity)
                    {
                        keys.clear();
                    }
                    keys.put(signer, key);
                }
                signature.initVerify(key);
                ready = true;
            }
            catch (final GeneralSecurityException | IllegalArgumentException e)
            {
                return false;
            }
            return true;
        }

        /** Adds {@code length} bytes of {@code data} at {@code offset} to the message being checked. */
        public void update(final byte[] data, final int offset, final int length)
        {
            if (!ready)
            {
                return;
            }
            try
            {
                signature.update(data, offset, length);
            }
            catch (final GeneralSecurityException e)
            {
                ready = false;
            }
        }

        /** True if the 64 bytes at {@code offset} of {@code sig} are a valid signature of what was added. */
        public boolean verify(final byte[] sig, final int offset)
        {
            if (!ready)
            {
                return false;
            }
            ready = false;
            try
            {
                return signature.verify(sig, offset, SIGNATURE_LENGTH);
            }
            catch (final GeneralSecurityException | IllegalArgumentException e)
            {
                return false;
            }
        }

        /** Public keys cached right now. */
        public int cachedKeys()
        {
            return keys.size();
        }
    }

    /**
     * Decodes {@code id} as an Ed25519 public key, refusing keys of small order. The JDK's Ed25519 verifies without
     * the cofactor and accepts any point: for a small-order key (such as the neutral element, encoded 01 00 .. 00) the
     * signature R = neutral element, S = 0 verifies for almost any message, so whoever claimed such an id would pass
     * the handshake and sign messages without holding any private key. No key pair ever has such a public key.
     */
    private static PublicKey publicKey(final NodeId id) throws GeneralSecurityException
    {
        if (hasSmallOrder(id.toBytes()))
        {
            throw new InvalidKeyException("Ed25519 public key of small order");
        }
        final byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + NodeId.LENGTH);
        System.arraycopy(id.toBytes(), 0, der, X509_PREFIX.length, NodeId.LENGTH);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    }

    /**
     * True if the 32-byte Ed25519 public key encoding is a point P with [8]P the neutral element (orders 1, 2, 4 and
     * 8), in any encoding (the y coordinate is taken modulo p, so non-canonical encodings count too). Works on y alone:
     * on the curve -x^2 + y^2 = 1 + d x^2 y^2, x^2 = (y^2 - 1) / (d y^2 + 1), and doubling gives
     * y(2P) = (y^2 + x^2) / (1 - d x^2 y^2); the neutral element is the only point with y = 1. An encoding that is no
     * point (a zero denominator) counts as refused as well. Package-private for tests.
     */
    static boolean hasSmallOrder(final byte[] key32)
    {
        final byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++)
        {
            bigEndian[i] = key32[31 - i];
        }
        bigEndian[0] &= 0x7F; // the top bit is the sign of x
        BigInteger y = new BigInteger(1, bigEndian).mod(P);
        for (int doubling = 0; doubling < 3; doubling++)
        {
            final BigInteger yy = y.multiply(y).mod(P);
            final BigInteger xxDenominator = D.multiply(yy).add(BigInteger.ONE).mod(P);
            if (xxDenominator.signum() == 0)
            {
                return true;
            }
            final BigInteger xx = yy.subtract(BigInteger.ONE).multiply(xxDenominator.modInverse(P)).mod(P);
            final BigInteger denominator = BigInteger.ONE.subtract(D.multiply(xx).multiply(yy)).mod(P);
            if (denominator.signum() == 0)
            {
                return true;
            }
            y = yy.add(xx).multiply(denominator.modInverse(P)).mod(P);
        }
        return y.equals(BigInteger.ONE);
    }

    @Override
    public String toString()
    {
        return "NodeKey(" + id + ")";
    }
}
