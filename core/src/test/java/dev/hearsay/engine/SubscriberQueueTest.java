package dev.hearsay.engine;

import dev.hearsay.GossipEvent;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subscriber buffer's overflow accounting with the producer and the reader racing: each Lagged stands exactly
 * where its gap is (the sequence numbers around it differ by its count plus one), never two in a row, and every
 * offered message is either read or counted once.
 */
class SubscriberQueueTest
{
    private static final TopicId TOPIC = TopicId.of("queue");
    private static final NodeId AUTHOR = EngineTestSupport.key(1).id();

    private static boolean offer(final SubscriberQueue queue, final UnsafeBuffer payload, final long seq)
    {
        payload.putLong(0, seq, ByteOrder.LITTLE_ENDIAN);
        return queue.offerMessage(AUTHOR, AUTHOR, 0, false, payload, 0, Long.BYTES);
    }

    @Test
    @Timeout(10)
    void lossIsReportedAtTheGapOnAQuietBuffer()
    {
        final SubscriberQueue queue = new SubscriberQueue(8, 64);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[Long.BYTES]);
        for (long seq = 1; seq <= 100; seq++)
        {
            offer(queue, payload, seq);
        }
        assertEquals(92, queue.dropped());
        for (long seq = 1; seq <= 8; seq++)
        {
            final GossipEvent e = queue.pollEvent();
            assertInstanceOf(GossipEvent.Received.class, e);
        }
        assertTrue(!queue.isEmpty(), "the gap is something to read");
        assertEquals(new GossipEvent.Lagged(92), queue.pollEvent());
        assertTrue(queue.isEmpty());
        assertNull(queue.pollEvent());
        // The next message follows without a second report of the same gap.
        offer(queue, payload, 101);
        assertInstanceOf(GossipEvent.Received.class, queue.pollEvent());
        assertNull(queue.pollEvent());
    }

    @Test
    @Timeout(10)
    void messagesTheRepairGaveUpAreReadAsOneLaggedInPlaceOrJoinTheOpenGap()
    {
        final SubscriberQueue queue = new SubscriberQueue(8, 64);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[Long.BYTES]);
        offer(queue, payload, 1);
        assertTrue(queue.offerLost(40));
        offer(queue, payload, 42);
        assertInstanceOf(GossipEvent.Received.class, queue.pollEvent());
        assertEquals(new GossipEvent.Lagged(40), queue.pollEvent(), "where the loss was reported");
        assertInstanceOf(GossipEvent.Received.class, queue.pollEvent());
        assertNull(queue.pollEvent());

        // A full buffer: the given-up count joins the gap of the drops, one Lagged for both.
        for (long seq = 100; seq < 110; seq++)
        {
            offer(queue, payload, seq);
        }
        assertFalse(queue.offerLost(30));
        for (int i = 0; i < 8; i++)
        {
            assertInstanceOf(GossipEvent.Received.class, queue.pollEvent());
        }
        assertEquals(new GossipEvent.Lagged(2 + 30), queue.pollEvent());
        assertNull(queue.pollEvent());
    }

    @Test
    @Timeout(10)
    void aGapTheProducerReachesFirstGetsItsEntryBeforeTheNextMessage()
    {
        final SubscriberQueue queue = new SubscriberQueue(8, 64);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[Long.BYTES]);
        for (long seq = 1; seq <= 10; seq++)
        {
            offer(queue, payload, seq);
        }
        // The reader takes two, leaving room for the Lagged entry and one message.
        queue.pollEvent();
        queue.pollEvent();
        assertTrue(offer(queue, payload, 11));
        final StringBuilder seen = new StringBuilder();
        queue.poll(TOPIC, recorder(seen), 100);
        assertEquals("3 4 5 6 7 8 lagged2 11 ", seen.toString());
    }

    private static GossipHandler recorder(final StringBuilder out)
    {
        return new GossipHandler()
        {
            @Override
            public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
                final NodeId author, final NodeId deliveredFrom, final int hops)
            {
                out.append(buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN)).append(' ');
            }

            @Override
            public void onLagged(final long missed)
            {
                out.append("lagged").append(missed).append(' ');
            }
        };
    }

    @RepeatedTest(10)
    @Timeout(30)
    void racingReaderSeesEveryGapOnceAndInPlace() throws Exception
    {
        final SubscriberQueue queue = new SubscriberQueue(16, 64);
        final long total = 300_000;
        final AtomicBoolean done = new AtomicBoolean();
        final Thread producer = new Thread(() ->
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[Long.BYTES]);
            final java.util.SplittableRandom random = new java.util.SplittableRandom(total);
            for (long seq = 1; seq <= total; seq++)
            {
                offer(queue, payload, seq);
                // Bursts that overflow the buffer, then pauses in which the reader catches up: gaps open and are
                // taken by either side, over and over.
                if (random.nextInt(24) == 0)
                {
                    for (int spin = random.nextInt(4_000); spin > 0; spin--)
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            done.set(true);
        }, "producer");
        final long[] state = new long[4]; // last sequence read, messages read, missed reported, Lagged events
        final boolean[] lastWasLagged = {false};
        final long[] pendingGap = {0};
        final GossipHandler reader = new GossipHandler()
        {
            @Override
            public void onMessage(final TopicId topic, final DirectBuffer buffer, final int offset, final int length,
                final NodeId author, final NodeId deliveredFrom, final int hops)
            {
                final long seq = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
                assertEquals(state[0] + 1 + pendingGap[0], seq, "a gap reported where it is, and only there");
                pendingGap[0] = 0;
                state[0] = seq;
                state[1]++;
                lastWasLagged[0] = false;
            }

            @Override
            public void onLagged(final long missed)
            {
                assertTrue(missed > 0);
                assertTrue(!lastWasLagged[0], "two Lagged in a row");
                lastWasLagged[0] = true;
                pendingGap[0] = missed;
                state[2] += missed;
                state[3]++;
            }
        };
        producer.start();
        int limit = 1;
        while (!done.get() || !queue.isEmpty())
        {
            // Vary the batch so that the reader catches up at every point of the producer's cycle.
            queue.poll(TOPIC, reader, limit);
            limit = limit % 7 + 1;
        }
        producer.join();
        assertEquals(total, state[1] + state[2], "every message read or reported missed");
        assertEquals(queue.dropped(), state[2]);
        assertEquals(total, state[0] + pendingGap[0], "a trailing gap is reported too");
        System.out.println("queue race: " + state[1] + " read, " + state[3] + " Lagged for " + state[2] + " missed");
    }
}
