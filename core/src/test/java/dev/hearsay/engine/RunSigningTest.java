package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Broadcasts published in a burst are left unsigned in the ring and signed by the dispatcher in runs, one signature
 * per run: receivers get every message exactly once, verify one signature per run, and refuse nothing.
 */
final class RunSigningTest
{
    private static final TopicId TOPIC = TopicId.of("runs");
    private static final GossipConfig SIGNED = GossipConfig.builder().signMessages(true).verifySignatures(true)
        .build();

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Ed25519 verifications {@code engine} ran on received messages (checks not settled by a verified root). */
    private static long ed25519Checks(final GossipEngine engine)
    {
        return engine.counter(EngineCounter.SIGNATURES_VERIFIED)
            + engine.counter(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER)
            - engine.counter(EngineCounter.SIGNATURES_SHARED_ROOT);
    }

    /** The next buffered event of {@code sub}, or null if none (never waits). */
    private static GossipEvent nextNow(final Subscription sub)
    {
        try
        {
            return sub.next(Duration.ZERO);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /** Runs {@code invoker}'s duty cycle on this thread until {@code done}; fails after the usual wait. */
    private static void invokeUntil(final DispatcherInvoker invoker, final String what, final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + EngineTestSupport.WAIT.toNanos();
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out: " + what);
            }
            if (invoker.invoke() == 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * An author whose dispatcher the test's thread runs (INVOKER, reading {@code clock}) and a reader with a
     * dispatcher of its own, one network, both subscribed and joined; what the reader received, in order.
     */
    private static final class AuthorAndReader implements AutoCloseable
    {
        final GossipEngine author;
        final GossipEngine reader;
        final DispatcherInvoker invoker;
        final Subscription atAuthor;
        final Subscription atReader;
        final List<String> received = new ArrayList<>();

        AuthorAndReader(final GossipConfig config, final int firstKey, final org.agrona.concurrent.NanoClock clock)
        {
            final InMemoryNetwork network = new InMemoryNetwork();
            final NodeKey authorKey = EngineTestSupport.key(firstKey);
            final NodeKey readerKey = EngineTestSupport.key(firstKey + 1);
            author = new GossipEngine(authorKey, config, network.transport(authorKey.id()), 1, 1, clock);
            reader = new GossipEngine(readerKey, config, network.transport(readerKey.id()), 2, 1);
            reader.start();
            invoker = author.startInvoker();
            atAuthor = author.subscribe(TOPIC, List.of());
            atReader = reader.subscribe(TOPIC, List.of(author.id()));
            invokeUntil(invoker, "joined", () -> atReader.joined().isDone() && !atAuthor.neighbors().isEmpty());
        }

        /** Moves what the reader got so far into {@link #received}; true. */
        boolean read()
        {
            GossipEvent event;
            while ((event = nextNow(atReader)) != null)
            {
                if (event instanceof GossipEvent.Received r)
                {
                    received.add(new String(r.content(), StandardCharsets.UTF_8));
                }
            }
            return true;
        }

        /** Runs the author's duty cycle {@code times} times on this thread. */
        void invoke(final int times)
        {
            for (int i = 0; i < times; i++)
            {
                invoker.invoke();
            }
        }

        @Override
        public void close()
        {
            author.close();
            reader.close();
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void messagesPublishedWhileTheDispatcherIsBusyAreSignedAsOneRun() throws Exception
    {
        try (AuthorAndReader pair = new AuthorAndReader(SIGNED, 80, System::nanoTime))
        {
            final GossipEngine author = pair.author;
            final GossipEngine reader = pair.reader;
            final long signedBefore = author.counter(EngineCounter.MESSAGES_SIGNED);
            final long checksBefore = ed25519Checks(reader);
            // The dispatcher does not run meanwhile: the first message finds it idle (usually) and is signed by this
            // thread, the others find it behind and are left for it.
            final int count = 10;
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                expected.add("m" + i);
                assertTrue(pair.atAuthor.broadcast(bytes("m" + i)) >= 0);
            }
            invokeUntil(pair.invoker, "all received", () -> pair.read() && pair.received.size() >= count);
            assertEquals(expected, pair.received, "every message once, in order");
            // The first message is signed by this thread unless a frame from the reader still waits in the ring.
            final long alone = author.counter(EngineCounter.MESSAGES_SIGNED) - signedBefore;
            assertTrue(alone <= 1, alone + " signed alone");
            assertEquals(count - alone, author.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS));
            final long runs = author.counter(EngineCounter.RUN_SIGNATURES);
            // Frames from the reader may fall between the broadcasts in the ring, and a run stops at them.
            assertTrue(runs >= 1 && runs <= 3, runs + " runs");
            assertEquals(alone + runs, ed25519Checks(reader) - checksBefore, "one verification per signature");
            assertEquals(0, reader.counter(EngineCounter.SIGNATURES_INVALID));
            assertEquals(0, reader.counter(EngineCounter.SIGNATURES_MISSING));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void withALingerTheDispatcherWaitsForARunToGrowAndNotLonger() throws Exception
    {
        final long linger = 5_000_000;
        final GossipConfig lingering = SIGNED.toBuilder().signatureLinger(Duration.ofNanos(linger)).build();
        // The author's dispatcher reads a clock this test moves: the linger ends exactly when the test says.
        final java.util.concurrent.atomic.AtomicLong time = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        try (AuthorAndReader pair = new AuthorAndReader(lingering, 82, time::get))
        {
            final GossipEngine author = pair.author;
            // "a" is signed alone and sent at once, or (if a frame of the reader still waits in the ring) left for
            // a run like the others; "b" finds "a" in the ring and is left for a run, which waits for the linger.
            final long signedBefore = author.counter(EngineCounter.MESSAGES_SIGNED);
            assertTrue(pair.atAuthor.broadcast(bytes("a")) >= 0);
            assertTrue(pair.atAuthor.broadcast(bytes("b")) >= 0);
            pair.invoke(200);
            time.addAndGet(linger - 1);
            pair.invoke(200);
            pair.read();
            assertTrue(author.dispatcherLingering(), "the run's wait is not over");
            assertFalse(pair.received.contains("b"), "nothing of the run sent before the linger ends: "
                + pair.received);
            final long alone = author.counter(EngineCounter.MESSAGES_SIGNED) - signedBefore;
            assertTrue(alone <= 1, alone + " signed alone");
            assertTrue(pair.atAuthor.broadcast(bytes("c")) >= 0);
            assertTrue(pair.atAuthor.broadcast(bytes("d")) >= 0);
            pair.invoke(200);
            assertEquals(0, author.counter(EngineCounter.RUN_SIGNATURES), "still lingering");
            time.addAndGet(1);
            invokeUntil(pair.invoker, "the run", () -> pair.read() && pair.received.size() == 4);
            assertEquals(List.of("a", "b", "c", "d"), pair.received);
            assertEquals(1, author.counter(EngineCounter.RUN_SIGNATURES), "one run");
            assertEquals(4 - alone, author.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS));
            assertEquals(0, pair.reader.counter(EngineCounter.SIGNATURES_INVALID));
        }
    }

    @RepeatedTest(5)
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void concurrentBurstsOverSeveralHopsArriveWholeAndAuthentic() throws Exception
    {
        final int size = 4;
        final int publishers = 2;
        final int perPublisher = 3_000;
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(size, SIGNED).start())
        {
            final List<Subscription> subs = cluster.chain(TOPIC);
            // Two threads publish on one topic of node 0 in tight loops, racing the dispatcher's read-ahead.
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < publishers; p++)
            {
                final int publisher = p;
                final Thread t = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        for (int i = 0; i < perPublisher; i++)
                        {
                            final byte[] payload = bytes("p" + publisher + "-" + i);
                            while (subs.get(0).broadcast(payload) < 0)
                            {
                                Thread.onSpinWait();
                            }
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                threads.add(t);
            }
            start.countDown();
            for (final Thread t : threads)
            {
                t.join();
            }
            final int total = publishers * perPublisher;
            for (int n = 1; n < size; n++)
            {
                final Set<String> got = new HashSet<>();
                final Subscription sub = subs.get(n);
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (got.size() < total && System.nanoTime() < deadline)
                {
                    final GossipEvent e = sub.next(Duration.ofMillis(100));
                    if (e instanceof GossipEvent.Received r)
                    {
                        assertTrue(got.add(new String(r.content(), StandardCharsets.UTF_8)), "delivered twice");
                    }
                    else if (e instanceof GossipEvent.Lagged lagged)
                    {
                        fail("node " + n + " lagged: " + lagged);
                    }
                }
                assertEquals(total, got.size(), "node " + n + " received");
                final GossipEngine engine = cluster.get(n);
                assertEquals(0, engine.counter(EngineCounter.SIGNATURES_INVALID), "node " + n);
                assertEquals(0, engine.counter(EngineCounter.SIGNATURES_MISSING), "node " + n);
            }
            final GossipEngine author = cluster.get(0);
            assertEquals(total, author.counter(EngineCounter.MESSAGES_SIGNED)
                + author.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS), "every broadcast signed once");
            // Tight loops publish microseconds apart: most of their messages are bursts, left for the dispatcher.
            assertTrue(author.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS) > total / 2,
                author.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS) + " of " + total + " signed in runs");
        }
    }

    /**
     * A thread publishing in a tight loop is in a burst however long a signature takes: the time it spends signing
     * one message alone does not count as a gap before the next (with the JDK's Ed25519, about 0.5 ms a signature,
     * it would otherwise sign every message alone, and never leave that).
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oneThreadPublishingInATightLoopIsSignedInRunsWhateverASignatureCosts() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, SIGNED).start())
        {
            final List<Subscription> subs = cluster.chain(TOPIC);
            final int count = 400;
            for (int i = 0; i < count; i++)
            {
                while (subs.get(0).broadcast(bytes("t" + i)) < 0)
                {
                    Thread.onSpinWait();
                }
            }
            assertEquals(count - 1, EngineTestSupport.receivedBefore(subs.get(1), "t" + (count - 1)).size());
            final GossipEngine author = cluster.get(0);
            assertEquals(count, author.counter(EngineCounter.MESSAGES_SIGNED)
                + author.counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS));
            assertTrue(author.counter(EngineCounter.MESSAGES_SIGNED) <= 2,
                author.counter(EngineCounter.MESSAGES_SIGNED) + " of " + count + " signed alone");
        }
    }

    @Test
    @Timeout(10)
    void aBurstIsTimedFromTheEndOfThePreviousPublishNotItsSignature()
    {
        final java.util.concurrent.atomic.AtomicLong time = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        final PublisherSigning signing = new PublisherSigning(dev.hearsay.SignatureScheme.jdk(),
            EngineTestSupport.key(84), true, 0, time::get);
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(bytes("p"));
        assertFalse(signing.joinsRun(false), "the first publish of a quiet thread is signed alone");
        // Its signature takes 500 us; the thread publishes again 10 us after it.
        time.addAndGet(500_000);
        signing.sign(TOPIC, EngineTestSupport.key(84).id(), 1, 1, false, payload, 0, 1);
        time.addAndGet(10_000);
        assertTrue(signing.joinsRun(false), "10 us after the last publish ended: a burst");
        time.addAndGet(PublisherSigning.BURST_GAP_NANOS);
        assertFalse(signing.joinsRun(false), "a gap of 50 us or more: alone again");
        assertTrue(signing.joinsRun(true), "but never while the dispatcher is behind");
    }

    @Test
    @Timeout(10)
    void theRunLimitIsCheckedAndOneTurnsRunsOff() throws Exception
    {
        for (final int bad : new int[] {0, -1, 257})
        {
            final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> GossipConfig.builder().maxMessagesPerSignature(bad).build());
            assertTrue(e.getMessage().contains("maxMessagesPerSignature"), e.getMessage());
        }
        assertEquals(256, GossipConfig.builder().maxMessagesPerSignature(256).build().maxMessagesPerSignature());
        assertEquals(64, GossipConfig.defaults().maxMessagesPerSignature());
        final GossipConfig one = SIGNED.toBuilder().maxMessagesPerSignature(1).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, one).start())
        {
            final Subscription a = cluster.get(0).subscribe(TOPIC, List.of());
            final Subscription b = cluster.get(1).subscribe(TOPIC, List.of(cluster.id(0)));
            b.joined().get();
            for (int i = 0; i < 200; i++)
            {
                assertTrue(a.broadcast(bytes("one-" + i)) >= 0);
            }
            assertEquals(199, EngineTestSupport.receivedBefore(b, "one-199").size());
            assertEquals(200, cluster.get(0).counter(EngineCounter.MESSAGES_SIGNED));
            assertEquals(0, cluster.get(0).counter(EngineCounter.MESSAGES_SIGNED_IN_RUNS));
            assertEquals(0, cluster.get(1).counter(EngineCounter.SIGNATURES_SHARED_ROOT));
        }
    }
}
