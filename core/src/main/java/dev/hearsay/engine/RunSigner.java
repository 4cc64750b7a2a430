package dev.hearsay.engine;

import com.lmax.disruptor.RingBuffer;
import dev.hearsay.NodeId;
import dev.hearsay.proto.Gossip;

/**
 * Signs the broadcasts that publishing threads left unsigned in the ring because they came in a burst
 * ({@code GossipConfig.maxMessagesPerSignature}). Owned by the dispatcher: when it reaches such a broadcast it reads
 * ahead over the unsigned broadcasts published right behind it (up to the first slot that holds anything else or is
 * not published yet, at most the run limit) and signs them at once: one Ed25519 signature over the Merkle root of their hashes ({@link SignatureBatch}), each slot
 * getting its batch proof after its payload. A run of one gets a plain signature. So a burst costs about one
 * signature per run, and runs grow with the backlog: the busier the dispatcher, the fewer signatures per message.
 * <p>
 * Reading and writing slots ahead of the poller is safe: a slot joins a run only once it reads its own ring sequence
 * in {@link Slot#awaitingSignatureAs()}, which its producer stores (with release) after everything else it wrote,
 * and no producer claims it again until the dispatcher has handled it. Nothing is allocated per run.
 */
final class RunSigner
{
    private final RingBuffer<Slot> ring;
    private final MessageSigning signing;
    private final NodeId author;
    private final int epoch;
    private final int maxRun;
    private final SignatureBatch run = new SignatureBatch();
    private final Slot[] members;
    private final byte[] rootSignature = new byte[Gossip.SIGNATURE_LENGTH];

    RunSigner(final RingBuffer<Slot> ring, final MessageSigning signing, final NodeId author, final int epoch,
        final int maxRun)
    {
        if (maxRun < 1 || maxRun > SignatureBatch.MAX_RUN)
        {
            throw new IllegalArgumentException("maxRun: " + maxRun + " not in 1.." + SignatureBatch.MAX_RUN);
        }
        this.ring = ring;
        this.signing = signing;
        this.author = author;
        this.epoch = epoch;
        this.maxRun = maxRun;
        this.members = new Slot[maxRun];
    }

    /**
     * Signs the unsigned broadcast in ring slot {@code first} and the unsigned ones published right after it (at
     * most the run limit); returns how many it signed.
     */
    int signFrom(final long first)
    {
        int count = 0;
        for (long s = first; count < maxRun; s++)
        {
            final Slot slot = ring.get(s);
            // The first slot is the event being handled; a later one joins only once its publisher is done with it
            // (its sequence read first: the publisher stores it last).
            if (s != first && slot.awaitingSignatureAs() != s || !slot.awaitingSignature)
            {
                break;
            }
            members[count++] = slot;
        }
        if (count == 1)
        {
            final Slot slot = members[0];
            signing.sign(slot.topic, author, epoch, slot.sequence, slot.kind == Slot.BROADCAST_NEIGHBORS,
                slot.buffer, 0, slot.length, slot.buffer, slot.length);
            signed(slot, Gossip.SIGNATURE_LENGTH);
        }
        else
        {
            // Hashed only now: a run of one is signed as it is, with no tree.
            run.startRun();
            for (int i = 0; i < count; i++)
            {
                final Slot slot = members[i];
                signing.addLeaf(run, slot.topic, author, epoch, slot.sequence, slot.kind == Slot.BROADCAST_NEIGHBORS,
                    slot.buffer, 0, slot.length);
            }
            signing.signRun(run, rootSignature, 0);
            for (int i = 0; i < count; i++)
            {
                final Slot slot = members[i];
                signed(slot, run.writeProof(i, rootSignature, 0, slot.buffer, slot.length));
            }
        }
        java.util.Arrays.fill(members, 0, count, null);
        return count;
    }

    private static void signed(final Slot slot, final int signatureLength)
    {
        slot.signatureLength = signatureLength;
        slot.signed = true;
        slot.awaitingSignature = false;
    }

    /**
     * With a signature linger of {@code lingerNanos}: the time until which the dispatcher waits before handling ring
     * slot {@code head}, or {@link Long#MIN_VALUE} if it need not wait: {@code head} is not an unsigned broadcast
     * published for a run, or the run behind it is full already.
     */
    long lingerUntil(final long head, final long lingerNanos)
    {
        final Slot first = ring.get(head);
        if (first.awaitingSignatureAs() != head || !first.awaitingSignature)
        {
            return Long.MIN_VALUE;
        }
        long s = head + 1;
        while (s - head < maxRun && ring.get(s).awaitingSignatureAs() == s)
        {
            s++;
        }
        return s - head >= maxRun ? Long.MIN_VALUE : first.publishedNanos + lingerNanos;
    }
}
