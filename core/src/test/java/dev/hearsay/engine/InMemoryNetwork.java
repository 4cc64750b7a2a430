package dev.hearsay.engine;

import dev.hearsay.NodeId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Several {@link GossipEngine}s in one JVM, connected through their rings: a frame one engine sends is published
 * straight into the receiving engine's ring by the sender's dispatcher thread. For tests and benchmarks.
 * <p>
 * Model: a "connection" (pipe) per pair of nodes, opened by the first send in either direction (both sides then
 * see a peer-connected event) and closed by either side's disconnect (the other side sees a peer-disconnected
 * event after the frames sent before it). {@link #kill(NodeId)} crashes a node: its pipes close, its neighbors see
 * it disconnect, dials to it fail, and whatever it sends is lost. A {@link SendFilter} can drop or delay frames.
 * <p>
 * Bounds: at most {@code maxNodes} transports; per directed link at most {@code linkCapacity} frames wait (on the
 * sender) while the receiver's ring is full. A send beyond that returns false, so the sending engine drops the
 * slow peer, exactly as with a TCP peer whose outbound queue stays full.
 */
public final class InMemoryNetwork
{
    /** Default largest number of nodes. */
    public static final int DEFAULT_MAX_NODES = 256;
    /** Default frames queued per directed link while the receiver's ring is full. */
    public static final int DEFAULT_LINK_CAPACITY = 4096;

    private static final long KILL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Sees every frame before it is sent; runs on the sender's dispatcher thread. */
    @FunctionalInterface
    public interface SendFilter
    {
        /** False to lose the frame (the send still reports success, as a lossy network would). */
        boolean allow(NodeId from, NodeId to, DirectBuffer frame, int offset, int length);
    }

    private final int maxNodes;
    private final int linkCapacity;
    private final AtomicReference<Map<NodeId, InMemoryTransport>> nodes = new AtomicReference<>(Map.of());
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicReferenceArray<AtomicBoolean> pipes;
    private volatile SendFilter sendFilter;

    /** A network of at most {@value #DEFAULT_MAX_NODES} nodes with the default link capacity. */
    public InMemoryNetwork()
    {
        this(DEFAULT_MAX_NODES, DEFAULT_LINK_CAPACITY);
    }

    /** A network of at most {@code maxNodes} nodes queueing at most {@code linkCapacity} frames per link. */
    public InMemoryNetwork(final int maxNodes, final int linkCapacity)
    {
        if (maxNodes < 2 || maxNodes > 4096)
        {
            throw new IllegalArgumentException("maxNodes: " + maxNodes + " is outside [2, 4096]");
        }
        if (linkCapacity < 1)
        {
            throw new IllegalArgumentException("linkCapacity: " + linkCapacity + " must be positive");
        }
        this.maxNodes = maxNodes;
        this.linkCapacity = linkCapacity;
        this.pipes = new AtomicReferenceArray<>(maxNodes * maxNodes);
    }

    /** A new transport for node {@code id}; hand it to that node's {@link GossipEngine}. */
    public InMemoryTransport transport(final NodeId id)
    {
        final int index = nextIndex.getAndIncrement();
        if (index >= maxNodes)
        {
            throw new IllegalStateException("network full: maxNodes is " + maxNodes);
        }
        final InMemoryTransport transport = new InMemoryTransport(this, id, index, linkCapacity);
        while (true)
        {
            final Map<NodeId, InMemoryTransport> current = nodes.get();
            if (current.containsKey(id))
            {
                throw new IllegalArgumentException("node already on the network: " + id.shortString());
            }
            final HashMap<NodeId, InMemoryTransport> next = new HashMap<>(current);
            next.put(id, transport);
            if (nodes.compareAndSet(current, Map.copyOf(next)))
            {
                return transport;
            }
        }
    }

    /** Installs (or with null removes) the filter every frame passes before it is sent. */
    public void sendFilter(final SendFilter filter)
    {
        this.sendFilter = filter;
    }

    /**
     * Crashes node {@code id}: from now on its sends are lost and dials to it fail; every open connection to it
     * closes and the peer at the other end sees a peer-disconnected event. Waits (bounded) while a peer's ring is
     * full. The crashed node's own engine is not told anything.
     */
    public void kill(final NodeId id)
    {
        final InMemoryTransport victim = lookup(id);
        if (victim == null)
        {
            throw new IllegalArgumentException("unknown node: " + id.shortString());
        }
        victim.dead = true;
        for (final InMemoryTransport other : nodes.get().values())
        {
            if (other == victim)
            {
                continue;
            }
            final AtomicBoolean pipe = pipes.get(pipeIndex(victim.index, other.index));
            if (pipe != null && pipe.compareAndSet(true, false))
            {
                final NetworkEvents events = other.events();
                final long deadline = System.nanoTime() + KILL_TIMEOUT_NANOS;
                final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
                while (events != null && !events.onPeerDisconnected(id))
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new IllegalStateException("ring of " + other.id().shortString() + " stayed full");
                    }
                    idle.idle();
                }
            }
        }
    }

    SendFilter sendFilter()
    {
        return sendFilter;
    }

    InMemoryTransport lookup(final NodeId id)
    {
        return nodes.get().get(id);
    }

    /** The pipe shared by the two directions between the nodes at {@code a} and {@code b}. */
    AtomicBoolean pipe(final int a, final int b)
    {
        final int index = pipeIndex(a, b);
        AtomicBoolean pipe = pipes.get(index);
        if (pipe == null)
        {
            pipes.compareAndSet(index, null, new AtomicBoolean());
            pipe = pipes.get(index);
        }
        return pipe;
    }

    private int pipeIndex(final int a, final int b)
    {
        return Math.min(a, b) * maxNodes + Math.max(a, b);
    }
}
