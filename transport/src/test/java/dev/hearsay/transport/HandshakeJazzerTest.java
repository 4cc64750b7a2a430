package dev.hearsay.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearsay.NodeKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the identity {@link Handshake} with Jazzer (see docs/fuzzing.md): the peer's HELLO
 * and PROOF bodies as this node receives them, with this node's nonce fixed so that a seed can carry a genuine
 * proof. Every input must:
 * <ul>
 *     <li>parse as a HELLO or be refused with a {@link BadInputException}, nothing else; a parsed HELLO writes back
 *     to exactly its bytes, and its contact data is within the limit;</li>
 *     <li>parse allocating at most a small multiple of its length;</li>
 *     <li>have its PROOF refused with a {@link BadInputException}, nothing else, unless it is the genuine proof:
 *     the claimed id is the peer's and the signature is the one the peer's key makes over this transcript.</li>
 * </ul>
 * Input: byte 0 flags (bit 0: the connection runs TLS, so the transcript carries a channel binding), bytes 1-2 the
 * HELLO body's length (big-endian), the HELLO body, then the PROOF body.
 */
class HandshakeJazzerTest
{
    static final int TLS = 1;
    static final int HEADER = 3;
    static final int MAX_DATA = 512;

    static final NodeKey ME = NodeKey.fromSeed(0x4A5A1L);
    static final NodeKey PEER = NodeKey.fromSeed(0x4A5A2L);
    static final byte[] MY_NONCE = filled(Handshake.NONCE_LENGTH, 0x11);
    static final byte[] PEER_NONCE = filled(Handshake.NONCE_LENGTH, 0x22);
    /** Hashes of the certificates the peer presented and received, as the verifier sees them. */
    static final byte[] BINDING = filled(Handshake.BINDING_LENGTH, 0x33);

    private static final long ALLOCATION_FIXED = 32 * 1024;
    private static final long ALLOCATION_PER_BYTE = 4;

    @FuzzTest
    @Timeout(10)
    void helloAndProof(final byte[] input)
    {
        final boolean tls = input.length > 0 && (input[0] & TLS) != 0;
        final int declared = input.length >= HEADER ? ((input[1] & 0xFF) << 8) | (input[2] & 0xFF) : 0;
        final int helloEnd = Math.min(input.length, HEADER + declared);
        final byte[] hello = input.length > HEADER ? Arrays.copyOfRange(input, HEADER, helloEnd) : new byte[0];
        final byte[] proof = Arrays.copyOfRange(input, Math.max(helloEnd, Math.min(HEADER, input.length)),
            input.length);
        final byte[] binding = tls ? BINDING : null;

        final Handshake.Hello parsed;
        final long before = allocatedBytes();
        try
        {
            parsed = Handshake.readHello(Unpooled.wrappedBuffer(hello), MAX_DATA);
        }
        catch (final BadInputException e)
        {
            checkAllocation(before, hello);
            return;
        }
        catch (final Throwable t)
        {
            throw new AssertionError("HELLO parsing threw " + t + " for " + FrameDecoderJazzerTest.hex(input), t);
        }
        checkAllocation(before, hello);
        assertTrue(parsed.data().length <= MAX_DATA, "contact data within the limit");
        assertEquals(Handshake.NONCE_LENGTH, parsed.nonce().length, "nonce length");
        final ByteBuf rewritten = Unpooled.buffer();
        Handshake.writeHello(rewritten, parsed.id(), parsed.nonce(), parsed.instance(), parsed.data());
        assertEquals(hello.length, rewritten.readInt(), "length prefix of the rewritten HELLO");
        assertArrayEquals(hello, bytes(rewritten), () -> "HELLO writes back differently: "
            + FrameDecoderJazzerTest.hex(input));

        boolean accepted;
        try
        {
            Handshake.verifyProof(Unpooled.wrappedBuffer(proof), parsed.id(), ME.id(), parsed.nonce(), MY_NONCE,
                binding);
            accepted = true;
        }
        catch (final BadInputException e)
        {
            accepted = false;
        }
        catch (final Throwable t)
        {
            throw new AssertionError("PROOF verification threw " + t + " for " + FrameDecoderJazzerTest.hex(input), t);
        }
        if (accepted)
        {
            assertEquals(PEER.id(), parsed.id(), () -> "a PROOF for an id whose key signed nothing was accepted: "
                + FrameDecoderJazzerTest.hex(input));
            final ByteBuf genuine = Unpooled.buffer();
            Handshake.writeProof(genuine, PEER, ME.id(), parsed.nonce(), MY_NONCE, binding);
            genuine.skipBytes(FrameDecoder.PREFIX);
            assertArrayEquals(bytes(genuine), proof, () -> "a PROOF other than the peer's own signature was accepted: "
                + FrameDecoderJazzerTest.hex(input));
        }
    }

    /** Input for {@link #helloAndProof}: the HELLO and PROOF bodies an honest peer sends. */
    static byte[] input(final boolean tls, final byte[] data, final long instance)
    {
        final ByteBuf hello = Unpooled.buffer();
        Handshake.writeHello(hello, PEER.id(), PEER_NONCE, instance, data);
        hello.skipBytes(FrameDecoder.PREFIX);
        final ByteBuf proof = Unpooled.buffer();
        Handshake.writeProof(proof, PEER, ME.id(), PEER_NONCE, MY_NONCE, tls ? BINDING : null);
        proof.skipBytes(FrameDecoder.PREFIX);
        final ByteBuf out = Unpooled.buffer();
        out.writeByte(tls ? TLS : 0);
        out.writeShort(hello.readableBytes());
        out.writeBytes(hello);
        out.writeBytes(proof);
        return bytes(out);
    }

    /**
     * Fails if parsing allocated more than the bound. The first run of a code path also loads classes and links call
     * sites, so an input over the bound is parsed once more and judged by that run.
     */
    private static void checkAllocation(final long before, final byte[] hello)
    {
        final long bound = ALLOCATION_FIXED + ALLOCATION_PER_BYTE * hello.length;
        if (before < 0 || allocatedBytes() - before <= bound)
        {
            return;
        }
        final long again = allocatedBytes();
        try
        {
            Handshake.readHello(Unpooled.wrappedBuffer(hello), MAX_DATA);
        }
        catch (final BadInputException e)
        {
            // Judged by the allocation only.
        }
        final long allocated = allocatedBytes() - again;
        assertTrue(allocated <= bound, () -> "parsing a HELLO of " + hello.length + " bytes allocated " + allocated
            + " bytes (bound " + bound + "): " + FrameDecoderJazzerTest.hex(hello));
    }

    /** Bytes allocated so far by this thread, or -1 where the JVM does not count them. */
    private static long allocatedBytes()
    {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
            && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled()
            ? bean.getCurrentThreadAllocatedBytes() : -1;
    }

    private static byte[] bytes(final ByteBuf buf)
    {
        final byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    private static byte[] filled(final int length, final int value)
    {
        final byte[] out = new byte[length];
        Arrays.fill(out, (byte)value);
        return out;
    }
}
