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
 * {@link SubscriberQueue#offerLost} under a racing reader: the dispatcher offers five events and, third, a report of
 * {@value QueueScript#LOST} messages the node gave up, into a buffer of two, while one reader takes them. Claims
 * checked (its Javadoc and the class's): the report is read as one {@code Lagged(n)} when it fits; when the buffer is
 * full its count joins the open gap's and is read as part of that Lagged; so the Lagged counts between two events
 * read are exactly the events dropped and the messages given up there, wherever the reader takes the gap, and the
 * drop counter agrees. Once with {@link Next the reader of Subscription.next} and once with {@link Poll the reader
 * of Subscription.poll}; the arbiter takes what the reader left.
 */
public final class SubscriberQueueLostTest
{
    private static final int CAPACITY = 2;

    private SubscriberQueueLostTest()
    {
    }

    /** Reads with {@code pollEvent}. */
    @JCStressTest
    @Description("SubscriberQueue.offerLost against a pollEvent reader: given-up messages counted exactly once")
    @Outcome(id = "OK .*L100.*", expect = ACCEPTABLE, desc = "the lost report fitted: its own Lagged entry")
    @Outcome(id = "OK .*", expect = ACCEPTABLE, desc = "the lost report joined a gap's count")
    @Outcome(id = "BAD .*", expect = FORBIDDEN, desc = "a count lost, doubled or out of place, or an event damaged")
    @Outcome(expect = FORBIDDEN, desc = "not a verdict")
    @State
    public static class Next
    {
        private final QueueScript script = QueueScript.withLostReport(CAPACITY);

        @Actor
        public void dispatcher()
        {
            script.offerAll();
        }

        @Actor
        public void reader()
        {
            script.readByNext(2 * QueueScript.EVENTS);
        }

        @Arbiter
        public void arbiter(final L_Result r)
        {
            r.r1 = script.verdictAfterNext();
        }
    }

    /** Reads with {@code poll} and a handler. */
    @JCStressTest
    @Description("SubscriberQueue.offerLost against a poll reader: given-up messages counted exactly once")
    @Outcome(id = "OK .*L100.*", expect = ACCEPTABLE, desc = "the lost report fitted: its own Lagged entry")
    @Outcome(id = "OK .*", expect = ACCEPTABLE, desc = "the lost report joined a gap's count")
    @Outcome(id = "BAD .*", expect = FORBIDDEN, desc = "a count lost, doubled or out of place, or an event damaged")
    @Outcome(expect = FORBIDDEN, desc = "not a verdict")
    @State
    public static class Poll
    {
        /** Limits of the reader's successive poll calls: a call whose limit the entries fill skips the gap check. */
        private static final int[] LIMITS = {1, 2, 1, 8, 1, 8, 1};

        private final QueueScript script = QueueScript.withLostReport(CAPACITY);

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
