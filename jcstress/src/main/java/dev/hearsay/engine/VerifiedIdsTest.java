package dev.hearsay.engine;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two I/O threads recording ids that share a slot of {@link VerifiedIds}. Claims checked (its Javadoc): a new id
 * overwrites whatever its slot held, and the release stores and acquire loads make every reader see whole 64-bit
 * values, never the high half of one id with the low half of the other (the two ids differ in both halves). Being
 * single-location accesses stronger than plain ones, they are also coherent: two threads that each record an id and
 * then look see one order of the two writes, and the slot ends with the later one.
 * <p>
 * Each writer looks with one acquire load of the slot, as {@link VerifiedIds#contains} makes: asking
 * {@code contains} for each id in turn would read the slot several times, and a write landing between two reads
 * would make both answers false without anything being wrong. The arbiter, alone by then, asks {@code contains}.
 * <p>
 * Results: what each writer sees in the slot just after its own write, then what the arbiter finds at the end
 * (1: the first id, 2: the second, 3: a mix of the two, 0: neither).
 */
@JCStressTest
@Description("VerifiedIds: racing writers on one slot; whole values, one order of the writes")
@Outcome(id = "1, 2, [12]", expect = ACCEPTABLE, desc = "each saw its own id; either was written last")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the first id was written last; both saw it")
@Outcome(id = "2, 2, 2", expect = ACCEPTABLE, desc = "the second id was written last; both saw it")
@Outcome(id = "2, 1, .", expect = FORBIDDEN, desc = "each saw the other's id: the writes in two orders")
@Outcome(id = ".*3.*", expect = FORBIDDEN, desc = "torn: halves of two ids")
@Outcome(expect = FORBIDDEN, desc = "an id lost, or the slot ending on the earlier write")
@State
public class VerifiedIdsTest
{
    /** Both map to slot 5 (the index is taken from bits 32 and up); they differ in both 32-bit halves. */
    private static final int SLOT = 5;
    private static final long FIRST = 0x1000_0005_1111_1111L;
    private static final long SECOND = 0x2000_4005_2222_2222L;
    private static final long MIX_A = (FIRST & 0xFFFF_FFFF_0000_0000L) | (SECOND & 0xFFFF_FFFFL);
    private static final long MIX_B = (SECOND & 0xFFFF_FFFF_0000_0000L) | (FIRST & 0xFFFF_FFFFL);
    private static final VarHandle SLOTS = PrivateField.of(VerifiedIds.class, "slots", AtomicLongArray.class);

    private final VerifiedIds ids = new VerifiedIds();
    private final AtomicLongArray slots = (AtomicLongArray)SLOTS.get(ids);

    @Actor
    public void first(final III_Result r)
    {
        ids.add(FIRST);
        r.r1 = classify(slots.getAcquire(SLOT));
    }

    @Actor
    public void second(final III_Result r)
    {
        ids.add(SECOND);
        r.r2 = classify(slots.getAcquire(SLOT));
    }

    @Arbiter
    public void arbiter(final III_Result r)
    {
        r.r3 = ids.contains(FIRST) ? 1 : ids.contains(SECOND) ? 2 : ids.contains(MIX_A) || ids.contains(MIX_B) ? 3 : 0;
    }

    private static int classify(final long value)
    {
        return value == FIRST ? 1 : value == SECOND ? 2 : value == MIX_A || value == MIX_B ? 3 : 0;
    }
}
