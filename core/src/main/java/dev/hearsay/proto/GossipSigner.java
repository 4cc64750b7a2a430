package dev.hearsay.proto;

import org.agrona.MutableDirectBuffer;

/**
 * Signs the Gossip messages a node authors. {@link PlumTree} calls it once per broadcast, at the moment the
 * message id (author, epoch, sequence) is fixed, and then carries the signature with every copy it sends or caches.
 * Optional: without a signer nothing is signed. The protocol never verifies signatures; its host does, before a
 * received message reaches {@link ProtocolState#onMessage}.
 * <p>
 * An implementation must be deterministic for a given message (Ed25519 is) so that the protocol stays replayable.
 */
@FunctionalInterface
public interface GossipSigner
{
    /**
     * Writes the {@value Gossip#SIGNATURE_LENGTH}-byte signature of {@code message} (topic, id, scope and payload;
     * not the hop count, which forwarders change) at {@code offset} of {@code out}.
     */
    void sign(Gossip message, MutableDirectBuffer out, int offset);
}
