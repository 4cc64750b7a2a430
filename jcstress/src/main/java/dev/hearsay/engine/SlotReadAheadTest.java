package dev.hearsay.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A publishing thread leaving a broadcast unsigned for a run, as {@code GossipEngine.publishForRunSigning} fills its
 * ring slot (payload copied into a buffer the slot grows to leave room for a proof, the flag, the message sequence,
 * the kind, then {@link Slot#awaitingSignatureAs(long)} last), racing the dispatcher reading that slot ahead of its
 * poller as {@link RunSigner} does (the ring sequence first, then the flag and the fields). Claim checked
 * ({@link RunSigner}'s Javadoc): a slot read ahead joins a run only whole; a reader that sees the ring sequence sees
 * every field written before it, the grown payload buffer included, and one that does not see it stops there.
 * <p>
 * Results: the ring sequence the reader saw (-1: not yet), the message sequence it then read, and 1 if the payload
 * bytes, the length, the kind and the room for the proof were all those written (0 if not read, -1 if stale).
 */
@JCStressTest
@Description("Slot: a broadcast left for a run is read ahead of the poller only whole")
@Outcome(id = "-1, 0, 0", expect = ACCEPTABLE, desc = "not published yet: the run stops before the slot")
@Outcome(id = "7, 42, 1", expect = ACCEPTABLE, desc = "published: every field seen as written")
@Outcome(expect = FORBIDDEN, desc = "the ring sequence seen with a stale field")
@State
public class SlotReadAheadTest
{
    private static final long RING_SEQUENCE = 7;
    private static final long MESSAGE_SEQUENCE = 42;
    private static final int PAYLOAD = 64;
    private static final int PROOF_ROOM = 322;
    private static final byte FILL = 0x5A;

    private final Slot slot = new Slot(1024, 1024, new SpareBuffers(1024, 1));
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);

    public SlotReadAheadTest()
    {
        payload.setMemory(0, PAYLOAD, FILL);
    }

    @Actor
    public void publisher()
    {
        slot.copyLeavingRoom(payload, 0, PAYLOAD, PROOF_ROOM);
        slot.awaitingSignature = true;
        slot.sequence = MESSAGE_SEQUENCE;
        slot.kind = Slot.BROADCAST;
        slot.awaitingSignatureAs(RING_SEQUENCE);
    }

    @Actor
    public void dispatcher(final III_Result r)
    {
        if (slot.awaitingSignatureAs() != RING_SEQUENCE || !slot.awaitingSignature)
        {
            r.r1 = -1;
            return;
        }
        r.r1 = (int)RING_SEQUENCE;
        r.r2 = (int)slot.sequence;
        final boolean whole = slot.length == PAYLOAD && slot.kind == Slot.BROADCAST
            && slot.buffer.capacity() >= PAYLOAD + PROOF_ROOM
            && slot.buffer.getByte(0) == FILL && slot.buffer.getByte(PAYLOAD - 1) == FILL;
        r.r3 = whole ? 1 : -1;
    }
}
