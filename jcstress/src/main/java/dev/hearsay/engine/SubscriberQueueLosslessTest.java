package dev.hearsay.engine;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The two checks the dispatcher makes on a lossless subscription's buffer while its reader takes events, with no
 * lock between them. Claims checked: {@code lacksRoom} may see less room than there is (the reader's position it
 * last read is stale), never more, so an offer made after it said there was room is never dropped; and
 * {@code drained} is true only once the reader has taken every event offered so far, so a reader is never taken for
 * caught up (and its slow-subscriber clock reset) while events still wait for it. The dispatcher offers as a
 * lossless subscription does: after each offer, if the buffer lacks room for one more, it holds (stops). The
 * arbiter takes what the reader left.
 */
@JCStressTest
@Description("Lossless SubscriberQueue: no drop after lacksRoom said there was room; drained only when all was read")
@Outcome(id = "OK held, drained", expect = ACCEPTABLE, desc = "held at a full buffer; the reader had read it all")
@Outcome(id = "OK held, not drained", expect = ACCEPTABLE, desc = "held at a full buffer; events still waited")
@Outcome(id = "OK all offered, drained", expect = ACCEPTABLE, desc = "the reader kept up, and read everything")
@Outcome(id = "OK all offered, not drained", expect = ACCEPTABLE, desc = "the reader kept up; events still waited")
@Outcome(id = "BAD .*", expect = FORBIDDEN, desc = "a drop after room was seen, drained before all was read, or "
    + "an event lost")
@Outcome(expect = FORBIDDEN, desc = "not a verdict")
@State
public class SubscriberQueueLosslessTest
{
    private static final int CAPACITY = 4;
    private static final int EVENTS = 6;

    private final SubscriberQueue queue = new SubscriberQueue(CAPACITY, 256);
    // Dispatcher's.
    private int offered;
    private boolean dropped;
    private boolean held;
    private boolean drained;
    // Reader's, then the arbiter's.
    private int readerTook;

    @Actor
    public void dispatcher()
    {
        for (int i = 0; i < EVENTS; i++)
        {
            if (!QueueScript.offerMessage(queue))
            {
                dropped = true;
                return;
            }
            offered++;
            if (queue.lacksRoom(1))
            {
                held = true;
                break;
            }
        }
        drained = queue.drained();
    }

    @Actor
    public void reader()
    {
        for (int i = 0; i < 2 * EVENTS; i++)
        {
            if (queue.pollEvent() != null)
            {
                readerTook++;
            }
        }
    }

    @Arbiter
    public void arbiter(final L_Result r)
    {
        int total = readerTook;
        while (queue.pollEvent() != null)
        {
            total++;
        }
        if (dropped)
        {
            r.r1 = "BAD dropped after room was seen (offer " + (offered + 1) + ")";
        }
        else if (drained && readerTook < offered)
        {
            r.r1 = "BAD drained with " + (offered - readerTook) + " events unread";
        }
        else if (total != offered)
        {
            r.r1 = "BAD offered " + offered + ", read " + total;
        }
        else
        {
            r.r1 = "OK " + (held ? "held" : "all offered") + ", " + (drained ? "drained" : "not drained");
        }
    }
}
