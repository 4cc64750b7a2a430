package dev.hearsay.transport;

import dev.hearsay.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.VoidChannelPromise;

import java.util.concurrent.TimeUnit;

/**
 * The liveness of one authenticated connection, as the {@link FailureDetector} watches it. The connection's event
 * loop writes {@link #lastHeardNanos} (on every read) and the heartbeat fields; the detector's event loop reads
 * them and writes {@link #convicted} (its own flag). Single writer per field, volatile: no lock.
 *
 * <p>A heartbeat is a frame of length zero: 4 bytes on the wire, consumed on the event loop, never put on the
 * dispatcher's ring. It is accepted only after the identity handshake (before it, the connection is closed as bad
 * input), and at most {@value #MAX_HEARTBEATS_PER_SECOND} a second: an honest peer sends at most one per
 * heartbeat interval (a quarter of the timeout, 25 ms at the shortest), so more is a flood and closes the connection.
 */
final class ConnectionLiveness implements FailureDetector.Connection
{
    /** Heartbeats accepted per second and connection before the connection is closed as a flood. */
    static final int MAX_HEARTBEATS_PER_SECOND = 200;
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final NettyTransport transport;
    private final InboundFrameHandler reader;
    private final Channel channel;
    private final NodeId peer;
    private final TransportCounters counters;
    private final CoalescedTask heartbeat = new CoalescedTask(this::writeHeartbeat);
    private final VoidChannelPromise heartbeatPromise;
    private volatile long lastHeardNanos;
    private volatile long lastHeartbeatNanos;
    private volatile boolean convicted;
    /** Event loop of the connection: the flood check's window. */
    private long windowStartNanos;
    private int windowHeartbeats;

    ConnectionLiveness(final NettyTransport transport, final InboundFrameHandler reader, final Channel channel,
        final NodeId peer, final TransportCounters counters)
    {
        this.transport = transport;
        this.reader = reader;
        this.channel = channel;
        this.peer = peer;
        this.counters = counters;
        this.heartbeatPromise = new VoidChannelPromise(channel, false);
        final long now = System.nanoTime();
        this.lastHeardNanos = now;
        this.lastHeartbeatNanos = now;
        this.windowStartNanos = now;
    }

    NodeId peer()
    {
        return peer;
    }

    /** Event loop of the connection: the peer sent something (a read completed). */
    void heard(final long nowNanos)
    {
        lastHeardNanos = nowNanos;
    }

    /**
     * Event loop of the connection: a heartbeat frame arrived. Throws {@link BadInputException} when the peer sends
     * more than {@value #MAX_HEARTBEATS_PER_SECOND} in a second.
     */
    void onHeartbeat()
    {
        counters.heartbeatsReceived.incrementAndGet();
        final long now = System.nanoTime();
        if (now - windowStartNanos >= SECOND_NANOS)
        {
            windowStartNanos = now;
            windowHeartbeats = 0;
        }
        if (++windowHeartbeats > MAX_HEARTBEATS_PER_SECOND)
        {
            throw new BadInputException("heartbeat flood: over " + MAX_HEARTBEATS_PER_SECOND + " in a second");
        }
    }

    @Override
    public long lastHeardNanos()
    {
        return lastHeardNanos;
    }

    @Override
    public long lastSentNanos()
    {
        final long beat = lastHeartbeatNanos;
        final long frames = transport.lastSentNanos(peer, channel, beat);
        return frames - beat > 0 ? frames : beat;
    }

    @Override
    public boolean readsStopped()
    {
        return reader.held() || reader.paused();
    }

    @Override
    public boolean canSend()
    {
        return channel.isActive() && !NettyTransport.halfClosed(channel);
    }

    @Override
    public void sendHeartbeat()
    {
        heartbeat.runHereOrRequestOn(channel.eventLoop());
    }

    private void writeHeartbeat()
    {
        if (!canSend())
        {
            return;
        }
        final ByteBuf frame = channel.alloc().directBuffer(FrameDecoder.PREFIX).writeInt(0);
        // Not the channel's void promise: a write that fails because the connection is closing must not be
        // reported as an error of the connection. One promise that drops failures, reused: nothing allocated.
        channel.writeAndFlush(frame, heartbeatPromise);
        lastHeartbeatNanos = System.nanoTime();
        counters.heartbeatsSent.incrementAndGet();
    }

    @Override
    public void convict(final long silentNanos)
    {
        convicted = true;
        transport.convict(channel, peer, silentNanos);
    }

    @Override
    public boolean convicted()
    {
        return convicted;
    }
}
