package dev.hearsay.engine;

import dev.hearsay.NodeId;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node's endpoint on an {@link InMemoryNetwork}. Every method but {@link #bind} runs on the owning engine's
 * dispatcher thread, which therefore owns the link table and the per-link queues; the only state shared across
 * threads is the per-pair pipe flag (atomic), the dead/closed flags and the receiving engines' rings.
 * <p>
 * A frame goes straight into the receiver's ring. When that ring is full it waits in the link's queue (bounded by
 * the link capacity) and later frames queue behind it to keep order; {@link #flush()} retries. A link that would
 * exceed its bound makes {@link #send} return false. Queued frames are kept on disconnect (sent before the
 * disconnect notice); only when a link is disconnected twice while still backed up are the frames of the
 * intermediate connection discarded, which keeps each queue within capacity + 3 entries.
 */
public final class InMemoryTransport implements Transport
{
    private static final int FRAME = 1;
    private static final int CONNECTED = 2;
    private static final int DISCONNECTED = 3;
    private static final long CLOSE_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final InMemoryNetwork network;
    private final NodeId id;
    final int index;
    private final int linkCapacity;
    private final Object2ObjectHashMap<NodeId, Link> links = new Object2ObjectHashMap<>();
    private final ArrayList<Link> backlog = new ArrayList<>();
    private volatile NetworkEvents events;
    volatile boolean dead;
    volatile boolean closed;

    // Dispatcher-owned statistics, read racily.
    private long framesDirect;
    private long framesQueued;
    private long framesFiltered;
    private long framesLost;

    InMemoryTransport(final InMemoryNetwork network, final NodeId id, final int index, final int linkCapacity)
    {
        this.network = network;
        this.id = id;
        this.index = index;
        this.linkCapacity = linkCapacity;
    }

    /** The node this endpoint belongs to. */
    public NodeId id()
    {
        return id;
    }

    /** Frames published straight into the receiver's ring. */
    public long framesDirect()
    {
        return framesDirect;
    }

    /** Frames that had to wait in a link queue because the receiver's ring was full. */
    public long framesQueued()
    {
        return framesQueued;
    }

    /** Frames the send filter dropped. */
    public long framesFiltered()
    {
        return framesFiltered;
    }

    /** Frames lost because this node or the receiver was dead or closed. */
    public long framesLost()
    {
        return framesLost;
    }

    NetworkEvents events()
    {
        return events;
    }

    @Override
    public void bind(final NetworkEvents events)
    {
        if (this.events != null)
        {
            throw new IllegalStateException("transport already bound to an engine");
        }
        this.events = events;
    }

    @Override
    public boolean send(final NodeId peer, final DirectBuffer frame, final int offset, final int length)
    {
        if (dead || closed)
        {
            framesLost++;
            return true;
        }
        final InMemoryNetwork.SendFilter filter = network.sendFilter();
        if (filter != null && !filter.allow(id, peer, frame, offset, length))
        {
            framesFiltered++;
            return true;
        }
        final Link link = link(peer);
        if (!link.reachable())
        {
            framesLost++;
            link.dialFailed();
            return true;
        }
        link.open();
        return link.sendFrame(frame, offset, length);
    }

    @Override
    public void disconnect(final NodeId peer)
    {
        final Link link = links.get(peer);
        if (link != null)
        {
            link.close();
        }
    }

    @Override
    public int flush()
    {
        int work = 0;
        for (int i = backlog.size() - 1; i >= 0; i--)
        {
            final Link link = backlog.get(i);
            work += link.drain();
            if (link.isIdle())
            {
                link.inBacklog = false;
                final int last = backlog.size() - 1;
                backlog.set(i, backlog.get(last));
                backlog.remove(last);
            }
        }
        return work;
    }

    /** Closes every connection (peers see a disconnect), spending at most a second on full rings. */
    @Override
    public void close()
    {
        closed = true;
        links.forEach((peer, link) -> link.close());
        final long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
        while (!backlog.isEmpty() && System.nanoTime() < deadline)
        {
            if (flush() == 0)
            {
                Thread.yield();
            }
        }
    }

    private Link link(final NodeId peer)
    {
        Link link = links.get(peer);
        if (link == null)
        {
            final InMemoryTransport remote = peer.equals(id) ? null : network.lookup(peer);
            link = new Link(peer, remote, remote == null ? null : network.pipe(index, remote.index));
            links.put(peer, link);
        }
        return link;
    }

    /** This node's outbound side towards one peer. */
    private final class Link
    {
        private final NodeId peer;
        private final InMemoryTransport remote;
        private final AtomicBoolean pipe;
        private final int[] kinds;
        private final UnsafeBuffer[] buffers;
        private final int[] lengths;
        private int head;
        private int size;
        private int frames;
        private boolean disconnectQueued;
        private boolean selfConnected;
        private boolean selfDialFailed;
        boolean inBacklog;

        Link(final NodeId peer, final InMemoryTransport remote, final AtomicBoolean pipe)
        {
            this.peer = peer;
            this.remote = remote;
            this.pipe = pipe;
            final int slots = linkCapacity + 3;
            kinds = new int[slots];
            buffers = new UnsafeBuffer[slots];
            lengths = new int[slots];
        }

        boolean reachable()
        {
            return remote != null && !remote.dead && !remote.closed && remote.events() != null;
        }

        void dialFailed()
        {
            selfDialFailed = true;
            markBacklog();
        }

        /** Opens the pipe if closed; the side that opens it tells both ends. */
        void open()
        {
            if (!pipe.get() && pipe.compareAndSet(false, true))
            {
                notice(CONNECTED);
                selfConnected = true;
                markBacklog();
            }
        }

        void close()
        {
            if (pipe != null && pipe.compareAndSet(true, false) && reachable())
            {
                notice(DISCONNECTED);
            }
        }

        boolean sendFrame(final DirectBuffer frame, final int offset, final int length)
        {
            if (size == 0 && remote.events().onFrame(id, frame, offset, length))
            {
                framesDirect++;
                return true;
            }
            if (frames >= linkCapacity)
            {
                return false;
            }
            push(FRAME, frame, offset, length);
            frames++;
            framesQueued++;
            markBacklog();
            return true;
        }

        private void notice(final int kind)
        {
            if (size == 0 && publishNotice(kind))
            {
                return;
            }
            if (kind == DISCONNECTED && disconnectQueued)
            {
                // The connection opened after the queued disconnect is closing too, still unsent: forget it.
                while (kinds[tailIndex()] != DISCONNECTED)
                {
                    if (kinds[tailIndex()] == FRAME)
                    {
                        frames--;
                        framesLost++;
                    }
                    size--;
                }
                return;
            }
            push(kind, null, 0, 0);
            if (kind == DISCONNECTED)
            {
                disconnectQueued = true;
            }
            markBacklog();
        }

        private boolean publishNotice(final int kind)
        {
            final NetworkEvents remoteEvents = remote.events();
            return kind == CONNECTED ? remoteEvents.onPeerConnected(id) : remoteEvents.onPeerDisconnected(id);
        }

        /** Moves queued items into the receiver's ring in order, stopping at the first refusal. */
        int drain()
        {
            int work = 0;
            if (dead || remote == null || remote.dead || remote.closed)
            {
                framesLost += frames;
                size = 0;
                frames = 0;
                disconnectQueued = false;
            }
            while (size > 0)
            {
                final int i = head;
                final boolean published = kinds[i] == FRAME ?
                    remote.events().onFrame(id, buffers[i], 0, lengths[i]) : publishNotice(kinds[i]);
                if (!published)
                {
                    break;
                }
                if (kinds[i] == FRAME)
                {
                    frames--;
                }
                else if (kinds[i] == DISCONNECTED)
                {
                    disconnectQueued = false;
                }
                head = (head + 1) % kinds.length;
                size--;
                work++;
            }
            final NetworkEvents own = events;
            if (selfConnected && own.onPeerConnected(peer))
            {
                selfConnected = false;
                work++;
            }
            if (selfDialFailed && own.onDialFailed(peer))
            {
                selfDialFailed = false;
                work++;
            }
            return work;
        }

        boolean isIdle()
        {
            return size == 0 && !selfConnected && !selfDialFailed;
        }

        private void push(final int kind, final DirectBuffer frame, final int offset, final int length)
        {
            final int i = (head + size) % kinds.length;
            kinds[i] = kind;
            if (kind == FRAME)
            {
                UnsafeBuffer buffer = buffers[i];
                if (buffer == null || buffer.capacity() < length)
                {
                    buffer = new UnsafeBuffer(new byte[BitUtil.findNextPositivePowerOfTwo(Math.max(64, length))]);
                    buffers[i] = buffer;
                }
                buffer.putBytes(0, frame, offset, length);
                lengths[i] = length;
            }
            size++;
        }

        private int tailIndex()
        {
            return (head + size - 1) % kinds.length;
        }

        private void markBacklog()
        {
            if (!inBacklog)
            {
                inBacklog = true;
                backlog.add(this);
            }
        }
    }
}
