package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.MessageValidator;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.Validation;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hearsay.engine.EngineTestSupport.await;
import static dev.hearsay.engine.EngineTestSupport.receivedBefore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic's validators judge received messages before delivery and relay: a rejected message is neither delivered
 * nor relayed and counts against its sender, which is dropped past the limit; an ignored one is dropped without
 * blame; an accepted one is delivered and relayed once; a validator that throws counts as ignore; validators run on
 * the threads that hand frames over, so a slow one does not stall the dispatcher.
 * <p>
 * Most tests run a line A - B - C on the in-memory network (frames between A and C are lost), B validating.
 */
final class MessageValidatorTest
{
    private static final TopicId TOPIC = TopicId.of("validated");
    private static final NodeKey AUTHOR = EngineTestSupport.key(70);
    private static final NodeKey RELAY = EngineTestSupport.key(71);
    private static final NodeKey RELAY2 = EngineTestSupport.key(72);

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final DirectBuffer buffer, final int offset, final int length)
    {
        return buffer.getStringWithoutLengthUtf8(offset, length);
    }

    /** A validator that gives {@code verdict} to payloads starting with {@code prefix} and accepts the rest. */
    private static MessageValidator verdictFor(final String prefix, final Validation verdict)
    {
        return (topic, buffer, offset, length, author, from, hops) ->
            text(buffer, offset, length).startsWith(prefix) ? verdict : Validation.ACCEPT;
    }

    /** Three engines in a line A - B - C, all joined to {@link #TOPIC}, B with {@code validator}. */
    private static final class Line implements AutoCloseable
    {
        final EngineTestSupport.Cluster cluster;
        final GossipEngine a;
        final GossipEngine b;
        final GossipEngine c;
        final Subscription atA;
        final Subscription atB;
        final Subscription atC;

        Line(final GossipConfig config, final MessageValidator validator) throws Exception
        {
            cluster = new EngineTestSupport.Cluster(3, config);
            final NodeId idA = cluster.id(0);
            final NodeId idC = cluster.id(2);
            cluster.network.sendFilter((from, to, frame, offset, length) ->
                !(from.equals(idA) && to.equals(idC) || from.equals(idC) && to.equals(idA)));
            cluster.start();
            a = cluster.get(0);
            b = cluster.get(1);
            c = cluster.get(2);
            atA = a.subscribe(TOPIC, List.of());
            atB = b.subscribe(TOPIC, List.of(a.id()), SubscriptionOptions.defaults().withValidator(validator));
            atB.joined().get();
            atC = c.subscribe(TOPIC, List.of(b.id()));
            atC.joined().get();
            await("B linked to A and C", () -> atB.neighbors().equals(Set.of(a.id(), c.id())));
        }

        @Override
        public void close()
        {
            cluster.close();
        }
    }

    /** The payloads {@code sub} receives before {@code marker}, which must arrive. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void rejectedMessagesAreNeitherDeliveredNorRelayedAndTheirSenderIsDroppedPastTheLimit() throws Exception
    {
        final int limit = 3;
        final Map<String, String> seenBy = new ConcurrentHashMap<>();
        final MessageValidator rejectBad = (topic, buffer, offset, length, author, from, hops) ->
        {
            final String payload = text(buffer, offset, length);
            seenBy.put(payload, topic.shortString() + " " + author.shortString() + " " + from.shortString() + " "
                + hops);
            return payload.startsWith("bad") ? Validation.REJECT : Validation.ACCEPT;
        };
        try (Line line = new Line(GossipConfig.builder().rejectedMessageLimit(limit).build(), rejectBad))
        {
            for (int i = 1; i <= limit; i++)
            {
                assertTrue(line.atA.broadcast(bytes("bad " + i)) >= 0);
            }
            assertTrue(line.atA.broadcast(bytes("good")) >= 0);
            assertEquals(List.of(), receivedBefore(line.atC, "good"), "C got nothing B rejected");
            assertEquals(List.of(), receivedBefore(line.atB, "good"), "B delivered nothing it rejected");
            assertEquals(TOPIC.shortString() + " " + line.a.id().shortString() + " " + line.a.id().shortString()
                + " 0", seenBy.get("bad 1"), "topic, author, last hop and hops as delivered");
            assertEquals(limit, line.b.counter(EngineCounter.MESSAGES_REJECTED));
            assertEquals(0, line.b.counter(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES), "within the limit");
            assertTrue(line.atB.neighbors().contains(line.a.id()));

            assertTrue(line.atA.broadcast(bytes("bad " + (limit + 1))) >= 0);
            await("A dropped by B", () -> line.b.counter(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES) == 1);
            assertEquals(limit + 1, line.b.counter(EngineCounter.MESSAGES_REJECTED));
            await("A out of B's view", () -> !line.atB.neighbors().contains(line.a.id()));
            // B's own message after the drop: C got nothing bad before it either.
            assertTrue(line.atB.broadcast(bytes("after")) >= 0);
            assertEquals(List.of(), receivedBefore(line.atC, "after"));
            assertEquals(0, line.b.counter(EngineCounter.MESSAGES_IGNORED));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void ignoredMessagesAreDroppedWithoutPenalisingTheirSender() throws Exception
    {
        // A limit of 0 drops a peer at its first rejected message: none of these may count as one.
        final GossipConfig config = GossipConfig.builder().rejectedMessageLimit(0).build();
        try (Line line = new Line(config, verdictFor("stale", Validation.IGNORE)))
        {
            for (int i = 1; i <= 5; i++)
            {
                assertTrue(line.atA.broadcast(bytes("stale " + i)) >= 0);
            }
            assertTrue(line.atA.broadcast(bytes("fresh")) >= 0);
            assertEquals(List.of(), receivedBefore(line.atC, "fresh"));
            assertEquals(List.of(), receivedBefore(line.atB, "fresh"));
            assertEquals(5, line.b.counter(EngineCounter.MESSAGES_IGNORED));
            assertEquals(0, line.b.counter(EngineCounter.MESSAGES_REJECTED));
            assertEquals(0, line.b.counter(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES));
            assertTrue(line.atB.neighbors().contains(line.a.id()), "A is still B's neighbour");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void acceptedMessagesAreDeliveredAndRelayedOnceAndValidatedOffTheDispatcher() throws Exception
    {
        final int count = 50;
        final Map<String, AtomicInteger> validations = new ConcurrentHashMap<>();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final MessageValidator acceptAll = (topic, buffer, offset, length, author, from, hops) ->
        {
            threads.add(Thread.currentThread());
            validations.computeIfAbsent(text(buffer, offset, length), k -> new AtomicInteger()).incrementAndGet();
            return Validation.ACCEPT;
        };
        try (Line line = new Line(GossipConfig.defaults(), acceptAll))
        {
            final List<String> sent = new ArrayList<>();
            for (int i = 1; i <= count; i++)
            {
                sent.add("m" + i);
                assertTrue(line.atA.broadcast(bytes("m" + i)) >= 0);
            }
            assertTrue(line.atA.broadcast(bytes("end")) >= 0);
            assertEquals(sent, receivedBefore(line.atB, "end"), "each once, in order, at B");
            assertEquals(sent, receivedBefore(line.atC, "end"), "each once, in order, relayed to C");
            for (final String payload : sent)
            {
                assertEquals(1, validations.get(payload).get(), payload + " validated once");
            }
            assertEquals(count + 1, line.b.counter(EngineCounter.MESSAGES_VALIDATED));
            assertFalse(threads.contains(line.b.dispatcherThread()), "never on B's dispatcher");
            assertEquals(0, line.b.counter(EngineCounter.MESSAGES_REJECTED) + line.b.counter(
                EngineCounter.MESSAGES_IGNORED));
            // B's own broadcasts are not validated by B.
            assertTrue(line.atB.broadcast(bytes("from B")) >= 0);
            assertEquals(List.of(), receivedBefore(line.atC, "from B"));
            assertNull(validations.get("from B"));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aValidatorThatThrowsCountsAsIgnoreAndPenalisesNobody() throws Exception
    {
        final MessageValidator failing = (topic, buffer, offset, length, author, from, hops) ->
        {
            if (text(buffer, offset, length).startsWith("boom"))
            {
                throw new IllegalStateException("validator bug");
            }
            return text(buffer, offset, length).startsWith("null") ? null : Validation.ACCEPT;
        };
        try (Line line = new Line(GossipConfig.builder().rejectedMessageLimit(0).build(), failing))
        {
            assertTrue(line.atA.broadcast(bytes("boom 1")) >= 0);
            assertTrue(line.atA.broadcast(bytes("null 1")) >= 0);
            assertTrue(line.atA.broadcast(bytes("boom 2")) >= 0);
            assertTrue(line.atA.broadcast(bytes("fine")) >= 0);
            assertEquals(List.of(), receivedBefore(line.atC, "fine"));
            assertEquals(List.of(), receivedBefore(line.atB, "fine"));
            assertEquals(3, line.b.counter(EngineCounter.VALIDATOR_ERRORS));
            assertEquals(3, line.b.counter(EngineCounter.MESSAGES_IGNORED));
            assertEquals(0, line.b.counter(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES));
            assertTrue(line.atB.neighbors().contains(line.a.id()));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSlowValidatorDoesNotStallTheDispatcher() throws Exception
    {
        final TopicId slowTopic = TopicId.of("slow");
        final TopicId otherTopic = TopicId.of("other");
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final MessageValidator slow = (topic, buffer, offset, length, author, from, hops) ->
        {
            entered.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return Validation.ACCEPT;
        };
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription slowSub = engine.subscribe(slowTopic, List.of(),
                SubscriptionOptions.defaults().withValidator(slow));
            final Subscription otherSub = engine.subscribe(otherTopic, List.of());
            // A transport thread hands over a frame of the slow topic and waits in its validator.
            final UnsafeBuffer slowFrame = EngineTestSupport.gossipFrame(slowTopic, AUTHOR.id(), 1, 1, bytes("slow"));
            final Thread ioThread = new Thread(() -> engine.networkEvents().onFrame(RELAY.id(), slowFrame, 0,
                slowFrame.capacity()), "io-slow");
            ioThread.start();
            try
            {
                entered.await();
                // Meanwhile another connection's frame, of another topic, is dispatched and delivered.
                final UnsafeBuffer other = EngineTestSupport.gossipFrame(otherTopic, AUTHOR.id(), 1, 1, bytes("other"));
                assertTrue(engine.networkEvents().onFrame(RELAY2.id(), other, 0, other.capacity()));
                EngineTestSupport.awaitReceived(otherSub, bytes("other"));
                assertTrue(ioThread.isAlive(), "the slow validator is still running");
            }
            finally
            {
                release.countDown();
            }
            ioThread.join();
            EngineTestSupport.awaitReceived(slowSub, bytes("slow"));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSettledIdIsNotValidatedAgainButARejectedUnsignedOneStaysOpen() throws Exception
    {
        final Map<String, AtomicInteger> validations = new ConcurrentHashMap<>();
        final MessageValidator validator = (topic, buffer, offset, length, author, from, hops) ->
        {
            final String payload = text(buffer, offset, length);
            validations.computeIfAbsent(payload, k -> new AtomicInteger()).incrementAndGet();
            return payload.startsWith("forged") ? Validation.REJECT :
                payload.startsWith("stale") ? Validation.IGNORE : Validation.ACCEPT;
        };
        final GossipConfig config = GossipConfig.builder().rejectedMessageLimit(100).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription sub = engine.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withValidator(validator));
            // Message 1 accepted, then a copy from another relay: not validated, not delivered again.
            send(engine, RELAY, 1, 1, "genuine 1");
            send(engine, RELAY2, 1, 2, "genuine 1");
            // Message 2 ignored: a later copy is a duplicate, not validated again, not delivered.
            send(engine, RELAY, 2, 1, "stale 2");
            send(engine, RELAY2, 2, 2, "stale 2");
            // Message 3: a forged copy first, rejected; the id stays open, so the genuine copy is judged and taken.
            send(engine, RELAY2, 3, 1, "forged 3");
            send(engine, RELAY, 3, 1, "genuine 3");
            send(engine, RELAY, 4, 1, "end");
            assertEquals(List.of("genuine 1", "genuine 3"), receivedBefore(sub, "end"));
            assertEquals(1, validations.get("genuine 1").get());
            assertEquals(1, validations.get("stale 2").get());
            assertEquals(1, validations.get("forged 3").get());
            assertEquals(1, validations.get("genuine 3").get());
            assertEquals(2, engine.counter(EngineCounter.VALIDATIONS_SKIPPED_DUPLICATE));
            assertEquals(1, engine.counter(EngineCounter.MESSAGES_REJECTED));
            assertEquals(1, engine.counter(EngineCounter.MESSAGES_IGNORED));
        }
    }

    private static void send(final GossipEngine engine, final NodeKey relay, final long sequence, final int hops,
        final String payload)
    {
        final UnsafeBuffer frame = EngineTestSupport.gossipFrame(TOPIC, AUTHOR.id(), sequence, hops, bytes(payload));
        assertTrue(engine.networkEvents().onFrame(relay.id(), frame, 0, frame.capacity()));
    }
}
