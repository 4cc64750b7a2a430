package dev.hearsay.perf.bench;

import dev.hearsay.transport.IoMode;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Netty alone over loopback, configured like the transport (same I/O mode, one event loop thread per side,
 * TCP_NODELAY, the same write-buffer water marks, 4-byte length-prefixed frames written in 64 KiB batches):
 * <ul>
 * <li>one-way: a client writes frames of the bench's payload size as fast as the socket takes them, the server
 * splits and counts them;</li>
 * <li>ping-pong: the client sends one frame carrying its send time, the server echoes it, the client records the
 * round trip and sends the next (closed loop, so each side sleeps in its selector between frames, as the engine's
 * I/O threads do at a fixed rate).</li>
 * </ul>
 */
final class NettyBaseline implements AutoCloseable
{
    private static final int BATCH_BYTES = 64 * 1024;
    private static final int WRITE_BYTES_PER_TASK = 256 * 1024;

    private final int size;
    private final IoMode mode;
    private final EventLoopGroup serverGroup;
    private final EventLoopGroup clientGroup;
    private final Channel countServer;
    private final Channel echoServer;
    private final Channel oneWayClient;
    private final Channel pingClient;
    private final AtomicLong framesCounted = new AtomicLong();
    private final Writer writer;
    private final Pinger pinger;

    NettyBaseline(final IoMode requested, final int size)
    {
        this.size = size;
        this.mode = requested.resolve();
        final IoHandlerFactory factory = mode == IoMode.EPOLL ? EpollIoHandler.newFactory() :
            NioIoHandler.newFactory();
        serverGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-netty-server", true),
            factory);
        clientGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-netty-client", true),
            factory);
        final Class<? extends ServerChannel> serverClass =
            mode == IoMode.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        final Class<? extends SocketChannel> clientClass =
            mode == IoMode.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
        final WriteBufferWaterMark waterMark = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
        final InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try
        {
            countServer = server(serverClass, waterMark, new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new CountingDecoder());
                }
            }).bind(any).sync().channel();
            echoServer = server(serverClass, waterMark, new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new EchoDecoder());
                }
            }).bind(any).sync().channel();
            writer = new Writer();
            oneWayClient = client(clientClass, waterMark, writer).connect(countServer.localAddress()).sync().channel();
            pinger = new Pinger();
            pingClient = client(clientClass, waterMark, pinger).connect(echoServer.localAddress()).sync().channel();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the Netty baseline", ex);
        }
    }

    /** The I/O mode in use. */
    IoMode mode()
    {
        return mode;
    }

    /** One-way frames per second: {@code rampNanos} unmeasured, then {@code nanos} measured. */
    double oneWay(final long rampNanos, final long nanos)
    {
        writer.running = true;
        oneWayClient.eventLoop().execute(writer);
        LockSupport.parkNanos(rampNanos);
        final long c0 = framesCounted.get();
        final long t0 = System.nanoTime();
        LockSupport.parkNanos(nanos);
        final long c1 = framesCounted.get();
        final long t1 = System.nanoTime();
        writer.running = false;
        // Let the server read what is still in flight, so the next run starts from quiet sockets.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long last = -1;
        while (framesCounted.get() != last && System.nanoTime() < deadline)
        {
            last = framesCounted.get();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return (c1 - c0) * 1e9 / (t1 - t0);
    }

    /** Ping-pong for {@code nanos}; adds the round trips (nanoseconds) to {@code rtt} unless it is null. */
    void pingPong(final long nanos, final Histogram rtt)
    {
        pingPong(nanos, 0, rtt);
    }

    /**
     * Ping-pong at {@code rate} pings a second for {@code nanos} (0: closed loop, the next ping as soon as the echo
     * is back); adds the round trips (nanoseconds) to {@code rtt} unless it is null. Paced, the client's event loop
     * sends each ping at its slot on a Netty timer, whatever came back, and a round trip is measured from the slot:
     * the regime, and the correction for coordinated omission, of the engine's fixed-rate latency.
     */
    void pingPong(final long nanos, final long rate, final Histogram rtt)
    {
        final CountDownLatch done = new CountDownLatch(1);
        pinger.start(System.nanoTime() + nanos, rate > 0 ? 1_000_000_000L / rate : 0, done);
        try
        {
            if (!done.await(nanos + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS))
            {
                throw new IllegalStateException("ping-pong baseline stalled");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return;
        }
        final Histogram taken = pinger.recorder.getIntervalHistogram();
        if (rtt != null)
        {
            rtt.add(taken);
        }
    }

    @Override
    public void close()
    {
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        serverGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        clientGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private ServerBootstrap server(final Class<? extends ServerChannel> serverClass,
        final WriteBufferWaterMark waterMark, final ChannelInitializer<SocketChannel> init)
    {
        return new ServerBootstrap().group(serverGroup).channel(serverClass)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .childHandler(init);
    }

    private Bootstrap client(final Class<? extends SocketChannel> clientClass, final WriteBufferWaterMark waterMark,
        final ChannelInboundHandlerAdapter handler)
    {
        return new Bootstrap().group(clientGroup).channel(clientClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .handler(handler);
    }

    /** Server side of one-way: splits length-prefixed frames and counts them. */
    private final class CountingDecoder extends ByteToMessageDecoder
    {
        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        {
            long frames = 0;
            while (in.readableBytes() >= 4)
            {
                final int length = in.getInt(in.readerIndex());
                if (in.readableBytes() < 4 + length)
                {
                    break;
                }
                in.skipBytes(4 + length);
                frames++;
            }
            if (frames > 0)
            {
                framesCounted.lazySet(framesCounted.get() + frames);
            }
        }
    }

    /** Server side of ping-pong: echoes every frame back as it is. */
    private static final class EchoDecoder extends ByteToMessageDecoder
    {
        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        {
            boolean wrote = false;
            while (in.readableBytes() >= 4)
            {
                final int length = in.getInt(in.readerIndex());
                if (in.readableBytes() < 4 + length)
                {
                    break;
                }
                ctx.write(in.readRetainedSlice(4 + length), ctx.voidPromise());
                wrote = true;
            }
            if (wrote)
            {
                ctx.flush();
            }
        }
    }

    /** Client side of one-way: a task on the client's event loop that writes batches while the socket takes them. */
    @io.netty.channel.ChannelHandler.Sharable
    private final class Writer extends ChannelInboundHandlerAdapter implements Runnable
    {
        volatile boolean running;
        private final byte[] payload = new byte[size];

        @Override
        public void run()
        {
            final Channel ch = oneWayClient;
            int written = 0;
            while (running && ch.isWritable() && written < WRITE_BYTES_PER_TASK)
            {
                final ByteBuf batch = ch.alloc().directBuffer(BATCH_BYTES);
                while (batch.writableBytes() >= 4 + size)
                {
                    batch.writeInt(size);
                    batch.writeBytes(payload);
                }
                written += batch.readableBytes();
                ch.write(batch, ch.voidPromise());
            }
            ch.flush();
            if (running && ch.isWritable())
            {
                // Give reads and other tasks of this loop a turn, as the transport's drain task does.
                ch.eventLoop().execute(this);
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            if (ctx.channel().isWritable() && running)
            {
                run();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    /** Client side of ping-pong: one frame in flight, round trips recorded on the event loop. */
    private final class Pinger extends ByteToMessageDecoder
    {
        final Recorder recorder = LatencyRecorders.recorder();
        private volatile long endNanos;
        private volatile long intervalNanos;
        private volatile CountDownLatch done;
        private ChannelHandlerContext context;
        private long nextSlot;
        private long timerSetAt;
        private long timerRequest;
        private int outstanding;
        private final TimerSlack slack = new TimerSlack();
        private final Runnable pacedPing = this::pacedPing;

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            context = ctx;
        }

        void start(final long end, final long interval, final CountDownLatch latch)
        {
            endNanos = end;
            intervalNanos = interval;
            done = latch;
            if (interval > 0)
            {
                context.executor().execute(() ->
                {
                    // The client's loop paces like a publisher, with the publishers' timer slack.
                    slack.onPacingThread();
                    nextSlot = System.nanoTime();
                    outstanding = 0;
                    pacedPing();
                });
            }
            else
            {
                context.executor().execute(() -> ping(System.nanoTime()));
            }
        }

        private void ping(final long stamp)
        {
            final ByteBuf frame = context.alloc().directBuffer(4 + size);
            frame.writeInt(size);
            frame.writeLong(stamp);
            frame.writeZero(size - 8);
            context.writeAndFlush(frame, context.voidPromise());
        }

        /**
         * Event loop, paced like the engine's publishers: the timer fires the timer slack early, the loop spins the
         * rest of the way to the slot, and sends the pings whose slots have come (stamped with the slot).
         */
        private void pacedPing()
        {
            long now = System.nanoTime();
            if (timerRequest > 0)
            {
                slack.observe(timerRequest, now - timerSetAt);
                timerRequest = 0;
            }
            while (nextSlot - now > 0 && nextSlot - now <= slack.nanos() + TimerSlack.SPIN_MARGIN_NANOS)
            {
                Thread.onSpinWait();
                now = System.nanoTime();
            }
            while (nextSlot - now <= 0 && nextSlot - endNanos < 0)
            {
                outstanding++;
                ping(nextSlot);
                nextSlot += intervalNanos;
            }
            if (nextSlot - endNanos < 0)
            {
                timerSetAt = now;
                timerRequest = Math.max(1, nextSlot - now - slack.nanos());
                context.executor().schedule(pacedPing, timerRequest, TimeUnit.NANOSECONDS);
            }
            else if (outstanding == 0)
            {
                done.countDown();
            }
        }

        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        {
            while (in.readableBytes() >= 4)
            {
                final int length = in.getInt(in.readerIndex());
                if (in.readableBytes() < 4 + length)
                {
                    return;
                }
                final long sent = in.getLong(in.readerIndex() + 4);
                in.skipBytes(4 + length);
                final long now = System.nanoTime();
                LatencyRecorders.record(recorder, now - sent);
                if (intervalNanos > 0)
                {
                    if (--outstanding == 0 && nextSlot - endNanos >= 0)
                    {
                        done.countDown();
                    }
                }
                else if (now - endNanos < 0)
                {
                    ping(now);
                }
                else
                {
                    done.countDown();
                }
            }
        }
    }
}
