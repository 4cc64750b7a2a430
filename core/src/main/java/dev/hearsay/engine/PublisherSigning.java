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
 * a view for byte-array payloads, the signature it wrote last and when it last published. Owned by that thread (the
 * engine keeps one per thread that broadcasts); allocates nothing per message.
 */
final class PublisherSigning
{
    private final MessageSigning signing;
    /** Wraps a {@code byte[]} payload without allocating. */
    final UnsafeBuffer payloadView = new UnsafeBuffer(new byte[0]);
    /** The signature written by the last {@link #sign}. */
    final UnsafeBuffer signature = new UnsafeBuffer(new byte[Gossip.SIGNATURE_LENGTH]);

    /**
     * A publish that follows this thread's previous one by less than this is part of a burst: signing it on its
     * own (tens of microseconds) would take longer than the gap, so it is left for the dispatcher to sign with the
     * rest of its run.
     */
    static final long BURST_GAP_NANOS = 50_000;

    private final boolean batching;
    private final long burstGapNanos;
    private final org.agrona.concurrent.NanoClock clock;
    /** When this thread's last publish ended: a signature it made alone is not a gap before the next one. */
    private long lastPublishNanos = Long.MIN_VALUE / 2;

    /**
     * @param batching     whether runs may be signed at once (maxMessagesPerSignature over 1).
     * @param lingerNanos  GossipConfig.signatureLinger: a publish within it of the previous one joins a run too.
     */
    PublisherSigning(final SignatureScheme scheme, final NodeKey key, final boolean batching, final long lingerNanos)
    {
        this(scheme, key, batching, lingerNanos, org.agrona.concurrent.SystemNanoClock.INSTANCE);
    }

    /** As above, with the clock that times the gaps between publishes (tests). */
    PublisherSigning(final SignatureScheme scheme, final NodeKey key, final boolean batching, final long lingerNanos,
        final org.agrona.concurrent.NanoClock clock)
    {
        this.signing = new MessageSigning(scheme, key);
        this.batching = batching;
        this.burstGapNanos = Math.max(BURST_GAP_NANOS, lingerNanos);
        this.clock = clock;
    }

    /**
     * Called once per publish: true if this broadcast goes into the ring unsigned, for the dispatcher to sign with
     * its run, because it would wait anyway ({@code backlog}: the dispatcher has events it has not handled yet) or
     * because it comes in a burst from this thread (within 50 us, or the signature linger, of the end of its
     * previous one); false if this thread signs it on its own now.
     */
    boolean joinsRun(final boolean backlog)
    {
        if (!batching)
        {
            return false;
        }
        final long now = clock.nanoTime();
        final boolean burst = now - lastPublishNanos < burstGapNanos;
        lastPublishNanos = now;
        return backlog || burst;
    }

    /** Signs the message (this node, {@code epoch}, {@code sequence}) into {@link #signature}. */
    void sign(final TopicId topic, final NodeId author, final int epoch, final long sequence,
        final boolean neighborsOnly, final DirectBuffer payload, final int offset, final int length)
    {
        signing.sign(topic, author, epoch, sequence, neighborsOnly, payload, offset, length, signature, 0);
        if (batching)
        {
            // However long the signature took, the thread's next publish right after it is part of the same burst.
            lastPublishNanos = clock.nanoTime();
        }
    }
}
