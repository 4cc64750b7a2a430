package dev.hearsay.engine;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.EventTranslator;
import com.lmax.disruptor.RingBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.util.concurrent.TimeUnit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * An idle dispatcher parked by {@link SignalledIdleStrategy} for as long as its timers allow (ten minutes here), and
 * one publish on the ring. Claim checked ({@link SignalledIdleStrategy}): at low load a park lasts until the next
 * publish on the ring, which ends it at once. The dispatcher loop is the engine's: poll the ring, idle when it was
 * empty; a lost wake-up leaves it parked, and jcstress reports it stale. {@link DispatcherSleepTest} covers the race
 * between the publish and the dispatcher's last look, which jcstress's signal, sent once the actor has started, meets
 * only rarely.
 */
@JCStressTest(Mode.Termination)
@Description("SignalledIdleStrategy: a parked dispatcher wakes for a publish on the ring")
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "the dispatcher woke and handled the event")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "lost wake-up: still parked after the publish")
@Outcome(expect = FORBIDDEN, desc = "the dispatcher loop failed")
@State
public class DispatcherParkTest
{
    private static final long LONG_PARK = TimeUnit.MINUTES.toNanos(10);
    private static final EventTranslator<long[]> WRITE = (slot, sequence) -> slot[0] = sequence;
    private static final EventPoller.Handler<long[]> TAKE = (slot, sequence, endOfBatch) -> true;

    private final DispatcherWakeup wakeup = new DispatcherWakeup();
    private final RingBuffer<long[]> ring = RingBuffer.createMultiProducer(() -> new long[1], 2, wakeup);
    private final EventPoller<long[]> poller = ring.newPoller();
    private final SignalledIdleStrategy idle = new SignalledIdleStrategy(1, 2, LONG_PARK);

    public DispatcherParkTest()
    {
        ring.addGatingSequences(poller.getSequence());
        idle.bind(wakeup, () -> ring.getCursor() > poller.getSequence().get(), () -> LONG_PARK);
    }

    @Actor
    public void dispatcher() throws Exception
    {
        while (poller.poll(TAKE) != EventPoller.PollState.PROCESSING)
        {
            idle.idle(0);
        }
    }

    @Signal
    public void producer()
    {
        ring.publishEvent(WRITE);
    }
}
