package dev.hearsay;

/**
 * An Ed25519 implementation for message signatures ({@link GossipConfig#signMessages()},
 * {@link GossipConfig#verifySignatures()}). Every implementation produces and accepts the same signatures (RFC 8032
 * Ed25519, deterministic), so nodes may use different ones. The scheme itself is stateless and shared; its signers
 * and verifiers belong to one thread at a time, and the node makes one per thread that signs or verifies.
 * <p>
 * {@link #jdk()} uses the JDK's provider and is always available. The transport module carries a faster one that
 * {@code GossipNode} picks when the configuration names none.
 */
public interface SignatureScheme
{
    /** A short name for configuration dumps and benchmark reports. */
    String name();

    /** A signer by {@code key}, for one thread at a time. */
    Signer newSigner(NodeKey key);

    /** A verifier for one thread at a time, keeping at most {@code keyCacheCapacity} decoded public keys. */
    Verifier newVerifier(int keyCacheCapacity);

    /** The JDK's Ed25519 ({@code java.security.Signature}): always available, about 1 ms per verification. */
    static SignatureScheme jdk()
    {
        return JdkSignatureScheme.INSTANCE;
    }

    /** Signs with one key; not thread-safe. */
    interface Signer
    {
        /**
         * Writes the 64-byte Ed25519 signature of {@code length} bytes of {@code message} at {@code offset} into
         * {@code signature} at {@code signatureOffset}.
         */
        void sign(byte[] message, int offset, int length, byte[] signature, int signatureOffset);
    }

    /** Verifies signatures by any key; not thread-safe. */
    interface Verifier
    {
        /**
         * True if the 64 bytes of {@code signature} at {@code signatureOffset} are {@code signer}'s valid Ed25519
         * signature of {@code length} bytes of {@code message} at {@code offset}; false for any other input,
         * including a signer id that is not a valid public key.
         */
        boolean verify(NodeId signer, byte[] message, int offset, int length, byte[] signature, int signatureOffset);
    }
}
