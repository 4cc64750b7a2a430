package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.MessageValidator;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.Validation;
import dev.hearsay.engine.EngineCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over TCP, with signed messages: a validator runs on the receiving node's I/O thread, after the signature check;
 * what it rejects is not delivered and counts against the sending peer, which is disconnected after the limit and
 * counted in the node's counters buffer (what {@code stat} prints).
 */
final class ValidationOverTcpTest
{
    private static final TopicId TOPIC = TopicId.of("validated over tcp");

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void rejectedMessagesStopAtTheValidatingNodeAndTheirSenderIsDroppedAfterTheLimit() throws Exception
    {
        final int limit = 2;
        final Set<Thread> validatingThreads = ConcurrentHashMap.newKeySet();
        final MessageValidator rejectBad = (topic, buffer, offset, length, author, from, hops) ->
        {
            validatingThreads.add(Thread.currentThread());
            return buffer.getStringWithoutLengthUtf8(offset, length).startsWith("bad") ? Validation.REJECT :
                Validation.ACCEPT;
        };
        try (GossipNode validating = ClusterTest.loopback(IoMode.AUTO).config(GossipConfig.builder()
                .signMessages(true).verifySignatures(true).rejectedMessageLimit(limit).build()).start();
             GossipNode author = ClusterTest.loopback(IoMode.AUTO).config(GossipConfig.builder()
                .signMessages(true).verifySignatures(true).build()).start())
        {
            author.addPeer(validating.addr());
            final Subscription atValidating = validating.subscribe(TOPIC, List.of(),
                SubscriptionOptions.defaults().withValidator(rejectBad));
            final Subscription atAuthor = author.subscribe(TOPIC, List.of(validating.id()));
            atAuthor.joined().get(20, TimeUnit.SECONDS);
            for (int i = 0; i < limit; i++)
            {
                assertTrue(atAuthor.broadcast(bytes("bad " + i)) >= 0);
            }
            assertTrue(atAuthor.broadcast(bytes("good")) >= 0);
            assertEquals(List.of(), receivedBefore(atValidating, "good"));
            assertEquals(limit, validating.counter(EngineCounter.MESSAGES_REJECTED));
            assertEquals(0, validating.counter(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES), "within the limit");
            assertFalse(validatingThreads.contains(validating.engine().dispatcherThread()),
                "validated on an I/O thread, not the dispatcher");

            assertTrue(atAuthor.broadcast(bytes("bad, one too many")) >= 0);
            assertTrue(Await.until(() -> validating.counter(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES) == 1,
                20_000), "the author dropped after the limit");
            final long[] inStat = {-1};
            validating.counters().reader().forEach((value, id, label) ->
            {
                if (label.equals(EngineCounter.PEERS_DROPPED_REJECTED_MESSAGES.label()))
                {
                    inStat[0] = value;
                }
            });
            assertEquals(1, inStat[0], "in the node's counters buffer, which stat prints");
            assertEquals(limit + 1, validating.counter(EngineCounter.MESSAGES_REJECTED));
            assertEquals(0, validating.counter(EngineCounter.SIGNATURES_INVALID));
        }
    }

    /** The payloads {@code sub} receives before {@code marker}, which must arrive. */
    private static List<String> receivedBefore(final Subscription sub, final String marker) throws Exception
    {
        final List<String> got = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            if (sub.next(Duration.ofMillis(100)) instanceof GossipEvent.Received r)
            {
                final String s = new String(r.content(), StandardCharsets.UTF_8);
                if (s.equals(marker))
                {
                    return got;
                }
                got.add(s);
            }
        }
        throw new AssertionError("marker " + marker + " not received; got " + got);
    }
}
