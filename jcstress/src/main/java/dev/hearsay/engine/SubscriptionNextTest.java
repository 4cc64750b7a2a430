package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SubscriptionOptions;
import org.agrona.DirectBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.lang.invoke.VarHandle;
import java.time.Duration;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A reader waiting in {@link EngineSubscription#next(Duration)} on an empty subscription, and the dispatcher offering
 * it an event. Claim checked (the {@link EngineSubscription} Javadoc): the dispatcher unparks a waiting reader at the
 * end of the duty cycle that offered it events, so {@code next} returns that event rather than waiting out its
 * timeout (ten minutes here: a lost wake-up leaves the reader parked, and jcstress reports it stale). The signal
 * repeats the dispatcher's steps: offer, full fence ({@code Dispatcher.wakeDirtySubscriptions}), then
 * {@link EngineSubscription#wakeIfWaiting}. Unlike {@link SubscriptionWakeTest}, the park and unpark are real; the
 * race itself is covered there, since jcstress signals only once the reader has started.
 */
@JCStressTest(Mode.Termination)
@Description("EngineSubscription.next parked on an empty buffer returns the event the dispatcher offers")
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "next returned the offered event")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "lost wake-up: next still parked after the offer")
@Outcome(expect = FORBIDDEN, desc = "next failed, or returned something else")
@State
public class SubscriptionNextTest
{
    /**
     * The engine a subscription asks whether it has closed; never started (no thread, no ring traffic), shared by
     * every run because building one takes a key pair and a ring.
     */
    private static final GossipEngine ENGINE = idleEngine();

    private final EngineSubscription subscription =
        new EngineSubscription(ENGINE, QueueScript.TOPIC, 4, 64, SubscriptionOptions.defaults(), null);

    @Actor
    public void reader() throws InterruptedException
    {
        final GossipEvent event = subscription.next(Duration.ofMinutes(10));
        if (!(event instanceof GossipEvent.Received))
        {
            throw new IllegalStateException("next returned " + event);
        }
    }

    @Signal
    public void dispatcher()
    {
        QueueScript.offerMessage(subscription.queue());
        VarHandle.fullFence();
        subscription.wakeIfWaiting();
    }

    private static GossipEngine idleEngine()
    {
        AgronaAccess.require();
        return new GossipEngine(NodeKey.fromSeed(1L), GossipConfig.builder().ringSize(64).build(), new NoTransport());
    }

    /** A transport for an engine that never starts: nothing is sent or received. */
    private static final class NoTransport implements Transport
    {
        @Override
        public void bind(final NetworkEvents events)
        {
        }

        @Override
        public boolean send(final NodeId peer, final DirectBuffer frame, final int offset, final int length)
        {
            return false;
        }

        @Override
        public void disconnect(final NodeId peer)
        {
        }

        @Override
        public void close()
        {
        }
    }
}
