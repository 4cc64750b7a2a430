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
 * {@link SubscriberQueue}'s hand-off without overflow: the dispatcher offers four events of every kind into a
 * buffer with room for all of them while one reader takes them, with no lock between the two. Claim checked: the
 * entries are plain fields published by the ordered store of the producer's position and read after the volatile
 * read of it, so every event the reader takes is whole (message fields, payload bytes and the payload buffer a slot
 * grew for it), arrives once, and in the order offered. Once with {@link Next the reader of Subscription.next} and
 * once with {@link Poll the reader of Subscription.poll}; the arbiter takes what the reader left.
 */
public final class SubscriberQueueOrderTest
{
    private static final int CAPACITY = 4;
    private static final int EVENTS = 4;

    private SubscriberQueueOrderTest()
    {
    }

    /** Reads with {@code pollEvent}, which copies each event out of its slot. */
    @JCStressTest
    @Description("SubscriberQueue with room for every event, read with pollEvent: whole events, in order")
    @Outcome(id = "OK \\| 1 2 3 4", expect = ACCEPTABLE, desc = "the reader found nothing yet")
    @Outcome(id = "OK 1 \\| 2 3 4", expect = ACCEPTABLE, desc = "the reader took the first event")
    @Outcome(id = "OK 1 2 \\| 3 4", expect = ACCEPTABLE, desc = "the reader took two events")
    @Outcome(id = "OK 1 2 3 \\| 4", expect = ACCEPTABLE, desc = "the reader took three events")
    @Outcome(id = "OK 1 2 3 4 \\|", expect = ACCEPTABLE, desc = "the reader took every event")
    @Outcome(expect = FORBIDDEN, desc = "an event damaged, lost, repeated or out of order")
    @State
    public static class Next
    {
        private final QueueScript script = new QueueScript(CAPACITY, EVENTS);

        @Actor
        public void dispatcher()
        {
            script.offerAll();
        }

        @Actor
        public void reader()
        {
            script.readByNext(2 * EVENTS);
        }

        @Arbiter
        public void arbiter(final L_Result r)
        {
            r.r1 = script.verdictAfterNext();
        }
    }

    /** Reads with {@code poll} and a handler, which reads each event in its slot during the callback. */
    @JCStressTest
    @Description("SubscriberQueue with room for every event, read with poll: whole events, in order")
    @Outcome(id = "OK \\| 1 2 3 4", expect = ACCEPTABLE, desc = "the reader found nothing yet")
    @Outcome(id = "OK 1 \\| 2 3 4", expect = ACCEPTABLE, desc = "the reader took the first event")
    @Outcome(id = "OK 1 2 \\| 3 4", expect = ACCEPTABLE, desc = "the reader took two events")
    @Outcome(id = "OK 1 2 3 \\| 4", expect = ACCEPTABLE, desc = "the reader took three events")
    @Outcome(id = "OK 1 2 3 4 \\|", expect = ACCEPTABLE, desc = "the reader took every event")
    @Outcome(expect = FORBIDDEN, desc = "an event damaged, lost, repeated or out of order")
    @State
    public static class Poll
    {
        /** Limits of the reader's successive poll calls: batches of one and of several. */
        private static final int[] LIMITS = {1, 2, 1, 8, 8};

        private final QueueScript script = new QueueScript(CAPACITY, EVENTS);

        @Actor
        public void dispatcher()
        {
            script.offerAll();
        }

        @Actor
        public void reader()
        {
            script.readByPoll(LIMITS);
        }

        @Arbiter
        public void arbiter(final L_Result r)
        {
            r.r1 = script.verdictAfterPoll();
        }
    }
}
