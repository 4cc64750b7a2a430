package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import dev.hearsay.TopicId;
import dev.hearsay.proto.Gossip;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What one publishing thread needs to sign the messages it broadcasts (signMessages): a signer by the node's key,
 * a view for byte-array payloads and the signature it wrote last. Owned by that thread (the engine keeps one per
 * thread that broadcasts); allocates nothing per message.
 */
final class PublisherSigning
{
    private final MessageSigning signing;
    /** Wraps a {@code byte[]} payload without allocating. */
    final UnsafeBuffer payloadView = new UnsafeBuffer(new byte[0]);
    /** The signature written by the last {@link #sign}. */
    final UnsafeBuffer signature = new UnsafeBuffer(new byte[Gossip.SIGNATURE_LENGTH]);

    PublisherSigning(final SignatureScheme scheme, final NodeKey key)
    {
        this.signing = new MessageSigning(scheme, key);
    }

    /** Signs the message (this node, {@code epoch}, {@code sequence}) into {@link #signature}. */
    void sign(final TopicId topic, final NodeId author, final int epoch, final long sequence,
        final boolean neighborsOnly, final DirectBuffer payload, final int offset, final int length)
    {
        signing.sign(topic, author, epoch, sequence, neighborsOnly, payload, offset, length, signature, 0);
    }
}
