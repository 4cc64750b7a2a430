package dev.hearsay.transport;

import dev.hearsay.NodeKey;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One drain moves up to its budget even though Netty's outbound buffer holds only a few batches: a close queued right
 * behind a drain (as {@code NettyTransport.close} does) must find that much written, not one buffer's worth.
 */
@Timeout(30)
class PeerLinkDrainTest
{
    @Test
    void oneDrainWritesPastNettysSmallOutboundBufferWhileTheSocketTakesIt()
    {
        final NettyTransport transport = new NettyTransport(NodeKey.fromSeed(1), TransportOptions.defaults(), 1024, 64);
        final PeerLink link = new PeerLink(transport, NodeKey.fromSeed(2).id(), 1 << 20, 256 * 1024,
            transport.counters(), new AtomicInteger());
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[100]);
        final int frames = 2_000; // 208,000 bytes with their prefixes: more than three times the high-water mark
        for (int i = 0; i < frames; i++)
        {
            frame.putInt(0, i, java.nio.ByteOrder.BIG_ENDIAN);
            assertTrue(link.offer(frame, 0, frame.capacity()));
        }
        link.drainTo(channel);
        assertEquals(0, link.queued(), "one drain must move it all");
        int written = 0;
        int next = 0;
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound())
        {
            while (out.isReadable())
            {
                assertEquals(100, out.readInt());
                assertEquals(next++, out.readInt(), "frames out of order");
                out.skipBytes(96);
                written++;
            }
            out.release();
        }
        assertEquals(frames, written);
        channel.finishAndReleaseAll();
    }
}
