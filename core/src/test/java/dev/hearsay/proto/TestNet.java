package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A tiny deterministic network for protocol unit tests: messages are copied into one FIFO queue and delivered in
 * order when the test pumps; time moves only when the test says so; a filter can drop chosen messages. After every
 * message and timer run it handles, the receiving node's repair invariants are checked.
 */
final class TestNet
{
    static final TopicId TOPIC = TopicId.of("test");

    final GossipConfig config;
    final List<Node> nodes = new ArrayList<>();
    final ArrayDeque<Envelope> queue = new ArrayDeque<>();
    final Set<NodeId> crashed = new HashSet<>();
    final List<Envelope> sent = new ArrayList<>();
    Predicate<Envelope> drop = e -> false;
    long now = 1_000_000_000L;

    TestNet(final GossipConfig config)
    {
        this.config = config;
    }

    /** Triangle a, b, c (each a neighbor of the others), just joined: every edge still eager. */
    static TestNet threeJoined(final GossipConfig config)
    {
        final TestNet net = new TestNet(config);
        final Node a = net.add();
        final Node b = net.add();
        final Node c = net.add();
        a.state.join(TOPIC, List.of(), net.now);
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        c.state.join(TOPIC, List.of(a.id, b.id), net.now);
        net.pump();
        return net;
    }

    /** {@link #threeJoined} after one warm-up broadcast from a and 20 ms. */
    static TestNet warmTriangle(final GossipConfig config)
    {
        final TestNet net = threeJoined(config);
        net.nodes.get(0).broadcast("warm-up");
        net.pump();
        net.advance(20);
        return net;
    }

    record Envelope(NodeId from, NodeId to, Message message, boolean peerDown)
    {
    }

    record Delivery(NodeId author, NodeId from, int hops, byte[] payload, boolean neighborsOnly, long sequence)
    {
    }

    final class Node implements ProtocolOutput
    {
        final NodeId id;
        final ProtocolState state;
        final List<Delivery> deliveries = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final Map<NodeId, byte[]> contacts = new HashMap<>();
        /** Peers this node's transport would report slow (see ProtocolOutput#slow). */
        final Set<NodeId> slow = new HashSet<>();
        /** Peers the protocol asked the transport to wait for, in order. */
        final List<NodeId> waitedFor = new ArrayList<>();
        /** Peers this node's transport would report congested (see ProtocolOutput#congested). */
        final Set<NodeId> congested = new HashSet<>();
        /** Messages the repair gave up (see ProtocolOutput#lost), all authors together. */
        long lost;

        Node(final long seed)
        {
            final byte[] key = new byte[32];
            for (int i = 0; i < 8; i++)
            {
                key[i] = (byte)(seed >>> (8 * i));
            }
            key[31] = (byte)0xA5;
            id = NodeId.fromBytes(key);
            state = new ProtocolState(id, config, seed, 1, this);
        }

        @Override
        public void lost(final TopicId topic, final NodeId author, final int epoch, final long count)
        {
            lost += count;
            events.add("lost " + count);
        }

        @Override
        public void send(final NodeId peer, final Message message)
        {
            final Envelope e = new Envelope(id, peer, message.copy(), false);
            sent.add(e);
            queue.add(e);
        }

        @Override
        public void deliver(final TopicId topic, final NodeId author, final int epoch, final long sequence,
            final NodeId from, final int hops, final boolean neighborsOnly, final DirectBuffer payload,
            final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            payload.getBytes(offset, bytes);
            deliveries.add(new Delivery(author, from, hops, bytes, neighborsOnly, sequence));
        }

        @Override
        public void neighborUp(final TopicId topic, final NodeId peer)
        {
            events.add("up " + peer);
        }

        @Override
        public void neighborDown(final TopicId topic, final NodeId peer)
        {
            events.add("down " + peer);
        }

        @Override
        public void disconnect(final NodeId peer)
        {
            events.add("disconnect " + peer);
        }

        @Override
        public boolean congested(final NodeId peer)
        {
            return congested.contains(peer);
        }

        @Override
        public boolean anySlow()
        {
            return !slow.isEmpty();
        }

        @Override
        public boolean slow(final NodeId peer)
        {
            return slow.contains(peer);
        }

        @Override
        public void waitFor(final NodeId peer)
        {
            waitedFor.add(peer);
        }

        @Override
        public void contactData(final NodeId peer, final byte[] data)
        {
            contacts.put(peer, data.clone());
        }

        Set<NodeId> active()
        {
            return state.activeView(TOPIC);
        }

        Set<NodeId> passive()
        {
            return state.passiveView(TOPIC);
        }

        void broadcast(final String text)
        {
            final byte[] bytes = text.getBytes();
            state.broadcast(TOPIC, new UnsafeBuffer(bytes), 0, bytes.length, false, now);
        }

        List<String> payloads()
        {
            final List<String> out = new ArrayList<>();
            for (final Delivery d : deliveries)
            {
                out.add(new String(d.payload()));
            }
            return out;
        }
    }

    Node add()
    {
        final Node n = new Node(nodes.size() + 1);
        nodes.add(n);
        return n;
    }

    Node node(final NodeId id)
    {
        for (final Node n : nodes)
        {
            if (n.id.equals(id))
            {
                return n;
            }
        }
        return null;
    }

    /** Delivers queued messages (and those they cause) until the queue is empty; returns how many. */
    int pump()
    {
        int count = 0;
        while (!queue.isEmpty())
        {
            final Envelope e = queue.poll();
            final Node to = node(e.to());
            if (e.peerDown() && to != null && !crashed.contains(e.to()))
            {
                to.state.onPeerDown(e.from(), now);
                continue;
            }
            if (to == null || crashed.contains(e.to()) || crashed.contains(e.from()))
            {
                if (!e.peerDown() && crashed.contains(e.to()) && !crashed.contains(e.from()))
                {
                    // Like a TCP reset: the sender learns the peer is gone.
                    queue.add(new Envelope(e.to(), e.from(), null, true));
                }
                continue;
            }
            if (drop.test(e))
            {
                continue;
            }
            to.state.onMessage(e.from(), e.message(), now);
            to.state.checkInvariants();
            count++;
        }
        return count;
    }

    /** Advances time in steps of {@code stepMillis}, running due timers and pumping after each step. */
    void advance(final long millis, final long stepMillis)
    {
        final long end = now + millis * 1_000_000L;
        while (now < end)
        {
            now = Math.min(end, now + stepMillis * 1_000_000L);
            for (final Node n : nodes)
            {
                if (!crashed.contains(n.id) && n.state.nextDeadline() <= now)
                {
                    n.state.onTimer(now);
                    n.state.checkInvariants();
                }
            }
            pump();
        }
    }

    void advance(final long millis)
    {
        advance(millis, 1);
    }

    void crash(final Node n)
    {
        crashed.add(n.id);
        for (final Node other : nodes)
        {
            if (other != n && !crashed.contains(other.id) && other.active().contains(n.id))
            {
                queue.add(new Envelope(n.id, other.id, null, true));
            }
        }
    }

    /** Number of ordered pairs (a, b) with b in a's active view but a not in b's. */
    int asymmetricPairs()
    {
        int count = 0;
        for (final Node a : nodes)
        {
            if (crashed.contains(a.id))
            {
                continue;
            }
            for (final NodeId b : a.active())
            {
                final Node nb = node(b);
                if (nb == null || crashed.contains(b) || !nb.active().contains(a.id))
                {
                    count++;
                }
            }
        }
        return count;
    }

    long countSent(final MessageType type)
    {
        return sent.stream().filter(e -> e.message() != null && e.message().type() == type).count();
    }
}
