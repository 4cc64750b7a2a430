package dev.hearsay.engine;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.EventTranslator;
import com.lmax.disruptor.RingBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The dispatcher falling asleep while a producer publishes on the ring. Claims checked ({@link DispatcherWakeup},
 * {@link SignalledIdleStrategy}): the sleeper announces itself, fences, and looks at the ring one last time; every
 * publish ends in a full fence and a look at the sleeper field; so either the last look sees the publish (or its
 * claim) and the dispatcher does not park, or the publish finds the sleeper and takes it (compare-and-set to null)
 * to unpark it. Runs the real {@link SignalledIdleStrategy#idle()} over a real multi-producer ring with the engine's
 * "has work" test (any sequence claimed beyond the dispatcher's position); only the park itself is left out: at the
 * point where the strategy would park, it waits for the publish to return and then reads whether the publish took
 * the sleeper. {@link DispatcherParkTest} does park.
 * <p>
 * Results: whether the dispatcher's last look saw the publish; whether, having decided to park, it was taken to be
 * unparked.
 */
@JCStressTest
@Description("SignalledIdleStrategy/DispatcherWakeup: a publish racing with the dispatcher's sleep is never missed")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the last look saw the publish: no park")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "parks; the publish found the sleeper and unparks it")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost wake-up: parks, and the publish left it asleep")
@Outcome(expect = FORBIDDEN, desc = "not an outcome of this test")
@State
public class DispatcherSleepTest
{
    private static final VarHandle SLEEPER = PrivateField.of(DispatcherWakeup.class, "sleeper", Thread.class);
    private static final EventTranslator<long[]> WRITE = (slot, sequence) -> slot[0] = sequence;

    private final DispatcherWakeup wakeup = new DispatcherWakeup();
    private final RingBuffer<long[]> ring = RingBuffer.createMultiProducer(() -> new long[1], 2, wakeup);
    /** No spins or yields: every idle() call goes to the signalled park. */
    private final SignalledIdleStrategy idle = new SignalledIdleStrategy(0, 0, Long.MAX_VALUE);
    private volatile boolean published;
    private boolean parked;
    private boolean taken;

    public DispatcherSleepTest()
    {
        final EventPoller<long[]> poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        idle.bind(wakeup, () -> ring.getCursor() > poller.getSequence().get(), this::parkDeadline);
    }

    /** Called by the strategy when it has decided to park: the sleeper is announced and saw no work. */
    private long parkDeadline()
    {
        while (!published)
        {
            // Only the producer actor of this same state is awaited, and it never waits: this ends.
            Thread.onSpinWait();
        }
        parked = true;
        taken = SLEEPER.getVolatile(wakeup) == null;
        return 0; // no park
    }

    @Actor
    public void producer()
    {
        ring.publishEvent(WRITE);
        published = true;
    }

    @Actor
    public void dispatcher(final II_Result r)
    {
        idle.idle();
        r.r1 = parked ? 0 : 1;
        r.r2 = taken ? 1 : 0;
    }
}
