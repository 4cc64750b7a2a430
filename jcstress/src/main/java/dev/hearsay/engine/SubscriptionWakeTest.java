package dev.hearsay.engine;

import dev.hearsay.GossipHandler;
import dev.hearsay.SubscriptionOptions;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The reader's side of a subscription wake-up, at the moment it races with the dispatcher. Claim checked
 * ({@link EngineSubscription#wakeOnEvents} and {@code Subscription.wakeOnEvents}): a reader that registers, polls
 * once more and would park when that finds nothing is always woken, because of the Dekker pairing of the fence after
 * its registration with the dispatcher's fence between offering and reading the registration
 * ({@code Dispatcher.wakeDirtySubscriptions}, which the dispatcher actor repeats here: offer, full fence, read the
 * waiter as {@link EngineSubscription#wakeIfWaiting} does). Either the reader's poll finds the event, or the
 * dispatcher finds the reader registered. The offer races with the reader's first poll over a buffer of one, so it
 * is sometimes accepted and sometimes dropped; a drop must wake the reader too, which then finds a Lagged.
 * <p>
 * Results: events the reader's last poll found; whether the dispatcher saw the registration; whether the offer was
 * accepted.
 */
@JCStressTest
@Description("EngineSubscription.wakeOnEvents against an offer: the reader finds the event or is unparked")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the reader found the event; no wake-up needed")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the reader found the event, and is woken as well")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "the reader would park; the dispatcher wakes it")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "dropped; the reader found the Lagged")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "dropped; the reader found the Lagged, and is woken as well")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "dropped; the reader would park; the dispatcher wakes it")
@Outcome(id = "0, 0, .", expect = FORBIDDEN, desc = "lost wake-up: the reader parks and nobody wakes it")
@Outcome(expect = FORBIDDEN, desc = "not an outcome of this test")
@State
public class SubscriptionWakeTest
{
    private static final VarHandle WAITER = PrivateField.of(EngineSubscription.class, "waiter", Thread.class);
    private static final GossipHandler IGNORE = (topic, buffer, offset, length, author, from, hops) -> { };

    private final EngineSubscription subscription;

    public SubscriptionWakeTest()
    {
        AgronaAccess.require();
        // A buffer of one, full: the offer below is dropped unless the reader has taken this event first.
        subscription = new EngineSubscription(null, QueueScript.TOPIC, 1, 64, SubscriptionOptions.defaults(), null);
        QueueScript.offerMessage(subscription.queue());
    }

    @Actor
    public void reader(final III_Result r)
    {
        subscription.poll(IGNORE, 1);
        subscription.wakeOnEvents(Thread.currentThread());
        r.r1 = subscription.poll(IGNORE, 8);
    }

    @Actor
    public void dispatcher(final III_Result r)
    {
        r.r3 = QueueScript.offerMessage(subscription.queue()) ? 1 : 0;
        VarHandle.fullFence();
        r.r2 = WAITER.getVolatile(subscription) != null ? 1 : 0;
    }
}
