package dev.hearsay.engine;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher's signalled park, on a bare ring: a consumer that parks for up to a minute must still see every
 * publish within the test's timeout, so a lost wake-up fails the test instead of passing slowly.
 */
class SignalledIdleStrategyTest
{
    private static final long LONG_PARK = TimeUnit.MINUTES.toNanos(1);

    /** A consumer thread polling a ring with the strategy, as the dispatcher's AgentRunner does. */
    private static final class Consumer implements Runnable, AutoCloseable
    {
        final DispatcherWakeup wakeup = new DispatcherWakeup();
        final RingBuffer<long[]> ring = RingBuffer.createMultiProducer(() -> new long[1], 1024, wakeup);
        final EventPoller<long[]> poller = ring.newPoller();
        final SignalledIdleStrategy idle = new SignalledIdleStrategy(1, 2, LONG_PARK);
        final AtomicLong consumed = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(this, "consumer");

        /** Binds the strategy and starts the consumer thread. */
        Consumer()
        {
            thread.setDaemon(true);
            ring.addGatingSequences(poller.getSequence());
            idle.bind(wakeup, () -> ring.getCursor() > poller.getSequence().get(), () -> Long.MAX_VALUE);
            thread.start();
        }

        @Override
        public void run()
        {
            while (running.get())
            {
                final long before = consumed.get();
                try
                {
                    poller.poll((event, sequence, endOfBatch) ->
                    {
                        consumed.incrementAndGet();
                        return true;
                    });
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
                idle.idle((int)(consumed.get() - before));
            }
        }

        boolean parked()
        {
            return LockSupport.getBlocker(thread) == idle;
        }

        void publish()
        {
            final long sequence = ring.next();
            ring.get(sequence)[0] = sequence;
            ring.publish(sequence);
        }

        @Override
        public void close() throws InterruptedException
        {
            running.set(false);
            LockSupport.unpark(thread);
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** Spins until {@code condition} holds; fails after 20 s, a third of the consumer's park. */
    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    @Timeout(60)
    void everyPublishWakesAParkedConsumer() throws InterruptedException
    {
        try (Consumer consumer = new Consumer())
        {
            for (int i = 1; i <= 300; i++)
            {
                awaitTrue(consumer::parked, "the consumer parks");
                consumer.publish();
                final long expected = i;
                // Within the test's timeout, not the minute-long park: only the publish can have woken it.
                awaitTrue(() -> consumer.consumed.get() == expected, "publish " + i + " wakes the consumer");
            }
        }
    }

    /**
     * Producers racing the consumer as it falls asleep, in every phase of its backoff: a publish that lands just as
     * it announces itself must either be seen by its last look at the ring or unpark it.
     */
    @Test
    @Timeout(60)
    void racingProducersNeverLeaveAnEventUnseen() throws InterruptedException
    {
        final int producers = 2;
        final int perProducer = 20_000;
        final Thread[] threads = new Thread[producers];
        try (Consumer consumer = new Consumer())
        {
            for (int p = 0; p < producers; p++)
            {
                final long seed = p + 1;
                threads[p] = new Thread(() ->
                {
                    final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    for (int i = 0; i < perProducer; i++)
                    {
                        consumer.publish();
                        // Vary the gaps so that publishes meet the consumer spinning, yielding and parking.
                        final int pause = random.nextInt(200);
                        for (int s = 0; s < pause; s++)
                        {
                            Thread.onSpinWait();
                        }
                        if (random.nextInt(64) == 0)
                        {
                            Thread.yield();
                        }
                    }
                }, "producer-" + p);
                threads[p].start();
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            awaitTrue(() -> consumer.consumed.get() == (long)producers * perProducer, "every event consumed");
            assertEquals((long)producers * perProducer, consumer.consumed.get());
        }
    }

    /**
     * Under load (at least {@link SignalledIdleStrategy#BUSY_EVENTS} events a millisecond) a park is timed and does
     * not look at the ring; once the load is gone the next park is signalled again (it takes its last look).
     */
    @Test
    @Timeout(10)
    void parksOnATimerUnderLoadAndWaitsForASignalWhenIdle()
    {
        final SignalledIdleStrategy idle = new SignalledIdleStrategy(0, 0, TimeUnit.MILLISECONDS.toNanos(1));
        final AtomicLong looks = new AtomicLong();
        idle.bind(new DispatcherWakeup(), () ->
        {
            looks.incrementAndGet();
            return false;
        }, () -> Long.MAX_VALUE);
        // Two milliseconds of busy duty cycles, then nothing to do.
        final long loadedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
        while (System.nanoTime() - loadedUntil < 0)
        {
            idle.idle((int)SignalledIdleStrategy.BUSY_EVENTS);
        }
        idle.idle(0);
        assertEquals(0, looks.get(), "a loaded dispatcher waited for a signal");
        // A millisecond and more with no work: the next park is signalled.
        final long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
        while (System.nanoTime() - quietUntil < 0)
        {
            Thread.onSpinWait();
        }
        idle.idle(0);
        assertEquals(1, looks.get(), "an idle dispatcher parked on a timer");
    }

    @Test
    @Timeout(10)
    void unboundItParksForAtMostItsLongestPark()
    {
        final SignalledIdleStrategy idle = new SignalledIdleStrategy(0, 0, TimeUnit.MILLISECONDS.toNanos(1));
        final long start = System.nanoTime();
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "an unbound park outlived its bound");
    }

    @Test
    @Timeout(30)
    void anIdleDispatcherSleepsUntilItsDeadlineNotItsLongestPark()
    {
        // A longest park of a minute: only the dispatcher's deadline can end these parks in time.
        final SignalledIdleStrategy idle = new SignalledIdleStrategy(0, 0, TimeUnit.MINUTES.toNanos(1));
        final AtomicLong asked = new AtomicLong();
        idle.bind(new DispatcherWakeup(), () -> false, () ->
        {
            asked.incrementAndGet();
            return TimeUnit.MILLISECONDS.toNanos(5);
        });
        final long start = System.nanoTime();
        for (int i = 0; i < 3; i++)
        {
            idle.idle(0);
        }
        assertEquals(3, asked.get(), "each park asks for the deadline");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "a park outlived the deadline");

        // A deadline already due: no park at all.
        final SignalledIdleStrategy due = new SignalledIdleStrategy(0, 0, TimeUnit.MINUTES.toNanos(1));
        due.bind(new DispatcherWakeup(), () -> false, () -> 0);
        final long before = System.nanoTime();
        due.idle(0);
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    @Timeout(10)
    void invalidSettingsAreRefusedNamingThem()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SignalledIdleStrategy(-1, 0, 1))
            .getMessage().contains("maxSpins"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SignalledIdleStrategy(0, 0, 0))
            .getMessage().contains("maxParkNanos"));
        final SignalledIdleStrategy idle = new SignalledIdleStrategy();
        idle.bind(new DispatcherWakeup(), () -> false, () -> Long.MAX_VALUE);
        assertThrows(IllegalStateException.class, () -> idle.bind(new DispatcherWakeup(), () -> false, () -> 0));
    }
}
