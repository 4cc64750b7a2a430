package dev.hearsay.perf.bench;

import dev.hearsay.GossipConfig;
import dev.hearsay.transport.TransportOptions;

/**
 * A secure configuration the bench measures beside the plain one ({@code --sign}, {@code --tls}): what it changes in
 * every node's configuration and transport options.
 */
enum SecureVariant
{
    /** Every node signs what it authors and verifies what it receives (GossipConfig.signMessages, verifySignatures). */
    SIGN("sign", "signing and verification at every node (GossipNode's default scheme, BouncyCastle Ed25519)"),
    /** TLS 1.3 on every connection (TransportOptions.withTls). */
    TLS("tls", "TLS 1.3 on every connection");

    final String cliName;
    final String description;

    SecureVariant(final String cliName, final String description)
    {
        this.cliName = cliName;
        this.description = description;
    }

    /** The configuration of this variant's nodes: {@code plain}, signing with {@code signatureLingerMicros}. */
    GossipConfig config(final GossipConfig plain, final long signatureLingerMicros)
    {
        return this == SIGN ? plain.toBuilder().signMessages(true).verifySignatures(true)
            .signatureLinger(java.time.Duration.ofNanos(signatureLingerMicros * 1_000)).build() : plain;
    }

    TransportOptions transportOptions(final TransportOptions plain)
    {
        return this == TLS ? plain.withTls(true) : plain;
    }
}
