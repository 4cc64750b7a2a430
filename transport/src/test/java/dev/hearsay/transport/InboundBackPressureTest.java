package dev.hearsay.transport;

import dev.hearsay.NodeKey;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A full ring pauses reading and keeps the frames, in order, until they fit: nothing is dropped. */
@Timeout(10)
class InboundBackPressureTest
{
    @RepeatedTest(3)
    void fullRingPausesReadingAndLosesNothing()
    {
        final RefusingRing ring = new RefusingRing(frame -> frame.getByte(0));
        final NettyTransport transport = new NettyTransport(NodeKey.fromSeed(1), TransportOptions.defaults(), 1024, 64);
        final InboundFrameHandler handler =
            new InboundFrameHandler(transport, ring, NodeKey.fromSeed(2).id(), transport.counters());
        final EmbeddedChannel channel = new EmbeddedChannel(handler);
        channel.freezeTime();
        ring.refusals = 3;
        for (int i = 0; i < 10; i++)
        {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{(byte)i, 0, 0}));
        }
        assertFalse(channel.config().isAutoRead(), "reading must pause while the ring is full");
        assertTrue(ring.received.isEmpty());
        assertEquals(1, transport.counters().readPauses.get());
        // No timer: each time the dispatcher frees ring space, the paused reader retries.
        for (int attempt = 0; attempt < 10 && !channel.config().isAutoRead(); attempt++)
        {
            transport.ringSpaceFreed();
            channel.runPendingTasks();
        }
        assertTrue(channel.config().isAutoRead(), "reading must resume once the frames fit");
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, ring.received, "frames lost or reordered");
        channel.finishAndReleaseAll();
    }
}
