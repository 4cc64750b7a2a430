package dev.hearsay.transport;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection the protocol no longer needs is closed without losing what was written to it: the frames already
 * handed to the socket layer reach the peer whole, however far behind its reads are.
 */
@Timeout(90)
class GracefulCloseTest
{
    private static final int MESSAGES = 1_000;
    private static final int SIZE = 1_024;
    /** The reader's socket reads, bytes a second: the backlog takes about half a second to drain. */
    private static final int READ_LIMIT = 2_000_000;

    /**
     * A node broadcasts into a link whose reader is throttled (small socket buffers, so most of the backlog waits in
     * user space), then leaves the topic at once: the protocol releases the connection while it still carries
     * hundreds of frames. Its neighbor must get every message that was accepted, each once.
     */
    @RepeatedTest(3)
    void leavingTheTopicDeliversWhatWasBroadcastOverABackedUpLink() throws Exception
    {
        broadcastThenLeave(false);
    }

    /** The same, leaving by closing the node: the close waits (a bounded time) for what was written to go out. */
    @RepeatedTest(3)
    void closingTheNodeDeliversWhatWasBroadcastOverABackedUpLink() throws Exception
    {
        broadcastThenLeave(true);
    }

    private static void broadcastThenLeave(final boolean closeNode) throws Exception
    {
        final TopicId topic = TopicId.of("graceful-close");
        final TransportOptions small = TransportOptions.defaults().withSocketBufferBytes(8 * 1024).withLingerMillis(0);
        try (GossipNode author = ClusterTest.loopback(IoMode.AUTO).transportOptions(small).start();
             GossipNode reader = ClusterTest.loopback(IoMode.AUTO)
                 .transportOptions(small.withReadLimitBytesPerSecond(READ_LIMIT)).start())
        {
            reader.addPeer(author.addr());
            final Subscription atAuthor = author.subscribe(topic, List.of());
            final Subscription atReader = reader.subscribe(topic, List.of(author.id()));
            atReader.joined().get(10, TimeUnit.SECONDS);
            atAuthor.joined().get(10, TimeUnit.SECONDS);

            final byte[] payload = new byte[SIZE];
            final ByteBuffer view = ByteBuffer.wrap(payload);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < MESSAGES; i++)
            {
                view.putInt(0, i);
                long result;
                while ((result = atAuthor.broadcast(payload)) == BroadcastResult.BACK_PRESSURED)
                {
                    assertTrue(System.nanoTime() < deadline, "still back-pressured at message " + i);
                    Thread.onSpinWait();
                }
                assertTrue(result >= 0, "broadcast " + i + ": " + BroadcastResult.describe(result));
            }
            if (closeNode)
            {
                author.close();
            }
            else
            {
                atAuthor.close();
            }

            final BitSet received = new BitSet(MESSAGES);
            int duplicates = 0;
            final long readDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.cardinality() < MESSAGES && System.nanoTime() < readDeadline)
            {
                final GossipEvent event = atReader.next(Duration.ofMillis(200));
                if (event instanceof GossipEvent.Received r)
                {
                    final int index = ByteBuffer.wrap(r.content()).getInt(0);
                    if (received.get(index))
                    {
                        duplicates++;
                    }
                    received.set(index);
                }
            }
            assertEquals(MESSAGES, received.cardinality(), "received of " + MESSAGES + "; first missing: "
                + received.nextClearBit(0));
            assertEquals(0, duplicates, "duplicate deliveries");
        }
    }
}
