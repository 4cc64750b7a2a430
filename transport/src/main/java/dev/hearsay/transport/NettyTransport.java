package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.engine.NetworkEvents;
import dev.hearsay.engine.NodeCounters;
import dev.hearsay.engine.Transport;
import dev.hearsay.engine.DispatcherHost;
import dev.hearsay.engine.DispatcherThread;
import dev.hearsay.engine.HostedDispatcher;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
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
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The TCP {@link Transport}: one connection per peer pair shared by all topics, length-prefixed frames, an Ed25519
 * identity handshake on every connection, dial on demand from an address book, native epoll or NIO.
 *
 * <p>The dispatcher's side ({@link #send}, {@link #flush}, {@link #disconnect}) never blocks: frames go into the
 * peer's bounded outbound queue and an event loop drains them; a peer whose queue overflows is disconnected.
 * Network events go into the dispatcher's ring; when it is full, reading pauses on that socket and the event is
 * retried, never dropped.
 *
 * <p>Failure detection: every authenticated connection is watched by a {@link FailureDetector}: idle connections
 * carry heartbeats, and a peer silent past the failure detection timeout has its connection closed, which reports
 * it down exactly as a closed socket does.
 *
 * <p>Simultaneous dials: both connections complete the handshake; the one dialled by the node with the smaller id
 * carries the traffic and the other is closed after a grace period. A peer that reconnects with a new instance id
 * (it restarted) replaces the old connection, which is reported down first.
 */
public final class NettyTransport implements Transport
{
    private static final System.Logger LOG = System.getLogger(NettyTransport.class.getName());
    private static final long RETRY_MICROS = 100;
    private static final long DUPLICATE_GRACE_MILLIS = 1_000;
    /** How often the transport's counters are copied into the node's counters buffer. */
    static final long COUNTERS_INTERVAL_MILLIS = 100;
    /** Reads of one socket per pass of its event loop when the loop also runs the dispatcher (else 1). */
    static final int READS_PER_PASS_WITH_DISPATCHER = 8;
    /**
     * How often readers paused for a full ring are retried at the latest. The dispatcher asks them to retry as soon
     * as it frees space ({@link #ringSpaceFreed}); this is only the backstop.
     */
    static final long PAUSED_RETRY_MILLIS = 10;
    /** The largest read from a socket (see {@link #start}). */
    static final int MAX_READ_BYTES = 16 * 1024;
    private static final long EVICTION_SCAN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE_EVICTION_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final NodeKey key;
    private final NodeId id;
    private final long instance = new SecureRandom().nextLong();
    private final TransportOptions options;
    private final int maxFrameLength;
    private final int maxPeerData;
    private final TransportCounters counters = new TransportCounters();
    private final Map<NodeId, PeerLink> links = new ConcurrentHashMap<>();
    /**
     * The values of {@link #links}, for the periodic scans (gauges, idle eviction): iterating the map allocates an
     * iterator every time, and code run a few times a second is not compiled well enough for escape analysis to
     * remove it. Copy on write (a CAS loop), on the rare creation and eviction of a link.
     */
    private final SnapshotArray<PeerLink> linkArray = new SnapshotArray<>(PeerLink[]::new);
    private final Map<NodeId, List<InetSocketAddress>> addressBook = new ConcurrentHashMap<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final IoMode ioMode;

    private EventLoopGroup group;
    /** With {@link TransportOptions#dispatcherOnEventLoop()}: the first event loop's handler, which runs it. */
    private DispatchingIoHandler dispatcherHost;
    private Channel server;
    private NetworkEvents events;
    /** Checks, in debug mode, that the dispatcher-only methods below run on the dispatcher thread. */
    private DispatcherThread dispatcherThread = DispatcherThread.ANY;
    private volatile byte[] contactData = new byte[0];
    private volatile boolean closed;
    private PeerLink[] dirty = new PeerLink[64];
    private int dirtyCount;
    /** Relay flow control: congested links, held and paused readers. */
    private final FlowControl flow = new FlowControl(counters);
    private final SlowPeerPolicy slowPeers;
    /** Dials, and the socket budget of dialled and accepted connections. */
    private final Dialer dialer;
    private final java.util.ArrayList<PeerLink> released = new java.util.ArrayList<>();
    private long lastLingerScanNanos;
    /** With TLS: this node's certificate (made at start) and the contexts of both connection directions. */
    private SelfSignedCertificate tlsCertificate;
    private SslContext tlsServer;
    private SslContext tlsClient;
    private long lastEvictionScanNanos;
    /** The liveness of the same connections, scanned by the failure detector. */
    private final SnapshotArray<ConnectionLiveness> watched = new SnapshotArray<>(ConnectionLiveness[]::new);
    private final FailureDetector detector;
    /** The node's read limit (TransportOptions.readLimitBytesPerSecond), or null for none. */
    private final ReadThrottle readThrottle;
    /** Which accepted connections get a handshake: a rate per source, a cap on those not authenticated yet. */
    private final ConnectionAdmission admission;
    /** Makes and checks the handshakes' signatures off the event loops; inline until {@link #start}. */
    private volatile HandshakeExecutor handshakes = HandshakeExecutor.inline();

    /**
     * @param key            this node's key: its id and the handshake signer.
     * @param options        transport settings.
     * @param maxFrameLength largest frame accepted (the engine's maximum encoded message).
     * @param maxPeerData    largest contact data accepted in a handshake.
     */
    public NettyTransport(final NodeKey key, final TransportOptions options, final int maxFrameLength,
        final int maxPeerData)
    {
        this(key, options, maxFrameLength, maxPeerData,
            dev.hearsay.GossipConfig.defaults().failureDetectionTimeoutNanos());
    }

    /**
     * @param key                   this node's key: its id and the handshake signer.
     * @param options               transport settings.
     * @param maxFrameLength        largest frame accepted (the engine's maximum encoded message).
     * @param maxPeerData           largest contact data accepted in a handshake.
     * @param failureDetectionNanos silence after which a connected peer is convicted (see
     *                              {@link dev.hearsay.GossipConfig#failureDetectionTimeout()}).
     */
    public NettyTransport(final NodeKey key, final TransportOptions options, final int maxFrameLength,
        final int maxPeerData, final long failureDetectionNanos)
    {
        this.detector = new FailureDetector(watched::get, failureDetectionNanos);
        this.slowPeers = new SlowPeerPolicy(flow, TimeUnit.MILLISECONDS.toNanos(options.slowPeerTimeoutMillis()),
            this::cutSlowPeer, counters);
        this.key = key;
        this.id = key.id();
        this.options = options;
        this.maxFrameLength = maxFrameLength;
        this.maxPeerData = maxPeerData;
        this.ioMode = options.ioMode().resolve();
        this.readThrottle = options.readLimitBytesPerSecond() > 0 ?
            new ReadThrottle(options.readLimitBytesPerSecond(), counters) : null;
        this.admission = new ConnectionAdmission(options, counters);
        this.dialer = new Dialer(options, counters, this::addresses, this::initDialledChannel,
            peer -> publish(() -> events.onDialFailed(peer)), () -> closed);
    }

    /** Binds the listening socket and starts the I/O threads. Bind failure: {@link UncheckedIOException}. */
    public InetSocketAddress start(final InetSocketAddress bindAddress)
    {
        if (options.tls())
        {
            startTls();
        }
        handshakes = HandshakeExecutor.start(options.handshakeThreads(),
            options.maxUnauthenticatedConnections() + 2 * options.maxPendingDials(), id.shortString());
        final IoHandlerFactory io = ioMode == IoMode.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final DispatchingIoHandler.Factory dispatching =
            options.dispatcherOnEventLoop() ? DispatchingIoHandler.factory(io) : null;
        group = new MultiThreadIoEventLoopGroup(options.ioThreads(),
            new DefaultThreadFactory("hearsay-io-" + id.shortString(), true), dispatching != null ? dispatching : io);
        if (dispatching != null)
        {
            final io.netty.channel.EventLoop loop = (io.netty.channel.EventLoop)group.iterator().next();
            // Run the loop's thread now (Netty starts it on the first task), so the host can name it at once.
            loop.submit(() -> { }).syncUninterruptibly();
            dispatcherHost = dispatching.handlerOf(loop);
        }
        final Class<? extends ServerChannel> serverClass =
            ioMode == IoMode.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        final Class<? extends SocketChannel> clientClass =
            ioMode == IoMode.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
        // Netty's outbound buffer holds at most a few 32 KiB batches (the backlog stays in the peer's OutboundQueue,
        // which allocates nothing): with up to 1 MiB (32 batches a connection) more buffers and outbound entries
        // were alive at once than Netty's per-thread recyclers keep, and at max rate every drain allocated some.
        final WriteBufferWaterMark waterMark = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
        // Pooled buffers: FrameDecoder's per-frame retained slices are then recycled objects. With Netty 4.2's
        // default (adaptive) allocator each one is a new UnpooledSlicedByteBuf, about 40 bytes per received frame.
        final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        // Reads of at most 16 KiB (Netty's adaptive default goes to 64 KiB): a read that ends inside a frame is
        // merged with the next one, and two reads then still fit the 32 KiB that the pool serves from the thread's
        // cache (see FrameDecoder). At a saturated receiver's 30 MB/s this is about 2,000 reads a second.
        // Set as an option, the allocator keeps its own maxMessagesPerRead of 1 (the channel's default of 16 applies
        // only to the allocator a channel makes itself): one read per socket per pass, and a socket with more to
        // read is read again from the loop's task queue. Every published figure of the default is measured with it;
        // 16 per pass (a series of 5 runs at 5 nodes) saw a burst of grafts. With the dispatcher on the loop, a pass
        // also runs a dispatcher duty cycle, and
        // reading more per pass spreads its cost: 8 reads a pass gave 0.86-1.34 M deliveries/s (median 1.04 M)
        // against 0.81-1.13 M (median 0.91 M) at 5 nodes, 6 interleaved pairs, no storm in either.
        final io.netty.channel.AdaptiveRecvByteBufAllocator reads =
            new io.netty.channel.AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);
        reads.maxMessagesPerRead(options.dispatcherOnEventLoop() ? READS_PER_PASS_WITH_DISPATCHER : 1);
        final Bootstrap dialling = new Bootstrap().group(group).channel(clientClass)
            .option(ChannelOption.ALLOCATOR, allocator)
            .option(ChannelOption.RCVBUF_ALLOCATOR, reads)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis());
        if (options.socketBufferBytes() > 0)
        {
            dialling.option(ChannelOption.SO_SNDBUF, options.socketBufferBytes())
                .option(ChannelOption.SO_RCVBUF, options.socketBufferBytes());
        }
        dialer.bootstrap(dialling);
        final ServerBootstrap acceptor = new ServerBootstrap().group(group).channel(serverClass)
            .handler(admission.acceptHandler())
            .childOption(ChannelOption.ALLOCATOR, allocator)
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, reads)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (closed)
                    {
                        ch.close();
                        return;
                    }
                    if (!dialer.reserveSocket(ch))
                    {
                        // Refused before any handler or buffer is set up for it: a flood costs one accept each.
                        counters.connectionsRefused.incrementAndGet();
                        LOG.log(System.Logger.Level.DEBUG, "refusing connection from {0}: {1} connections open",
                            ch.remoteAddress(), options.maxConnections());
                        ch.close();
                        return;
                    }
                    if (!admission.admit(ch))
                    {
                        ch.close(); // counted by the admission
                        return;
                    }
                    counters.accepted.incrementAndGet();
                    track(ch);
                    if (tlsServer != null)
                    {
                        ch.pipeline().addLast("tls", tlsHandler(tlsServer.newHandler(ch.alloc())));
                    }
                    initPipeline(ch, null, false);
                }
            });
        if (options.socketBufferBytes() > 0)
        {
            // SO_RCVBUF on the listening socket: accepted sockets inherit it before the handshake (the window scale
            // is fixed then).
            acceptor.option(ChannelOption.SO_RCVBUF, options.socketBufferBytes())
                .childOption(ChannelOption.SO_SNDBUF, options.socketBufferBytes())
                .childOption(ChannelOption.SO_RCVBUF, options.socketBufferBytes());
        }
        detector.start(group.next());
        group.next().scheduleWithFixedDelay(flow::retryPausedReadersIfAny, PAUSED_RETRY_MILLIS, PAUSED_RETRY_MILLIS,
            TimeUnit.MILLISECONDS);
        try
        {
            server = acceptor.bind(bindAddress).sync().channel();
        }
        catch (final Exception e)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new UncheckedIOException("bind " + bindAddress + " failed: " + e.getMessage(),
                e instanceof IOException ? (IOException)e : new IOException(e));
        }
        return (InetSocketAddress)server.localAddress();
    }

    /**
     * Publishes this transport's counters into {@code nodeCounters} (allocated now, on the calling thread, which
     * must be the one building the node) and refreshes them every {@value #COUNTERS_INTERVAL_MILLIS} ms from an
     * event loop. Call after {@link #start}.
     */
    public void publishCounters(final NodeCounters nodeCounters)
    {
        final List<java.util.function.LongSupplier> sources = new ArrayList<>();
        final List<AtomicCounter> targets = new ArrayList<>();
        counters.forEach((label, value) ->
        {
            sources.add(value::get);
            targets.add(nodeCounters.newCounter(label, NodeCounters.TYPE_TRANSPORT));
        });
        sources.add(dialer::openSockets);
        targets.add(nodeCounters.newCounter("gauge: open sockets", NodeCounters.TYPE_TRANSPORT));
        sources.add(dialer::pendingDials);
        targets.add(nodeCounters.newCounter("gauge: dials in progress", NodeCounters.TYPE_TRANSPORT));
        sources.add(this::connectedPeerCount);
        targets.add(nodeCounters.newCounter("gauge: connected peers", NodeCounters.TYPE_TRANSPORT));
        sources.add(admission::unauthenticated);
        targets.add(nodeCounters.newCounter("gauge: unauthenticated connections", NodeCounters.TYPE_TRANSPORT));
        group.next().scheduleAtFixedRate(() ->
        {
            for (int i = 0; i < targets.size(); i++)
            {
                targets.get(i).setRelease(sources.get(i).getAsLong());
            }
        }, 0, COUNTERS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Peers with an established connection right now (no allocation). */
    public int connectedPeerCount()
    {
        int count = 0;
        for (final PeerLink link : linkArray.get())
        {
            final Channel ch = link.channel;
            if (ch != null && ch.isActive())
            {
                count++;
            }
        }
        return count;
    }

    /**
     * TLS 1.3 both ways with this node's fresh self-signed certificate. Any certificate is accepted at the TLS
     * level, and a client certificate is required: authentication is the identity handshake's job, which signs
     * both sides' certificate hashes (a man in the middle with his own certificate fails it).
     */
    private void startTls()
    {
        tlsCertificate = SelfSignedCertificate.generate("hearsay-" + id.shortString());
        try
        {
            tlsServer = SslContextBuilder.forServer(tlsCertificate.privateKey(), tlsCertificate.certificate())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
            tlsClient = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .keyManager(tlsCertificate.privateKey(), tlsCertificate.certificate())
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        }
        catch (final javax.net.ssl.SSLException e)
        {
            throw new IllegalStateException("TLS setup failed: " + e.getMessage(), e);
        }
    }

    private SslHandler tlsHandler(final SslHandler handler)
    {
        handler.setHandshakeTimeoutMillis(options.handshakeTimeoutMillis());
        return handler;
    }

    /** This node's TLS certificate, or null without TLS. */
    SelfSignedCertificate tlsCertificate()
    {
        return tlsCertificate;
    }

    /** The I/O implementation in use. */
    public IoMode ioMode()
    {
        return ioMode;
    }

    /** Counters of this transport. */
    public TransportCounters counters()
    {
        return counters;
    }

    /** The bound listening address. */
    public InetSocketAddress localAddress()
    {
        return server == null ? null : (InetSocketAddress)server.localAddress();
    }

    /**
     * Addresses other nodes can dial: the bound address, or, when bound to a wildcard, one per local interface
     * address (loopback last).
     */
    public List<InetSocketAddress> advertisedAddresses()
    {
        final InetSocketAddress local = localAddress();
        if (local == null)
        {
            return List.of();
        }
        if (!local.getAddress().isAnyLocalAddress())
        {
            return List.of(local);
        }
        final List<InetSocketAddress> out = new ArrayList<>();
        final List<InetSocketAddress> loopback = new ArrayList<>();
        try
        {
            final Enumeration<NetworkInterface> nics = NetworkInterface.getNetworkInterfaces();
            while (nics != null && nics.hasMoreElements())
            {
                final NetworkInterface nic = nics.nextElement();
                if (!nic.isUp())
                {
                    continue;
                }
                for (final InetAddress a : Collections.list(nic.getInetAddresses()))
                {
                    if (a.isLinkLocalAddress())
                    {
                        continue;
                    }
                    (a.isLoopbackAddress() ? loopback : out).add(new InetSocketAddress(a, local.getPort()));
                }
            }
        }
        catch (final SocketException e)
        {
            // Fall back to loopback only.
        }
        out.addAll(loopback);
        if (out.isEmpty())
        {
            out.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), local.getPort()));
        }
        return out.subList(0, Math.min(out.size(), ContactAddresses.MAX_ADDRESSES));
    }

    /** Contact data sent in handshakes (this node's encoded addresses). */
    public void contactData(final byte[] data)
    {
        contactData = data.clone();
    }

    /** Teaches the address book how to reach {@code peer}. */
    public void addAddresses(final NodeId peer, final List<InetSocketAddress> addresses)
    {
        if (peer.equals(id) || addresses.isEmpty())
        {
            return;
        }
        if (addressBook.size() >= options.maxPeers() && !addressBook.containsKey(peer))
        {
            return; // Bounded: unknown peers beyond the limit are not remembered.
        }
        addressBook.put(peer, List.copyOf(addresses));
    }

    /** Known addresses of {@code peer} (empty if none). */
    public List<InetSocketAddress> addresses(final NodeId peer)
    {
        return addressBook.getOrDefault(peer, List.of());
    }

    /** Peers with an established connection right now. */
    public Set<NodeId> connectedPeers()
    {
        final Set<NodeId> out = new java.util.HashSet<>();
        for (final PeerLink link : links.values())
        {
            final Channel ch = link.channel;
            if (ch != null && ch.isActive())
            {
                out.add(link.peer);
            }
        }
        return out;
    }

    /** Open sockets right now (established or handshaking), for tests and tools. */
    public int openChannels()
    {
        return channels.size();
    }

    // ------------------------------------------------------------------------------------------------ Transport

    @Override
    public void bind(final NetworkEvents events)
    {
        this.dispatcherThread = events.dispatcherThreadCheck();
        this.events = events;
    }

    @Override
    public boolean send(final NodeId peer, final DirectBuffer frame, final int offset, final int length)
    {
        dispatcherThread.check("send");
        PeerLink link = links.get(peer);
        if (link == null)
        {
            if (closed || (links.size() >= options.maxPeers() && !evictIdleLink()))
            {
                return false;
            }
            link = links.computeIfAbsent(peer, p -> listed(new PeerLink(this, p, options.outboundQueueBytes(),
                options.congestionBytes(), counters, flow.congestedLinkCount())));
        }
        link.closeTarget = null;
        link.released = false;
        if (!link.offer(frame, offset, length))
        {
            if (link.hasQueue())
            {
                counters.slowPeerDisconnects.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "peer {0}: outbound queue over {1} bytes, disconnecting",
                    peer.shortString(), options.outboundQueueBytes());
            }
            else
            {
                LOG.log(System.Logger.Level.WARNING, "peer {0}: no direct memory left for its outbound queue, "
                    + "disconnecting", peer.shortString());
            }
            final Channel ch = link.channel;
            if (ch != null)
            {
                ch.close();
            }
            return false;
        }
        if (!link.congested() && link.checkCongested(System.nanoTime()))
        {
            flow.congested(link);
        }
        if (link.channel == null)
        {
            dialer.dial(link);
        }
        else if (!link.dirty)
        {
            link.dirty = true;
            if (dirtyCount == dirty.length)
            {
                dirty = java.util.Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = link;
        }
        return true;
    }

    @Override
    public int flush()
    {
        dispatcherThread.check("flush");
        final int n = dirtyCount;
        for (int i = 0; i < n; i++)
        {
            final PeerLink link = dirty[i];
            dirty[i] = null;
            link.dirty = false;
            link.drainFromDispatcher();
        }
        dirtyCount = 0;
        slowPeers.check();
        flow.onFlush();
        if (!released.isEmpty())
        {
            closeLingering();
        }
        evictIdleLinks();
        return n;
    }

    /** Dispatcher: the slow-peer policy gave up on {@code link}: counted, logged, disconnected. */
    private void cutSlowPeer(final PeerLink link)
    {
        counters.slowPeerDisconnects.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "peer {0}: outbound queue above half of {1} bytes and not draining for {2} ms, "
            + "disconnecting", link.peer.shortString(), options.outboundQueueBytes(), options.slowPeerTimeoutMillis());
        final Channel ch = link.channel;
        if (ch != null)
        {
            ch.close();
        }
        else
        {
            publish(() -> events.onPeerDisconnected(link.peer));
        }
    }

    /** The transport's relay flow control (inbound handlers report their holds and pauses to it). */
    FlowControl flow()
    {
        return flow;
    }

    @Override
    public boolean congested(final NodeId peer)
    {
        dispatcherThread.check("congested");
        final PeerLink link = links.get(peer);
        return link != null && link.congested();
    }

    @Override
    public boolean anySlow()
    {
        dispatcherThread.check("anySlow");
        return slowPeers.anyIsolated();
    }

    @Override
    public boolean slow(final NodeId peer)
    {
        dispatcherThread.check("slow");
        final PeerLink link = links.get(peer);
        return link != null && link.isolated();
    }

    @Override
    public void waitFor(final NodeId peer)
    {
        dispatcherThread.check("waitFor");
        final PeerLink link = links.get(peer);
        if (link != null && link.congested())
        {
            slowPeers.require(link);
        }
    }

    @Override
    public boolean inboundHeld()
    {
        dispatcherThread.check("inboundHeld");
        return flow.inboundHeld();
    }

    /** Dispatcher: it freed ring space; readers paused for a full ring retry now (see {@link FlowControl}). */
    @Override
    public void ringSpaceFreed()
    {
        dispatcherThread.check("ringSpaceFreed");
        flow.ringSpaceFreed();
    }

    /** Connections whose reads are held right now. */
    public int heldReaders()
    {
        return flow.heldReaders();
    }

    /**
     * A connection's inbound handler is in its pipeline: relay flow control may hold and release it, and the failure
     * detector watches it.
     */
    void addReader(final InboundFrameHandler reader)
    {
        flow.addReader(reader);
        watched.add(reader.liveness());
    }

    /** The connection closed. */
    void removeReader(final InboundFrameHandler reader)
    {
        flow.removeReader(reader);
        watched.remove(reader.liveness());
    }

    /**
     * When this node last wrote queued frames to {@code peer} on {@code ch}, or {@code otherwise} when {@code ch}
     * is not the connection its frames go to. Any thread.
     */
    long lastSentNanos(final NodeId peer, final Channel ch, final long otherwise)
    {
        final PeerLink link = links.get(peer);
        return link != null && link.channel == ch ? link.lastSentNanos : otherwise;
    }

    /**
     * The failure detector's thread: {@code peer} sent nothing on {@code ch} for {@code silentNanos}. The connection
     * is closed on its event loop (the peer is then reported down like any closed connection), and what was queued
     * for the peer is dropped rather than dialled again: a frozen process still accepts TCP connections in its
     * kernel, and a new dial would only wait for a handshake that cannot come.
     */
    void convict(final Channel ch, final NodeId peer, final long silentNanos)
    {
        counters.peersConvicted.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "peer {0}: nothing heard for {1} ms (failure detection timeout {2} ms), "
            + "closing its connection", peer.shortString(), TimeUnit.NANOSECONDS.toMillis(silentNanos),
            TimeUnit.NANOSECONDS.toMillis(detector.timeoutNanos()));
        final PeerLink link = links.get(peer);
        ch.eventLoop().execute(() ->
        {
            if (link != null && link.channel == ch)
            {
                link.discardQueued();
            }
            ch.close();
        });
    }

    /** The failure detector of this transport's connections. */
    FailureDetector failureDetector()
    {
        return detector;
    }

    @Override
    public boolean backPressured()
    {
        return flow.anyCongested();
    }

    /**
     * The protocol no longer needs {@code peer}. The connection is kept for {@link TransportOptions#lingerMillis()}
     * (a new send in that time keeps it) and then closed gracefully: membership traffic often needs the same peer
     * again soon, and every close is a window in which the two sides disagree about the connection.
     */
    @Override
    public void disconnect(final NodeId peer)
    {
        dispatcherThread.check("disconnect");
        final PeerLink link = links.get(peer);
        if (link == null || link.released)
        {
            return;
        }
        link.released = true;
        link.releasedAtNanos = System.nanoTime();
        released.add(link);
    }

    /**
     * The peer sent a frame that does not decode: close its connection now, not after the linger time (it must not
     * keep a connection it could go on using), and drop what was queued for it rather than dial it again.
     */
    @Override
    public void reject(final NodeId peer)
    {
        dispatcherThread.check("reject");
        final PeerLink link = links.get(peer);
        if (link == null)
        {
            return;
        }
        link.released = false;
        final Channel ch = link.channel;
        if (ch != null)
        {
            ch.eventLoop().execute(() ->
            {
                if (link.channel == ch)
                {
                    link.discardQueued();
                }
                ch.close();
            });
        }
    }

    /** Dispatcher: closes released links whose linger time is over and that sent nothing since. */
    private void closeLingering()
    {
        final long now = System.nanoTime();
        if (now - lastLingerScanNanos < TimeUnit.MILLISECONDS.toNanos(50))
        {
            return;
        }
        lastLingerScanNanos = now;
        final long linger = TimeUnit.MILLISECONDS.toNanos(options.lingerMillis());
        for (int i = released.size() - 1; i >= 0; i--)
        {
            final PeerLink link = released.get(i);
            if (!link.released)
            {
                released.remove(i);
            }
            else if (now - link.releasedAtNanos >= linger)
            {
                released.remove(i);
                link.released = false;
                final Channel ch = link.channel;
                link.closeTarget = ch;
                if (ch != null)
                {
                    ch.eventLoop().execute(() ->
                    {
                        if (link.closeTarget == ch && link.channel == ch && link.queued() == 0)
                        {
                            closeGracefully(link, ch);
                        }
                        else
                        {
                            link.scheduleDrain();
                        }
                    });
                }
            }
        }
    }

    @Override
    public void onContactData(final NodeId peer, final byte[] data)
    {
        final List<InetSocketAddress> addresses = ContactAddresses.decode(data);
        if (!addresses.isEmpty())
        {
            addAddresses(peer, addresses);
        }
    }

    @Override
    public DispatcherHost dispatcherHost()
    {
        return dispatcherHost;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        handshakes.close();
        if (group == null)
        {
            return;
        }
        detector.stop();
        if (onEventLoop())
        {
            closeFromEventLoop();
            return;
        }
        drainAndCloseLinks();
        if (server != null)
        {
            server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (final Channel ch : List.copyOf(channels))
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS))
            {
                ch.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /**
     * Sends what is queued for every peer (the broadcasts accepted before the close, then the Disconnects of the
     * topics left) and closes each connection gracefully once its queue is empty (see {@link #closeGracefully}):
     * tasks on the sockets' event loops, which run after this call. {@link #close} waits for them a bounded time
     * and closes whatever is still open then.
     */
    private void drainAndCloseLinks()
    {
        for (final PeerLink link : links.values())
        {
            final Channel ch = link.channel;
            link.closeTarget = ch;
            if (ch != null && ch.isActive())
            {
                ch.eventLoop().execute(link::scheduleDrain);
            }
        }
    }

    /** True on one of this transport's event loops (a hosted dispatcher, or a handler closing its node). */
    private boolean onEventLoop()
    {
        for (final io.netty.util.concurrent.EventExecutor loop : group)
        {
            if (loop.inEventLoop())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Close on an event loop, which cannot wait for itself: the last frames are drained and every socket closed by
     * tasks that run after this one, and the loops then shut down (gracefully, so those tasks run first).
     */
    private void closeFromEventLoop()
    {
        drainAndCloseLinks();
        if (server != null)
        {
            server.close();
        }
        for (final Channel ch : List.copyOf(channels))
        {
            ch.eventLoop().execute(ch::close);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------------------------------------ internals

    NodeId id()
    {
        return id;
    }

    NodeKey key()
    {
        return key;
    }

    long instance()
    {
        return instance;
    }

    byte[] contactData()
    {
        return contactData;
    }

    int maxPeerData()
    {
        return maxPeerData;
    }

    long handshakeTimeoutMillis()
    {
        return options.handshakeTimeoutMillis();
    }

    /** Where handshake signatures are made and checked. */
    HandshakeExecutor handshakeExecutor()
    {
        return handshakes;
    }

    /** Accepted connections that have not completed their handshake right now. */
    int unauthenticatedConnections()
    {
        return admission.unauthenticated();
    }

    /**
     * The handlers every connection starts with: framing, then the handshake (and, with a read limit, its throttle
     * first of all, before TLS). One place for accepted and dialled connections alike, and for
     * InboundFuzzer (test support), which must test exactly what a socket gets.
     */
    void initPipeline(final Channel ch, final NodeId expected, final boolean dialedByMe)
    {
        if (readThrottle != null)
        {
            ch.pipeline().addFirst("read-throttle", readThrottle.newHandler());
        }
        ch.pipeline().addLast("framing", new FrameDecoder(maxFrameLength, counters));
        ch.pipeline().addLast("handshake", new HandshakeHandler(this, expected, dialedByMe));
    }

    private void track(final Channel ch)
    {
        channels.add(ch);
        ch.closeFuture().addListener(f -> channels.remove(ch));
    }

    private boolean evictIdleLink()
    {
        for (final PeerLink link : links.values())
        {
            if (tryEvict(link))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Forgets {@code link} if nothing uses it: no connection (chosen or closing), no dial, nothing queued, not
     * lingering. Its outbound queue holds direct memory (up to {@link TransportOptions#outboundQueueBytes()}), so
     * links of peers that came and went must not pile up (peers connecting under fresh identities would otherwise
     * pin it, up to {@link TransportOptions#maxPeers()} of them). Under the link's monitor, so that a handshake
     * completing at the same time either sees the eviction and makes a new link or prevents it.
     */
    private boolean tryEvict(final PeerLink link)
    {
        if (!idle(link))
        {
            return false;
        }
        synchronized (link)
        {
            if (!idle(link) || link.openChannels > 0)
            {
                return false;
            }
            link.evicted = true;
            if (links.remove(link.peer, link))
            {
                unlisted(link);
            }
        }
        link.clearCongested();
        return true;
    }

    /** Adds a link being put into {@link #links} to {@link #linkArray}; returns it. */
    private PeerLink listed(final PeerLink link)
    {
        return linkArray.add(link);
    }

    /** Removes a link taken out of {@link #links} from {@link #linkArray}. */
    private void unlisted(final PeerLink link)
    {
        linkArray.remove(link);
    }

    private static boolean idle(final PeerLink link)
    {
        return link.channel == null && !link.dialing.get() && link.queued() == 0 && !link.released
            && !link.dirty;
    }

    /**
     * Dispatcher: about once a second, forgets links that have been idle (see {@link #tryEvict}) for a few
     * seconds. The delay keeps a link (and its queue) across a quick reconnect.
     */
    private void evictIdleLinks()
    {
        final long now = System.nanoTime();
        if (now - lastEvictionScanNanos < EVICTION_SCAN_NANOS)
        {
            return;
        }
        lastEvictionScanNanos = now;
        for (final PeerLink link : linkArray.get())
        {
            if (!idle(link) || link.openChannels > 0)
            {
                link.idleSinceNanos = 0;
            }
            else if (link.idleSinceNanos == 0)
            {
                link.idleSinceNanos = now;
            }
            else if (now - link.idleSinceNanos >= IDLE_EVICTION_NANOS)
            {
                tryEvict(link);
            }
        }
    }

    /** Sockets open or being set up right now, as counted for {@link TransportOptions#maxConnections()}. */
    public int openSockets()
    {
        return dialer.openSockets();
    }

    /** Dials in progress right now. */
    public int pendingDials()
    {
        return dialer.pendingDials();
    }

    /** Peers the transport keeps a link (address-independent state and an outbound queue) for right now. */
    public int peerLinks()
    {
        return links.size();
    }

    /** The pipeline of a socket dialled to {@code peer} at {@code address}. */
    private void initDialledChannel(final SocketChannel ch, final NodeId peer, final InetSocketAddress address)
    {
        track(ch);
        if (tlsClient != null)
        {
            ch.pipeline().addLast("tls", tlsHandler(tlsClient.newHandler(ch.alloc(), address.getHostString(),
                address.getPort())));
        }
        initPipeline(ch, peer, true);
    }

    /** A dialled connection closed before its handshake completed. */
    void handshakeAborted(final NodeId peer)
    {
        final PeerLink link = links.get(peer);
        if (link != null && link.dialing.get() && link.channel == null)
        {
            dialer.failed(link, "handshake did not complete");
        }
    }

    /** The handshake of {@code ch} completed: choose the connection that carries the peer's traffic. */
    InboundFrameHandler established(final Channel ch, final Handshake.Hello hello, final boolean dialedByMe)
    {
        counters.handshakes.incrementAndGet();
        admission.authenticated(ch);
        onContactData(hello.id(), hello.data());
        return attach(ch, hello, dialedByMe);
    }

    /** Makes {@code ch} a connection of its peer's link; retried if the dispatcher evicts that link meanwhile. */
    private InboundFrameHandler attach(final Channel ch, final Handshake.Hello hello, final boolean dialedByMe)
    {
        final NodeId peer = hello.id();
        PeerLink link = links.get(peer);
        if (link == null)
        {
            // No eviction from here: only the dispatcher evicts, since it may be about to queue into an idle link.
            // Its periodic scan frees idle links anyway.
            if (links.size() >= options.maxPeers())
            {
                LOG.log(System.Logger.Level.WARNING, "refusing {0}: {1} peers already known", peer.shortString(),
                    options.maxPeers());
                ch.close();
                return null;
            }
            link = links.computeIfAbsent(peer, p -> listed(new PeerLink(this, p, options.outboundQueueBytes(),
                options.congestionBytes(), counters, flow.congestedLinkCount())));
        }
        final InboundFrameHandler inbound = new InboundFrameHandler(this, events, peer, counters);
        Channel stale = null;
        Channel duplicate = null;
        boolean announce = false;
        boolean restarted = false;
        synchronized (link)
        {
            if (link.evicted)
            {
                return attach(ch, hello, dialedByMe);
            }
            link.openChannels++;
            final Channel current = link.channel;
            if (current == null || !current.isActive() || halfClosed(current))
            {
                announce = true;
            }
            else if (link.instance != hello.instance())
            {
                // Same key, new incarnation: the old connection is dead even if TCP has not noticed yet.
                stale = current;
                restarted = true;
                announce = true;
            }
            else
            {
                counters.duplicateConnections.incrementAndGet();
                final NodeId currentDialer = link.dialedByMe ? id : peer;
                final NodeId newDialer = dialedByMe ? id : peer;
                if (newDialer.compareTo(currentDialer) < 0)
                {
                    duplicate = current;
                    link.channel = ch;
                    link.dialedByMe = dialedByMe;
                }
                else
                {
                    duplicate = ch;
                }
            }
            if (announce)
            {
                link.channel = ch;
                link.instance = hello.instance();
                link.dialedByMe = dialedByMe;
            }
            dialer.ended(link);
        }
        if (restarted)
        {
            publish(() -> events.onPeerDisconnected(peer));
            stale.close();
        }
        if (announce)
        {
            publish(() -> events.onPeerConnected(peer));
        }
        if (duplicate != null)
        {
            // The loser stops carrying new frames now and is half-closed after a grace period, so nothing the peer
            // sent on it before learning of the choice is lost.
            final Channel loser = duplicate;
            final PeerLink chosen = link;
            loser.eventLoop().schedule(() -> closeGracefully(chosen, loser), DUPLICATE_GRACE_MILLIS,
                TimeUnit.MILLISECONDS);
        }
        link.scheduleDrain();
        return inbound;
    }

    /**
     * Event loop of {@code ch}: ends a connection without losing what is in flight. This side stops sending (TCP
     * half-close, after everything queued was written) but keeps reading until the peer has sent all it had and
     * closes its side too; new frames for the peer go to a new connection. Forced closed after a grace period.
     */
    void closeGracefully(final PeerLink link, final Channel ch)
    {
        detach(link, ch);
        if (ch instanceof io.netty.channel.socket.DuplexChannel duplex && ch.isActive())
        {
            // Shutting the output down fails every write still in the channel's buffer and cuts a frame the socket
            // took in part: the empty write completes only after all written before it, so the FIN follows them.
            ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(written ->
            {
                if (ch.isActive())
                {
                    duplex.shutdownOutput();
                }
            });
            ch.eventLoop().schedule(() -> ch.close(), options.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
        else
        {
            ch.close();
        }
    }

    /**
     * Event loop of {@code ch}: the peer half-closed (it will send nothing more). Write what is queued for it, then
     * close our side: it is still reading.
     */
    void remoteFinished(final Channel ch, final NodeId peer)
    {
        final PeerLink link = links.get(peer);
        if (link != null && link.channel == ch)
        {
            link.drainTo(ch);
            detach(link, ch);
        }
        ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    static boolean halfClosed(final Channel ch)
    {
        return ch instanceof io.netty.channel.socket.DuplexChannel d && (d.isOutputShutdown() || d.isInputShutdown());
    }

    /** Stops sending new frames on {@code ch}; later sends go to a new connection. */
    private void detach(final PeerLink link, final Channel ch)
    {
        synchronized (link)
        {
            if (link.channel == ch)
            {
                link.channel = null;
            }
        }
        // Frames queued after the close was decided must not be stranded: the dispatcher saw a live channel and
        // will not dial, so dial here.
        if (!closed && link.queued() > 0 && link.channel == null)
        {
            dialer.dial(link);
        }
    }

    /** A connection closed: the peer is down unless another connection to it is in use. */
    void connectionClosed(final Channel ch, final NodeId peer)
    {
        final PeerLink link = links.get(peer);
        if (link == null)
        {
            return;
        }
        boolean down;
        synchronized (link)
        {
            if (link.evicted)
            {
                return; // its peer was reported down before (no channel of an evicted link was open)
            }
            if (link.openChannels > 0)
            {
                link.openChannels--;
            }
            if (link.channel == ch)
            {
                link.channel = null;
            }
            down = link.channel == null;
        }
        if (down)
        {
            link.clearCongested();
        }
        if (down && !closed)
        {
            publish(() -> events.onPeerDisconnected(peer));
            if (link.queued() > 0 && link.channel == null)
            {
                dialer.dial(link);
            }
        }
    }

    /** The chosen connection to {@code peer} can take writes again. */
    /** Event loop: {@code peer} said it holds its reads from this node on purpose, or no longer does. */
    void peerHolding(final NodeId peer, final boolean holding)
    {
        final PeerLink link = links.get(peer);
        if (link != null)
        {
            link.peerHolding = holding;
        }
    }

    void writable(final NodeId peer)
    {
        final PeerLink link = links.get(peer);
        if (link != null)
        {
            link.scheduleDrain();
        }
    }

    /** Bad input or an I/O error on {@code ch}: one log line, a counter, and the connection is closed. */
    void badInput(final Channel ch, final NodeId peer, final Throwable cause)
    {
        final FrameDecoder framing = ch.pipeline().get(FrameDecoder.class);
        if (framing != null)
        {
            framing.discardRest();
        }
        final Throwable root = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
            ? cause.getCause() : cause;
        if (root instanceof BadInputException)
        {
            if (root.getMessage() != null && root.getMessage().startsWith("handshake"))
            {
                counters.handshakeFailures.incrementAndGet();
            }
            else if (!(root.getMessage() != null && root.getMessage().startsWith("frame length"))
                && !(root.getMessage() != null && root.getMessage().startsWith("connection closed inside")))
            {
                counters.badFrames.incrementAndGet();
            }
            LOG.log(System.Logger.Level.WARNING, "closing connection {0} ({1}): {2}", ch.remoteAddress(),
                peer == null ? "unauthenticated" : peer.shortString(), root.getMessage());
        }
        else if (root instanceof javax.net.ssl.SSLException)
        {
            // A failed or timed out TLS handshake, or a TLS record that does not decrypt: not a peer we can use.
            counters.handshakeFailures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "closing connection {0} ({1}): TLS: {2}", ch.remoteAddress(),
                peer == null ? "unauthenticated" : peer.shortString(), root.getMessage());
        }
        else
        {
            LOG.log(System.Logger.Level.DEBUG, "connection {0} failed: {1}", ch.remoteAddress(), root.toString());
        }
        ch.close();
    }

    /** Publishes a network event, retrying on an event loop while the ring is full: never dropped. */
    private void publish(final BooleanSupplier event)
    {
        if (events == null || event.getAsBoolean())
        {
            return;
        }
        group.next().schedule(() -> publish(event), RETRY_MICROS, TimeUnit.MICROSECONDS);
    }
}
