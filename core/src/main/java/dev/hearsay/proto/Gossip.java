package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * PlumTree Gossip: an eager push of one broadcast. The id is (author, epoch, sequence). The payload is a view over
 * a buffer the holder does not own: valid only as long as that buffer is (see {@link #copy()}).
 * <p>
 * Optionally the message carries its author's signature trailer ({@link #signed()}), also a view: either the
 * 64-byte Ed25519 signature of this one message, or a batch proof (the signature of a Merkle root over several of
 * the author's messages and this message's path to it; {@link #batchSigned()}). The protocol never checks it; it
 * only carries it unchanged when forwarding or answering a Graft, so that every receiver can verify the author.
 * {@link #set} clears it, so a reused holder never sends a stale signature.
 */
public final class Gossip extends Message
{
    /** Length of the optional signature: an Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private NodeId author;
    private int epoch;
    private long sequence;
    private int hops;
    private boolean neighborsOnly;
    private boolean repair;
    private final UnsafeBuffer payload = new UnsafeBuffer(NO_DATA);
    private int payloadOffset;
    private int payloadLength;
    private final UnsafeBuffer signature = new UnsafeBuffer(NO_DATA);
    private boolean signed;
    private int signatureLength;

    @Override
    public MessageType type()
    {
        return MessageType.GOSSIP;
    }

    /** The node that broadcast the message. */
    public NodeId author()
    {
        return author;
    }

    /** The author's epoch (changes when the author restarts). */
    public int epoch()
    {
        return epoch;
    }

    /** The author's sequence number within its epoch. */
    public long sequence()
    {
        return sequence;
    }

    /** Hops travelled so far: 0 when sent by the author. */
    public int hops()
    {
        return hops;
    }

    /** True for a Neighbors-scope broadcast, which is never forwarded. */
    public boolean neighborsOnly()
    {
        return neighborsOnly;
    }

    /**
     * True for a repair copy: pushed over a link that may be lazy because a tree edge on the message's way failed
     * (see PlumTree). Set per hop, like {@link #hops()}; {@link #set} clears it.
     */
    public boolean repair()
    {
        return repair;
    }

    /** Marks this copy as a repair copy, or not. */
    public Gossip repair(final boolean value)
    {
        this.repair = value;
        return this;
    }

    /** Buffer holding the payload. */
    public DirectBuffer payloadBuffer()
    {
        return payload;
    }

    /** Offset of the payload in {@link #payloadBuffer()}. */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /** Payload length in bytes. */
    public int payloadLength()
    {
        return payloadLength;
    }

    /** True if the author's signature is attached ({@link #signatureBuffer()}). */
    public boolean signed()
    {
        return signed;
    }

    /** True if the trailer is a batch proof ({@link #signatureLength()} over {@value #SIGNATURE_LENGTH}). */
    public boolean batchSigned()
    {
        return signatureLength > SIGNATURE_LENGTH;
    }

    /** Bytes of the signature trailer: {@value #SIGNATURE_LENGTH}, more for a batch proof, 0 when unsigned. */
    public int signatureLength()
    {
        return signatureLength;
    }

    /** Buffer holding the signature trailer when {@link #signed()}; its first 64 bytes are a signature. */
    public DirectBuffer signatureBuffer()
    {
        return signature;
    }

    /** Offset of the signature in {@link #signatureBuffer()}. */
    public int signatureOffset()
    {
        return 0;
    }

    /** Sets the id and routing fields and clears the signature. */
    public Gossip set(final NodeId author, final int epoch, final long sequence, final int hops,
        final boolean neighborsOnly)
    {
        this.author = author;
        this.epoch = epoch;
        this.sequence = sequence;
        this.hops = hops;
        this.neighborsOnly = neighborsOnly;
        this.repair = false;
        clearSignature();
        return this;
    }

    /** Points the signature at the 64 bytes of {@code buffer} at {@code offset} (no copy). */
    public Gossip signature(final DirectBuffer buffer, final int offset)
    {
        return signature(buffer, offset, SIGNATURE_LENGTH);
    }

    /**
     * Points the signature trailer at {@code length} bytes of {@code buffer} at {@code offset} (no copy): a
     * signature ({@value #SIGNATURE_LENGTH}) or a batch proof (longer).
     */
    public Gossip signature(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SIGNATURE_LENGTH)
        {
            throw new IllegalArgumentException("signature length " + length + " < " + SIGNATURE_LENGTH);
        }
        signature.wrap(buffer, offset, length);
        signatureLength = length;
        signed = true;
        return this;
    }

    /** Carries {@code other}'s signature (a view of it), or none if it has none. */
    public Gossip signatureFrom(final Gossip other)
    {
        if (other.signed)
        {
            return signature(other.signature, 0, other.signatureLength);
        }
        return clearSignature();
    }

    /** Removes the signature. */
    public Gossip clearSignature()
    {
        if (signed)
        {
            signature.wrap(NO_DATA);
            signed = false;
            signatureLength = 0;
        }
        return this;
    }

    /** Sets the hop count, keeping everything else. */
    public Gossip hops(final int hops)
    {
        this.hops = hops;
        return this;
    }

    /** Points the payload at {@code length} bytes of {@code buffer} at {@code offset} (no copy). */
    public Gossip payload(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == 0)
        {
            payload.wrap(NO_DATA);
            payloadOffset = 0;
        }
        else
        {
            payload.wrap(buffer, offset, length);
            payloadOffset = 0;
        }
        payloadLength = length;
        return this;
    }

    /** A copy of the payload bytes. */
    public byte[] payloadBytes()
    {
        final byte[] out = new byte[payloadLength];
        payload.getBytes(payloadOffset, out);
        return out;
    }

    @Override
    public Gossip copy()
    {
        final Gossip c = new Gossip().set(author, epoch, sequence, hops, neighborsOnly).repair(repair);
        final byte[] bytes = payloadBytes();
        c.payload(new UnsafeBuffer(bytes), 0, bytes.length);
        if (signed)
        {
            final byte[] sig = new byte[signatureLength];
            signature.getBytes(0, sig);
            c.signature(new UnsafeBuffer(sig), 0, signatureLength);
        }
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "Gossip(" + author.shortString() + "/" + epoch + "/" + sequence + ", hops=" + hops
            + (neighborsOnly ? ", neighbors" : "") + (repair ? ", repair" : "")
            + (batchSigned() ? ", batch-signed" : signed ? ", signed" : "") + ", " + payloadLength + " B)";
    }
}
