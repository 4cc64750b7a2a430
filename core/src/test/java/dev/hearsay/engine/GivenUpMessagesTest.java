package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages a node never received and gave up (its author's stream moved a whole dedupe window past them) reach the
 * reader as one Lagged, before the message whose arrival gave them up; those from before the node first heard of the
 * stream are not counted.
 */
final class GivenUpMessagesTest
{
    private static final TopicId TOPIC = TopicId.of("given-up");
    private static final NodeKey AUTHOR = EngineTestSupport.key(80);
    private static final NodeKey RELAY = EngineTestSupport.key(81);
    /** The dedupe window's largest size, in sequences (AuthorLog.MAX_WINDOW). */
    private static final long MAX_WINDOW = 1 << 20;

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStreamThatMovesAWholeWindowPastMissingMessagesReportsThemAsOneLaggedInPlace() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, GossipConfig.defaults()).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription sub = engine.subscribe(TOPIC, List.of());
            // The node first hears of the stream at 1,000: nothing before it is a loss.
            send(engine, 1_000, "first");
            send(engine, 1_001, "second");
            // 1,002-1,011 never come; the stream moves on until the window, which ends just below far, gives them up.
            final long far = 1_011 + MAX_WINDOW;
            send(engine, far, "far");
            final List<String> events = new ArrayList<>();
            final long deadline = System.nanoTime() + EngineTestSupport.WAIT.toNanos();
            while (!events.contains("far") && System.nanoTime() < deadline)
            {
                final GossipEvent e = sub.next(Duration.ofMillis(100));
                if (e instanceof GossipEvent.Received r)
                {
                    events.add(new String(r.content(), StandardCharsets.UTF_8));
                }
                else if (e instanceof GossipEvent.Lagged l)
                {
                    events.add("lagged " + l.missed());
                }
            }
            assertEquals(List.of("first", "second", "lagged 10", "far"), events);
            assertEquals(10, engine.counter(EngineCounter.MESSAGES_GIVEN_UP));
            assertTrue(sub.next(Duration.ofMillis(50)) == null, "nothing more");
        }
    }

    private static void send(final GossipEngine engine, final long sequence, final String payload)
    {
        final UnsafeBuffer frame = EngineTestSupport.gossipFrame(TOPIC, AUTHOR.id(), sequence, 1,
            payload.getBytes(StandardCharsets.UTF_8));
        assertTrue(engine.networkEvents().onFrame(RELAY.id(), frame, 0, frame.capacity()));
    }
}
