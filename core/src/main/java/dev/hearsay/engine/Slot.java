package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One preallocated ring slot: a union of every event kind. References are set by the producer and cleared by the
 * dispatcher once handled; bytes (a frame or a broadcast payload) are copied into a buffer, so a warmed-up ring
 * copies without allocating.
 * <p>
 * Buffers: each slot owns an array, {@value #INITIAL_CAPACITY} bytes at first, that grows (to a power of two, at
 * most the retain limit: the largest Gossip frame, payload plus header and signature) for broadcast payloads and
 * Gossip frames, the traffic that sizes the ring, and is kept. Other frames that do not fit it (IHave batches,
 * membership frames with contact lists) borrow an array from the ring's {@link SpareBuffers} and give it back once
 * handled; a frame even larger than those (a Shuffle with large contact data) gets an array of its own, dropped
 * once handled. So the ring retains about {@code ringSize} times the usual Gossip frame plus the spare arrays in
 * use at the peak, and a steady mix of frame sizes allocates nothing.
 */
final class Slot
{
    static final int NONE = 0;
    static final int SUBSCRIBE = 1;
    static final int UNSUBSCRIBE = 2;
    static final int JOIN_PEERS = 3;
    static final int BROADCAST = 4;
    static final int BROADCAST_NEIGHBORS = 5;
    static final int CONTACT_DATA = 6;
    static final int SHUTDOWN = 7;
    static final int FRAME_RECEIVED = 8;
    static final int PEER_CONNECTED = 9;
    static final int PEER_DISCONNECTED = 10;
    static final int DIAL_FAILED = 11;

    static final int INITIAL_CAPACITY = 128;

    private final int maxLength;
    private final int retainLimit;
    private final SpareBuffers spares;

    int kind;
    /** Subscribe, JoinPeers, Broadcast*: the topic. */
    TopicId topic;
    /** Network events: the peer. */
    NodeId peer;
    /** Subscribe, Unsubscribe, Broadcast*: the subscription that asked. */
    EngineSubscription subscription;
    /** Subscribe, JoinPeers: an immutable list of peers; ContactData: a byte[]. */
    Object attachment;
    /** The slot's own array: grows up to the retain limit and is kept. */
    private byte[] own = new byte[INITIAL_CAPACITY];
    /** A spare array {@link #buffer} wraps instead of {@link #own} until cleared; null when none. */
    private byte[] borrowed;
    /** Frame or payload bytes, valid for {@link #length} bytes from 0. */
    final UnsafeBuffer buffer = new UnsafeBuffer(own);
    int length;
    /** FrameReceived: what the producing thread found of its signature, an {@link InboundVerifier} verdict. */
    int verdict;
    /** FrameReceived: what the producing thread's validators found, an {@link InboundValidation} verdict. */
    int validation;
    /**
     * Broadcast*: true if it is numbered and signed; its signature trailer ({@link #signatureLength} bytes: a
     * signature or a batch proof) then follows the payload in {@link #buffer} (at {@link #length}) and
     * {@link #sequence} is its sequence.
     */
    boolean signed;
    /**
     * Broadcast*: true if the publisher numbered it and left it for the dispatcher to sign with the run it finds it
     * in ({@code RunSigner}); the buffer has room for the longest trailer after the payload.
     */
    boolean awaitingSignature;
    /**
     * The ring sequence of the last event this slot held that was published {@link #awaitingSignature}, stored by
     * its producer after every other field (release): the dispatcher reads slots ahead of its poller by it.
     */
    private volatile long awaitingSignatureAs = -1;
    /**
     * Broadcast* when {@link #awaitingSignature} and signatureLinger is on: when it was published (the dispatcher's
     * clock), written before {@link #awaitingSignatureAs}.
     */
    long publishedNanos;
    /** Broadcast* when {@link #signed}: bytes of the signature trailer after the payload. */
    int signatureLength;
    /** Broadcast* when {@link #signed} or {@link #awaitingSignature}: the sequence the publisher gave it. */
    long sequence;

    /**
     * @param maxLength   the largest frame or payload a slot takes.
     * @param retainLimit the largest own array a slot keeps: Gossip frames and payloads up to it grow it.
     * @param spares      arrays for the other frames that do not fit the own array (shared by the ring's slots).
     */
    Slot(final int maxLength, final int retainLimit, final SpareBuffers spares)
    {
        this.maxLength = maxLength;
        this.retainLimit = retainLimit;
        this.spares = spares;
    }

    /**
     * Copies {@code length} bytes into the slot buffer; {@code length} must not exceed the maximum length.
     * {@code grow}: the bytes are a Gossip frame or a payload, which may grow the slot's own array; others borrow.
     */
    void copy(final DirectBuffer src, final int offset, final int length, final boolean grow)
    {
        reserve(length, grow);
        buffer.putBytes(0, src, offset, length);
        this.length = length;
    }

    /** Copies {@code length} bytes of payload {@code src} into the slot buffer. */
    void copy(final byte[] src, final int offset, final int length)
    {
        reserve(length, true);
        buffer.putBytes(0, src, offset, length);
        this.length = length;
    }

    /**
     * Copies {@code length} payload bytes of {@code src} and then the {@code signatureLength} bytes of
     * {@code signature} into the slot buffer; {@link #length} is the payload's.
     */
    void copySigned(final DirectBuffer src, final int offset, final int length, final DirectBuffer signature,
        final int signatureLength)
    {
        reserve(length + signatureLength, true);
        buffer.putBytes(0, src, offset, length);
        buffer.putBytes(length, signature, 0, signatureLength);
        this.length = length;
        this.signatureLength = signatureLength;
    }

    /**
     * Copies {@code length} payload bytes of {@code src} into the slot buffer, leaving room for {@code trailerRoom}
     * bytes of signature trailer after them; {@link #length} is the payload's.
     */
    void copyLeavingRoom(final DirectBuffer src, final int offset, final int length, final int trailerRoom)
    {
        reserve(length + trailerRoom, true);
        buffer.putBytes(0, src, offset, length);
        this.length = length;
    }

    /** The ring sequence this slot was last published at with {@link #awaitingSignature} (-1: never). */
    long awaitingSignatureAs()
    {
        return awaitingSignatureAs;
    }

    /** Publishes the slot's contents to a reader ahead of the poller: called by the producer last, before publish. */
    void awaitingSignatureAs(final long ringSequence)
    {
        awaitingSignatureAs = ringSequence;
    }

    /** Drops references so that a handled slot keeps nothing alive; the own array is kept for reuse. */
    void clear()
    {
        kind = NONE;
        verdict = 0;
        validation = 0;
        signed = false;
        awaitingSignature = false;
        signatureLength = 0;
        sequence = 0;
        topic = null;
        peer = null;
        subscription = null;
        attachment = null;
        length = 0;
        if (borrowed != null)
        {
            spares.give(borrowed);
            borrowed = null;
            buffer.wrap(own);
        }
        else if (buffer.byteArray() != own)
        {
            // A rare frame larger than the spare arrays had an array of its own: not kept.
            buffer.wrap(own);
        }
    }

    /** Points {@link #buffer} at an array of at least {@code required} bytes (see the class comment). */
    private void reserve(final int required, final boolean grow)
    {
        if (required <= own.length)
        {
            return; // the buffer wraps the own array: a slot is cleared before it is reused
        }
        if (required > maxLength)
        {
            throw new IllegalArgumentException("length " + required + " exceeds the maximum " + maxLength);
        }
        if (grow && required <= retainLimit)
        {
            // A power of two, but never beyond the retain limit, so that what grew is also kept.
            own = new byte[Math.min(retainLimit, BitUtil.findNextPositivePowerOfTwo(required))];
            buffer.wrap(own);
        }
        else if (required <= spares.length())
        {
            borrowed = spares.take();
            buffer.wrap(borrowed);
        }
        else
        {
            buffer.wrap(new byte[required]);
        }
    }
}
