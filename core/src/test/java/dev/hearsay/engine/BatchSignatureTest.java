package dev.hearsay.engine;

import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.WireFormat;
import dev.hearsay.proto.Gossip;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch signatures: a run of an author's messages signed once over the Merkle root of their hashes, each message
 * verified on its own by its path; any change to a message, its path or the root's signature fails, and a verified
 * root spares the verifier the Ed25519 check for the rest of its run.
 */
final class BatchSignatureTest
{
    private static final TopicId TOPIC = TopicId.of("batched");
    private static final NodeKey AUTHOR = EngineTestSupport.key(70);
    private static final NodeKey OTHER = EngineTestSupport.key(71);

    /** A run of {@code n} messages by {@link #AUTHOR}, signed at once: each message with its own proof. */
    private static Gossip[] signedRun(final int n, final long firstSequence)
    {
        final MessageSigning signing = new MessageSigning(AUTHOR);
        final SignatureBatch run = new SignatureBatch();
        run.startRun();
        final Gossip[] messages = new Gossip[n];
        for (int i = 0; i < n; i++)
        {
            final byte[] payload = ("message " + i + " of " + n).getBytes(StandardCharsets.UTF_8);
            messages[i] = new Gossip().set(AUTHOR.id(), 7, firstSequence + i, 0, i % 5 == 4)
                .payload(new UnsafeBuffer(payload), 0, payload.length);
            messages[i].topic(TOPIC);
            final Gossip m = messages[i];
            signing.addLeaf(run, TOPIC, AUTHOR.id(), m.epoch(), m.sequence(), m.neighborsOnly(), m.payloadBuffer(),
                m.payloadOffset(), m.payloadLength());
        }
        final byte[] rootSignature = new byte[Gossip.SIGNATURE_LENGTH];
        signing.signRun(run, rootSignature, 0);
        for (int i = 0; i < n; i++)
        {
            final UnsafeBuffer proof = new UnsafeBuffer(new byte[WireFormat.MAX_SIGNATURE_TRAILER_LENGTH]);
            final int length = run.writeProof(i, rootSignature, 0, proof, 0);
            messages[i].signature(proof, 0, length);
        }
        return messages;
    }

    private static int ceilLog2(final int n)
    {
        return 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    @Test
    @Timeout(60)
    void everyMessageOfEveryRunSizeVerifiesByItsPath()
    {
        for (int n = 2; n <= SignatureBatch.MAX_RUN; n = n < 20 ? n + 1 : n * 2 - 3)
        {
            final Gossip[] run = signedRun(Math.min(n, SignatureBatch.MAX_RUN), 100);
            final MessageSigning verifier = new MessageSigning(null);
            int ed25519 = 0;
            for (final Gossip m : run)
            {
                assertTrue(m.batchSigned());
                final int depth = m.signatureBuffer().getByte(WireFormat.SIGNATURE_LENGTH);
                assertTrue(depth >= 1 && depth <= ceilLog2(run.length), "depth " + depth + " of a run of " + run.length);
                assertEquals(WireFormat.batchProofLength(depth), m.signatureLength());
                assertEquals(MessageSigning.VALID, verifier.check(m), m + " of a run of " + run.length);
                ed25519 += verifier.lastCheckVerifiedSignature() ? 1 : 0;
            }
            assertEquals(1, ed25519, "one Ed25519 verification for a run of " + run.length);
        }
        assertEquals(SignatureBatch.MAX_RUN, signedRun(SignatureBatch.MAX_RUN, 1).length);
    }

    @Test
    @Timeout(30)
    void anyChangeToAMessageOrItsProofFails()
    {
        final Gossip[] run = signedRun(13, 1);
        final Gossip m = run[6];
        final byte[] proof = new byte[m.signatureLength()];
        m.signatureBuffer().getBytes(0, proof);
        final byte[] payload = m.payloadBytes();
        for (int i = 0; i < proof.length; i++)
        {
            for (final int flip : new int[] {0x01, 0x80})
            {
                final byte[] altered = proof.clone();
                altered[i] ^= (byte)flip;
                final Gossip copy = m.copy().signature(new UnsafeBuffer(altered), 0, altered.length);
                assertEquals(MessageSigning.INVALID, new MessageSigning(null).check(copy),
                    "proof byte " + i + " ^ " + flip);
            }
        }
        final byte[] alteredPayload = payload.clone();
        alteredPayload[0] ^= 1;
        final Gossip changed = m.copy().payload(new UnsafeBuffer(alteredPayload), 0, alteredPayload.length);
        assertEquals(MessageSigning.INVALID, new MessageSigning(null).check(changed), "payload");
        final Gossip renumbered = m.copy();
        renumbered.set(AUTHOR.id(), m.epoch(), m.sequence() + 1, 0, m.neighborsOnly())
            .signature(new UnsafeBuffer(proof), 0, proof.length);
        assertEquals(MessageSigning.INVALID, new MessageSigning(null).check(renumbered), "sequence");
        final Gossip rescoped = m.copy();
        rescoped.set(AUTHOR.id(), m.epoch(), m.sequence(), 0, !m.neighborsOnly())
            .signature(new UnsafeBuffer(proof), 0, proof.length);
        assertEquals(MessageSigning.INVALID, new MessageSigning(null).check(rescoped), "scope");
        // Another author cannot claim the run: the root was signed by AUTHOR's key.
        final Gossip claimed = m.copy();
        claimed.set(OTHER.id(), m.epoch(), m.sequence(), 0, m.neighborsOnly())
            .signature(new UnsafeBuffer(proof), 0, proof.length);
        assertEquals(MessageSigning.INVALID, new MessageSigning(null).check(claimed), "author");
        assertEquals(MessageSigning.VALID, new MessageSigning(null).check(m), "the original still verifies");
    }

    @Test
    @Timeout(30)
    void aVerifiedRootIsNeverTakenForAnotherAuthorsOrAnotherRun()
    {
        final MessageSigning verifier = new MessageSigning(null);
        final Gossip[] first = signedRun(8, 1);
        assertEquals(MessageSigning.VALID, verifier.check(first[0]));
        assertTrue(verifier.lastCheckVerifiedSignature());
        assertEquals(MessageSigning.VALID, verifier.check(first[5]));
        assertFalse(verifier.lastCheckVerifiedSignature(), "the run's root was verified already");
        // The same path under another author's name leads to the same root, which that author never signed.
        final Gossip claimed = first[3].copy();
        final byte[] proof = new byte[claimed.signatureLength()];
        claimed.signatureBuffer().getBytes(0, proof);
        claimed.set(OTHER.id(), claimed.epoch(), claimed.sequence(), 0, claimed.neighborsOnly())
            .signature(new UnsafeBuffer(proof), 0, proof.length);
        assertEquals(MessageSigning.INVALID, verifier.check(claimed));
        // A second run has a root of its own: verified once more.
        final Gossip[] second = signedRun(8, 9);
        assertEquals(MessageSigning.VALID, verifier.check(second[2]));
        assertTrue(verifier.lastCheckVerifiedSignature());
        // A proof with a root signature that does not verify is never cached as verified.
        final Gossip[] third = signedRun(4, 17);
        final byte[] badRoot = new byte[third[0].signatureLength()];
        third[0].signatureBuffer().getBytes(0, badRoot);
        badRoot[10] ^= 1;
        final Gossip forged = third[0].copy().signature(new UnsafeBuffer(badRoot), 0, badRoot.length);
        assertEquals(MessageSigning.INVALID, verifier.check(forged));
        assertEquals(MessageSigning.VALID, verifier.check(third[1]));
        assertTrue(verifier.lastCheckVerifiedSignature(), "the forged root signature was not cached");
    }

    @Test
    @Timeout(10)
    void aRunNeedsTwoMessagesAndHoldsAtMostTheProofDepthAllows()
    {
        final SignatureBatch run = new SignatureBatch();
        run.startRun();
        run.addLeaf(new byte[3], 3);
        assertThrows(IllegalStateException.class, run::buildTree);
        for (int i = 1; i < SignatureBatch.MAX_RUN; i++)
        {
            run.addLeaf(new byte[] {(byte)i}, 1);
        }
        assertThrows(IllegalStateException.class, () -> run.addLeaf(new byte[1], 1));
        assertEquals(SignatureBatch.MAX_RUN, run.size());
    }
}
