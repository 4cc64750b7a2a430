package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The identity handshake every connection starts with, before any protocol frame. Each side sends HELLO (its
 * claimed id, a fresh 32-byte nonce, an instance id that changes on restart, and its contact data); on the
 * peer's HELLO it answers PROOF: an Ed25519 signature, by the key of its claimed id, over a context string, both
 * nonces and both ids. A side that verifies the peer's PROOF knows the peer holds the private key of the id it
 * claims, for this connection only (the nonces are fresh).
 * <p>
 * With TLS the handshake runs inside the encrypted channel and the signed transcript also binds the channel: the
 * SHA-256 of the signer's own TLS certificate and of the certificate it received from its peer. A man in the middle
 * who terminates TLS with a certificate of its own presents each side a certificate the other side did not sign,
 * so both PROOFs fail, although he can relay every byte (and cannot forge the Ed25519 signatures).
 *
 * <pre>
 * HELLO:  'H' 'S' 'Y' 'H' | version u8 (1) | node id (32) | nonce (32) | instance id (8) | data length u16 | data
 * PROOF:  'H' 'S' 'Y' 'P' | signature (64)
 * </pre>
 */
final class Handshake
{
    static final int HELLO_MAGIC = 0x48535948; // "HSYH"
    static final int PROOF_MAGIC = 0x48535950; // "HSYP"
    static final int VERSION = 1;
    static final int NONCE_LENGTH = 32;
    static final int HELLO_FIXED = 4 + 1 + NodeId.LENGTH + NONCE_LENGTH + 8 + 2;
    static final int PROOF_LENGTH = 4 + NodeKey.SIGNATURE_LENGTH;
    private static final byte[] CONTEXT = "hearsay/handshake/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TLS_CONTEXT = "hearsay/handshake/v1/tls".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of a TLS channel binding: SHA-256 of the signer's certificate, then of the one it received. */
    static final int BINDING_LENGTH = 64;

    private Handshake()
    {
    }

    /** Parsed HELLO. */
    record Hello(NodeId id, byte[] nonce, long instance, byte[] data)
    {
    }

    static void writeHello(final ByteBuf out, final NodeId id, final byte[] nonce, final long instance,
        final byte[] data)
    {
        out.writeInt(HELLO_FIXED + data.length);
        out.writeInt(HELLO_MAGIC);
        out.writeByte(VERSION);
        out.writeBytes(id.toBytes());
        out.writeBytes(nonce);
        out.writeLong(instance);
        out.writeShort(data.length);
        out.writeBytes(data);
    }

    static Hello readHello(final ByteBuf frame, final int maxData)
    {
        if (frame.readableBytes() < HELLO_FIXED)
        {
            throw new BadInputException("handshake: HELLO of " + frame.readableBytes() + " bytes is too short");
        }
        if (frame.readInt() != HELLO_MAGIC)
        {
            throw new BadInputException("handshake: expected HELLO, got another frame");
        }
        final int version = frame.readUnsignedByte();
        if (version != VERSION)
        {
            throw new BadInputException("handshake: unsupported version " + version);
        }
        final byte[] id = new byte[NodeId.LENGTH];
        frame.readBytes(id);
        final byte[] nonce = new byte[NONCE_LENGTH];
        frame.readBytes(nonce);
        final long instance = frame.readLong();
        final int dataLength = frame.readUnsignedShort();
        if (dataLength > maxData || dataLength != frame.readableBytes())
        {
            throw new BadInputException("handshake: contact data length " + dataLength + " is wrong");
        }
        final byte[] data = new byte[dataLength];
        frame.readBytes(data);
        return new Hello(NodeId.fromBytes(id), nonce, instance, data);
    }

    /** Writes this side's PROOF for a connection without TLS. */
    static void writeProof(final ByteBuf out, final NodeKey key, final NodeId peer, final byte[] myNonce,
        final byte[] peerNonce)
    {
        writeProof(out, key, peer, myNonce, peerNonce, null);
    }

    /**
     * @param binding null without TLS; with TLS, SHA-256 of this side's certificate followed by SHA-256 of the
     *                certificate the peer presented to it.
     */
    static void writeProof(final ByteBuf out, final NodeKey key, final NodeId peer, final byte[] myNonce,
        final byte[] peerNonce, final byte[] binding)
    {
        writeProof(out, sign(key, peer, myNonce, peerNonce, binding));
    }

    /**
     * This side's PROOF signature: the costly part of a PROOF (one Ed25519 signature), made apart from the event
     * loops (see {@link HandshakeExecutor}).
     *
     * @param binding null without TLS; with TLS, SHA-256 of this side's certificate followed by SHA-256 of the
     *                certificate the peer presented to it.
     */
    static byte[] sign(final NodeKey key, final NodeId peer, final byte[] myNonce, final byte[] peerNonce,
        final byte[] binding)
    {
        return key.sign(transcript(key.id(), peer, myNonce, peerNonce, binding));
    }

    /** Writes a PROOF frame carrying {@code signature}. */
    static void writeProof(final ByteBuf out, final byte[] signature)
    {
        out.writeInt(PROOF_LENGTH);
        out.writeInt(PROOF_MAGIC);
        out.writeBytes(signature);
    }

    /** The signature a PROOF frame carries; throws bad input if the frame is not a PROOF. */
    static byte[] readProof(final ByteBuf frame)
    {
        if (frame.readableBytes() != PROOF_LENGTH || frame.readInt() != PROOF_MAGIC)
        {
            throw new BadInputException("handshake: expected PROOF");
        }
        final byte[] signature = new byte[NodeKey.SIGNATURE_LENGTH];
        frame.readBytes(signature);
        return signature;
    }

    /**
     * Verifies that {@code signer} signed this connection's transcript; throws bad input otherwise.
     *
     * @param binding null without TLS; with TLS, what the signer must have seen: SHA-256 of the certificate it
     *                presented to this side (the peer certificate here) followed by SHA-256 of this side's.
     */
    static void verifyProof(final ByteBuf frame, final NodeId signer, final NodeId me, final byte[] signerNonce,
        final byte[] myNonce, final byte[] binding)
    {
        if (!verify(readProof(frame), signer, me, signerNonce, myNonce, binding))
        {
            throw badSignature(signer, binding != null);
        }
    }

    /**
     * True if {@code signature} is {@code signer}'s signature of this connection's transcript: the costly part of
     * checking a PROOF (one Ed25519 verification).
     */
    static boolean verify(final byte[] signature, final NodeId signer, final NodeId me, final byte[] signerNonce,
        final byte[] myNonce, final byte[] binding)
    {
        return NodeKey.verify(signer, transcript(signer, me, signerNonce, myNonce, binding), signature);
    }

    /** The bad input of a PROOF whose signature does not verify. */
    static BadInputException badSignature(final NodeId signer, final boolean tls)
    {
        return new BadInputException("handshake: bad signature for claimed id " + signer.shortString()
            + (tls ? " (or a TLS certificate it did not see: man in the middle?)" : ""));
    }

    /**
     * What the side {@code signer} signs: context, signer's nonce, peer's nonce, signer's id, peer's id, and with
     * TLS the channel binding (signer's certificate hash, then the hash of the certificate it received).
     */
    private static byte[] transcript(final NodeId signer, final NodeId peer, final byte[] signerNonce,
        final byte[] peerNonce, final byte[] binding)
    {
        final byte[] context = binding != null ? TLS_CONTEXT : CONTEXT;
        final int bindingLength = binding != null ? BINDING_LENGTH : 0;
        if (binding != null && binding.length != BINDING_LENGTH)
        {
            throw new IllegalArgumentException("binding: " + binding.length + " bytes");
        }
        final byte[] out = new byte[context.length + 2 * NONCE_LENGTH + 2 * NodeId.LENGTH + bindingLength];
        int p = 0;
        System.arraycopy(context, 0, out, p, context.length);
        p += context.length;
        System.arraycopy(signerNonce, 0, out, p, NONCE_LENGTH);
        p += NONCE_LENGTH;
        System.arraycopy(peerNonce, 0, out, p, NONCE_LENGTH);
        p += NONCE_LENGTH;
        System.arraycopy(signer.toBytes(), 0, out, p, NodeId.LENGTH);
        p += NodeId.LENGTH;
        System.arraycopy(peer.toBytes(), 0, out, p, NodeId.LENGTH);
        p += NodeId.LENGTH;
        if (binding != null)
        {
            System.arraycopy(binding, 0, out, p, BINDING_LENGTH);
        }
        return out;
    }
}
