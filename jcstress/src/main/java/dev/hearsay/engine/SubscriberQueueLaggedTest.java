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
 * {@link SubscriberQueue}'s overflow policy under a racing reader: the dispatcher offers five events into a buffer
 * of two while one reader takes them. Claims checked (the class Javadoc): an offer to a full buffer drops the
 * event; the reader learns of the drops right where they happened, after the last event buffered before them,
 * either from the Lagged entry the producer writes ahead of its next event once both fit ({@code L} in the trace)
 * or by taking the gap itself once it has read up to it ({@code T}); each side takes the gap with a compare-and-set
 * of the whole word, so every drop is reported exactly once, with its count, never as two Lagged in a row; every
 * event read is whole (slots are reused and their buffers regrown here) and in order; the drop counter and the
 * offers' return values agree with what the reader saw. Once with {@link Next the reader of Subscription.next} and
 * once with {@link Poll the reader of Subscription.poll}; the arbiter takes what the reader left.
 */
public final class SubscriberQueueLaggedTest
{
    private static final int CAPACITY = 2;
    private static final int EVENTS = 5;

    private SubscriberQueueLaggedTest()
    {
    }

    /** Reads with {@code pollEvent}. */
    @JCStressTest
    @Description("SubscriberQueue overflowing under a pollEvent reader: each drop reported once, where it happened")
    @Outcome(id = "OK [0-9 |]*", expect = ACCEPTABLE, desc = "the reader kept up: nothing dropped")
    @Outcome(id = "OK .*L.*", expect = ACCEPTABLE, desc = "drops reported by the producer's Lagged entry")
    @Outcome(id = "OK .*T.*", expect = ACCEPTABLE, desc = "drops reported by the reader taking the gap")
    @Outcome(id = "BAD .*", expect = FORBIDDEN, desc = "a drop lost, reported twice or out of place, or an "
        + "event damaged")
    @Outcome(expect = FORBIDDEN, desc = "not a verdict")
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

    /** Reads with {@code poll} and a handler. */
    @JCStressTest
    @Description("SubscriberQueue overflowing under a poll reader: each drop reported once, where it happened")
    @Outcome(id = "OK [0-9 |]*", expect = ACCEPTABLE, desc = "the reader kept up: nothing dropped")
    @Outcome(id = "OK .*L.*", expect = ACCEPTABLE, desc = "drops reported by the producer's Lagged entry")
    @Outcome(id = "OK .*T.*", expect = ACCEPTABLE, desc = "drops reported by the reader taking the gap")
    @Outcome(id = "BAD .*", expect = FORBIDDEN, desc = "a drop lost, reported twice or out of place, or an "
        + "event damaged")
    @Outcome(expect = FORBIDDEN, desc = "not a verdict")
    @State
    public static class Poll
    {
        /** Limits of the reader's successive poll calls: a call whose limit the entries fill skips the gap check. */
        private static final int[] LIMITS = {1, 2, 1, 8, 1, 8};

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
