package dev.hearsay.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The frame by which a node tells a peer that it holds its reads from it on purpose, or no longer does: a frame of
 * length 1 (5 bytes on the wire), body 1 for holding and 0 for released, consumed by the transport and never put on
 * the ring. A node holds its reads to pass back-pressure on (relay flow control) or while its readers catch up; a
 * sender whose queue to the node then grows is being asked to wait, and does. A peer that drains slowly without
 * saying so is slow, and is isolated once it alone holds its sender back (see {@link SlowPeerPolicy}).
 */
final class HoldSignal
{
    /** The frame length: no protocol message is this short. */
    static final int LENGTH = 1;

    private HoldSignal()
    {
    }

    static ByteBuf frame(final ByteBufAllocator alloc, final boolean holding)
    {
        return alloc.directBuffer(FrameDecoder.PREFIX + LENGTH).writeInt(LENGTH).writeByte(holding ? 1 : 0);
    }

    static boolean holding(final byte body)
    {
        return body != 0;
    }
}
