package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ClusterTest
{
    private final List<GossipNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        for (final GossipNode n : nodes)
        {
            n.close();
        }
    }

    static GossipNode.Builder loopback(final IoMode mode)
    {
        return GossipNode.builder()
            .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .ioMode(mode);
    }

    private List<Subscription> cluster(final int size, final IoMode mode, final TopicId topic) throws Exception
    {
        for (int i = 0; i < size; i++)
        {
            nodes.add(loopback(mode).start());
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
        final List<Subscription> subs = new ArrayList<>();
        subs.add(nodes.get(0).subscribe(topic, List.of()));
        for (int i = 1; i < size; i++)
        {
            // Each node joins through a random earlier one (deterministic pick).
            subs.add(nodes.get(i).subscribe(topic, List.of(nodes.get((i * 7919) % i).id())));
        }
        for (final Subscription s : subs)
        {
            s.joined().get(20, TimeUnit.SECONDS);
        }
        return subs;
    }

    /** Reads events until {@code count} messages were received; returns them. */
    static List<GossipEvent.Received> receive(final Subscription s, final int count) throws InterruptedException
    {
        final List<GossipEvent.Received> out = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.size() < count && System.nanoTime() < deadline)
        {
            final GossipEvent e = s.next(Duration.ofMillis(100));
            if (e instanceof GossipEvent.Received r)
            {
                out.add(r);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"EPOLL", "NIO"})
    void twoNodesExchangeBothWays(final IoMode mode) throws Exception
    {
        NativeIo.assumeAvailable(mode);
        final TopicId topic = TopicId.of("two-" + mode);
        final List<Subscription> subs = cluster(2, mode, topic);
        assertEquals(mode, nodes.get(0).transport().ioMode());
        subs.get(0).broadcast("from-a".getBytes(StandardCharsets.UTF_8));
        subs.get(1).broadcast("from-b".getBytes(StandardCharsets.UTF_8));
        final GossipEvent.Received atB = receive(subs.get(1), 1).get(0);
        final GossipEvent.Received atA = receive(subs.get(0), 1).get(0);
        assertEquals("from-a", new String(atB.content(), StandardCharsets.UTF_8));
        assertEquals(nodes.get(0).id(), atB.author());
        assertEquals(nodes.get(0).id(), atB.deliveredFrom());
        assertEquals(0, atB.hops());
        assertEquals("from-b", new String(atA.content(), StandardCharsets.UTF_8));
        assertEquals(nodes.get(1).id(), atA.author());
    }

    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"EPOLL", "NIO"})
    void fiveNodesEveryoneGetsEveryBroadcastIdenticalPayloadsTwice(final IoMode mode) throws Exception
    {
        NativeIo.assumeAvailable(mode);
        everyoneGetsEverything(5, mode, 20);
    }

    @Test
    void twentyNodesEveryoneGetsEveryBroadcast() throws Exception
    {
        everyoneGetsEverything(20, IoMode.AUTO, 10);
    }

    private void everyoneGetsEverything(final int size, final IoMode mode, final int perNode) throws Exception
    {
        final TopicId topic = TopicId.of("all-" + size + "-" + mode);
        final List<Subscription> subs = cluster(size, mode, topic);
        for (int round = 0; round < perNode; round++)
        {
            for (int i = 0; i < size; i++)
            {
                // Identical payload from the same author in rounds 0 and 1: still two messages.
                final String text = "n" + i + "-r" + Math.max(round, 1);
                while (subs.get(i).broadcast(text.getBytes(StandardCharsets.UTF_8)) < 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
        final int expected = (size - 1) * perNode;
        for (int i = 0; i < size; i++)
        {
            final List<GossipEvent.Received> got = receive(subs.get(i), expected);
            final int node = i;
            assertEquals(expected, got.size(), () -> "node " + node + " missed messages: " + missing(got, size, node,
                perNode));
            final Map<String, Integer> counts = new HashMap<>();
            for (final GossipEvent.Received r : got)
            {
                final String text = new String(r.content(), StandardCharsets.UTF_8);
                counts.merge(text, 1, Integer::sum);
                final int author = Integer.parseInt(text.substring(1, text.indexOf('-')));
                assertEquals(nodes.get(author).id(), r.author(), "author of " + text);
                assertTrue(r.hops() >= 0 && r.hops() < size);
                if (r.hops() == 0)
                {
                    assertEquals(r.author(), r.deliveredFrom());
                }
            }
            for (int a = 0; a < size; a++)
            {
                if (a != i)
                {
                    assertEquals(2, counts.get("n" + a + "-r1"), "identical payloads must be delivered twice");
                }
            }
        }
    }

    private String missing(final List<GossipEvent.Received> got, final int size, final int node, final int perNode)
    {
        final Map<Integer, Integer> perAuthor = new HashMap<>();
        for (final GossipEvent.Received r : got)
        {
            final String text = new String(r.content(), StandardCharsets.UTF_8);
            perAuthor.merge(Integer.parseInt(text.substring(1, text.indexOf('-'))), 1, Integer::sum);
        }
        final StringBuilder sb = new StringBuilder();
        for (int a = 0; a < size; a++)
        {
            if (a != node && perAuthor.getOrDefault(a, 0) != perNode)
            {
                sb.append("\n author ").append(a).append(" delivered ").append(perAuthor.getOrDefault(a, 0))
                    .append(": ").append(nodes.get(a).engine()).append(' ').append(nodes.get(a).protocolStats());
            }
        }
        sb.append("\n receiver: ").append(nodes.get(node).engine()).append(' ')
            .append(nodes.get(node).protocolStats());
        return sb.toString();
    }

    @Test
    void unknownPeerAddressFailsTheDialNotTheNode() throws Exception
    {
        final GossipNode a = loopback(IoMode.AUTO).start();
        nodes.add(a);
        final Subscription s = a.subscribe(TopicId.of("lonely"), List.of(NodeId.fromBytes(new byte[32])));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.transport().counters().dialFailures.get() == 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertTrue(a.transport().counters().dialFailures.get() > 0);
        assertNotNull(s);
    }

    @Test
    void addressesLearnedThroughTheProtocol() throws Exception
    {
        // Only the hub's address is taught; b and c must learn each other's from the membership messages.
        final TopicId topic = TopicId.of("learn");
        final GossipNode hub = loopback(IoMode.AUTO).start();
        final GossipNode b = loopback(IoMode.AUTO).start();
        final GossipNode c = loopback(IoMode.AUTO).start();
        nodes.addAll(List.of(hub, b, c));
        b.addPeer(hub.addr());
        c.addPeer(hub.addr());
        final Subscription sh = hub.subscribe(topic, List.of());
        final Subscription sb = b.subscribe(topic, List.of(hub.id()));
        sb.joined().get(10, TimeUnit.SECONDS);
        final Subscription sc = c.subscribe(topic, List.of(hub.id()));
        sc.joined().get(10, TimeUnit.SECONDS);
        // The hub forwards c's join to b, who dials c at the address c advertised.
        assertTrue(Await.until(() -> sb.neighbors().contains(c.id()) && sc.neighbors().contains(b.id()), 10_000),
            "b and c never became neighbors: b=" + sb.neighbors() + " c=" + sc.neighbors());
        assertEquals(c.localAddress().getPort(), b.transport().addresses(c.id()).get(0).getPort());
        assertNotNull(sh);
    }
}
