package dev.hearsay.perf.bench;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.transport.GossipNode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Real {@link GossipNode}s on loopback in this JVM, one subscription each on one topic, one receiver thread for all
 * and one publisher thread per publishing node. Latency is one-way: every timestamp comes from this JVM's clock.
 */
final class LocalCluster implements EngineCluster
{
    private final BenchOptions options;
    private final List<GossipNode> nodes = new ArrayList<>();
    private final Subscription[] subscriptions;
    private final Publisher[] publishers;
    private final LatencyRecorders latency = new LatencyRecorders();
    private final ThreadMeter meter = new ThreadMeter();
    /** One receiver for all nodes, or with {@code --subscriber-threads} one per node (index = node). */
    private final Receiver[] receivers;
    private final Map<NodeId, Integer> indexOf = new HashMap<>();
    private int activePublishers;
    private volatile long windowBase;
    private boolean connected;

    LocalCluster(final BenchOptions options)
    {
        this(options, 0, null);
    }

    LocalCluster(final BenchOptions options, final int lastNodeReadLimit)
    {
        this(options, lastNodeReadLimit, null);
    }

    /**
     * @param lastNodeReadLimit read limit of the last node's transport, bytes per second
     *                          ({@code TransportOptions.readLimitBytesPerSecond}; 0: none): a slow peer.
     * @param secure            a secure configuration of every node ({@code --sign}, {@code --tls}), or null.
     */
    LocalCluster(final BenchOptions options, final int lastNodeReadLimit, final SecureVariant secure)
    {
        this.options = options;
        final int n = options.nodes;
        subscriptions = new Subscription[n];
        publishers = new Publisher[n];
        try
        {
            for (int i = 0; i < n; i++)
            {
                final GossipNode node = GossipNode.builder()
                    .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .config(secure == null ? config(options) :
                        secure.config(config(options), options.signatureLingerMicros))
                    .transportOptions(secure == null ? transportOptions(options, i, lastNodeReadLimit) :
                        secure.transportOptions(transportOptions(options, i, lastNodeReadLimit)))
                    .start();
                nodes.add(node);
                indexOf.put(node.id(), i);
            }
            for (final GossipNode a : nodes)
            {
                for (final GossipNode b : nodes)
                {
                    if (a != b)
                    {
                        a.addPeer(b.addr());
                    }
                }
            }
            final TopicId topic = TopicId.of(options.topic);
            final List<NodeId> ids = new ArrayList<>();
            for (final GossipNode node : nodes)
            {
                ids.add(node.id());
            }
            final int[] indexes = new int[n];
            Arrays.setAll(indexes, i -> i);
            if (options.dispatcherDelivery)
            {
                final Receiver receiver = Receiver.onDispatchers(n, indexes, latency, options.size);
                receivers = new Receiver[] {receiver};
                for (int i = 0; i < n; i++)
                {
                    subscriptions[i] = nodes.get(i).subscribe(topic, bootstrap(ids, i, n),
                        options.validating(SubscriptionOptions.defaults().withDispatcherHandler(receiver.handler(i))));
                    receiver.subscribed(i, subscriptions[i]);
                }
            }
            else if (options.subscriberThreads)
            {
                receivers = new Receiver[n];
                for (int i = 0; i < n; i++)
                {
                    subscriptions[i] = nodes.get(i).subscribe(topic, bootstrap(ids, i, n),
                        options.validating(subscriptionOptions(options)));
                    // Parks with wakeOnEvents when its subscription is empty (no idle strategy).
                    receivers[i] = new Receiver(new Subscription[] {subscriptions[i]}, new int[] {i}, null, latency,
                        true, options.size).start("subscriber-" + i);
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    subscriptions[i] = nodes.get(i).subscribe(topic, bootstrap(ids, i, n),
                        options.validating(SubscriptionOptions.defaults().withOverflow(options.overflow)));
                }
                receivers = new Receiver[] {new Receiver(subscriptions, indexes,
                    options.receiverIdle().createForReceiver(), latency, true, options.size).start("bench-receiver")};
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /** Options of a subscription polled by a thread of its own: the chosen overflow policy and slow-reader timeout. */
    private static SubscriptionOptions subscriptionOptions(final BenchOptions options)
    {
        final SubscriptionOptions o = SubscriptionOptions.defaults().withOverflow(options.overflow);
        return options.slowSubscriberTimeoutMillis > 0
            ? o.withSlowSubscriberTimeout(java.time.Duration.ofMillis(options.slowSubscriberTimeoutMillis)) : o;
    }

    /**
     * Whom node {@code i} joins through. A cluster small enough for a full mesh (every active view holds all the
     * others) joins through every earlier node, so that each run measures the same overlay; a larger one joins
     * through one earlier node, as a growing cluster would.
     */
    static <T> List<T> bootstrap(final List<T> ids, final int i, final int n)
    {
        if (i == 0)
        {
            return List.of();
        }
        if (n - 1 <= GossipConfig.defaults().activeViewCapacity())
        {
            return List.copyOf(ids.subList(0, i));
        }
        return List.of(ids.get((i * 7919) % i));
    }

    /**
     * Node configuration of the bench: the defaults, the chosen idle strategy and subscription capacity, and the
     * per-topic tables preallocated with {@code --preallocate}.
     */
    private static dev.hearsay.transport.TransportOptions transportOptions(final BenchOptions options, final int node,
        final int lastNodeReadLimit)
    {
        return node == options.nodes - 1 ? options.transportOptions().withReadLimitBytesPerSecond(lastNodeReadLimit)
            : options.transportOptions();
    }

    static GossipConfig config(final BenchOptions options)
    {
        return GossipConfig.builder()
            .idleStrategy(options.idle.create())
            .subscriptionCapacity(options.subscriptionCapacity)
            .preallocate(options.preallocate)
            .build();
    }

    @Override
    public int size()
    {
        return nodes.size();
    }

    @Override
    public boolean awaitOverlay(final long timeoutNanos)
    {
        connected = Overlay.await(this::views, timeoutNanos, TimeUnit.MILLISECONDS.toNanos(20));
        return connected;
    }

    @Override
    public List<String> overlay()
    {
        final List<Set<Integer>> views = views();
        connected = Overlay.connected(views);
        return Overlay.describeAll(views);
    }

    private List<Set<Integer>> views()
    {
        final List<Set<Integer>> views = new ArrayList<>();
        for (final Subscription s : subscriptions)
        {
            final Set<Integer> view = new HashSet<>();
            for (final NodeId peer : s.neighbors())
            {
                view.add(indexOf.getOrDefault(peer, -1));
            }
            views.add(view);
        }
        return views;
    }

    @Override
    public boolean connected()
    {
        return connected;
    }

    @Override
    public void startPublishing(final int tag, final long totalRate, final int count, final long window)
    {
        activePublishers = Math.min(count, nodes.size());
        final long interval = totalRate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * activePublishers / totalRate;
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        final int counted = Tag.counted(tag);
        windowBase = delivered(counted);
        for (int i = 0; i < activePublishers; i++)
        {
            if (publishers[i] == null)
            {
                publishers[i] = new Publisher(subscriptions[i], i, nodes.size(), options.size, latency);
            }
            publishers[i].window(window > 0 && totalRate == 0 ? () -> inFlight(counted) <= window : null);
            // Publishers of a fixed rate are staggered over one interval so the total rate is even.
            publishers[i].start(tag, interval, start + (interval / activePublishers) * i, false);
        }
    }

    /** Broadcasts of {@code tag} accepted but not yet delivered at every other node (approximately: totals). */
    private long inFlight(final int tag)
    {
        long accepted = 0;
        for (int i = 0; i < activePublishers; i++)
        {
            accepted += publishers[i].accepted();
        }
        return accepted - (delivered(tag) - windowBase) / (nodes.size() - 1);
    }

    /** Messages of {@code tag} delivered at node {@code i} so far. */
    long deliveredAt(final int i, final int tag)
    {
        return receivers.length == 1 ? receivers[0].delivered(i, tag) : receivers[i].delivered(0, tag);
    }

    /** Events the Lagged events seen at node {@code i} so far reported missed. */
    long missedAt(final int i)
    {
        return receivers.length == 1 ? receivers[0].missed(i) : receivers[i].missed(0);
    }

    @Override
    public long delivered(final int tag)
    {
        long delivered = 0;
        for (int i = 0; i < nodes.size(); i++)
        {
            delivered += deliveredAt(i, tag);
        }
        return delivered;
    }

    @Override
    public long stopPublishing()
    {
        long accepted = 0;
        for (int i = 0; i < activePublishers; i++)
        {
            accepted += publishers[i].stop();
        }
        activePublishers = 0;
        return accepted;
    }

    @Override
    public long backPressured()
    {
        long n = 0;
        for (final Publisher p : publishers)
        {
            n += p == null ? 0 : p.backPressured();
        }
        return n;
    }

    @Override
    public Snapshot snapshot()
    {
        final int n = nodes.size();
        final long[] delivered = new long[n * Tag.COUNT];
        for (int i = 0; i < n; i++)
        {
            for (int tag = 0; tag < Tag.COUNT; tag++)
            {
                delivered[i * Tag.COUNT + tag] = deliveredAt(i, tag);
            }
        }
        final long now = System.nanoTime();
        final long[] nanos = new long[n];
        Arrays.fill(nanos, now);
        final List<Map<String, Long>> counters = new ArrayList<>();
        for (final GossipNode node : nodes)
        {
            final Map<String, Long> c = new LinkedHashMap<>();
            NodeCounters.addTo(node, c);
            counters.add(c);
        }
        return new Snapshot(nanos, delivered, meter.read(), ThreadMeter.gcCount(),
            ThreadMeter.gcMillis(), ThreadMeter.safepointCount(), ThreadMeter.safepointMillis(),
            ThreadMeter.compileMillis(), counters);
    }

    @Override
    public void takeLatency(final Latencies into)
    {
        if (into == null)
        {
            // After the warm-up: stragglers of it must not land in the first measured round's histograms.
            for (final Receiver receiver : receivers)
            {
                receiver.warmupOver();
            }
            latency.reset();
        }
        else
        {
            into.takeFrom(latency);
        }
    }

    /** With {@code --subscriber-threads}: the thread that reads node {@code i}'s subscription. */
    Receiver readerOf(final int i)
    {
        if (receivers.length != nodes.size())
        {
            throw new IllegalStateException("one reader per node needs --subscriber-threads");
        }
        return receivers[i];
    }

    /** Broadcasts node {@code i}'s publisher had accepted when it last stopped (0 if it never published). */
    long acceptedBy(final int i)
    {
        return publishers[i] == null ? 0 : publishers[i].accepted();
    }

    /** Node {@code i}'s neighbors, as node indexes. */
    Set<Integer> neighborsOf(final int i)
    {
        return views().get(i);
    }

    /** The nodes (for counters in the report). */
    List<GossipNode> nodes()
    {
        return nodes;
    }

    @Override
    public void close()
    {
        for (final Publisher p : publishers)
        {
            if (p != null)
            {
                p.close();
            }
        }
        if (receivers != null)
        {
            for (final Receiver receiver : receivers)
            {
                if (receiver != null)
                {
                    receiver.close();
                }
            }
        }
        for (final GossipNode node : nodes)
        {
            node.close();
        }
    }
}
