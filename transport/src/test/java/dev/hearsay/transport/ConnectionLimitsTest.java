package dev.hearsay.transport;

import dev.hearsay.NodeAddr;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.engine.EngineCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxConnections and maxPendingDials: beyond them a connection or dial is refused at once and counted. */
@Timeout(30)
class ConnectionLimitsTest
{
    @Test
    void acceptedConnectionsBeyondTheLimitAreClosedAndCounted() throws Exception
    {
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO)
            .transportOptions(TransportOptions.defaults().withMaxConnections(3)).start();
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            final InetSocketAddress at = node.localAddress();
            for (int i = 0; i < 7; i++)
            {
                sockets.add(new Socket(at.getAddress(), at.getPort()));
            }
            final TransportCounters counters = node.transport().counters();
            assertTrue(Await.until(() -> counters.connectionsRefused.get() == 4, 10_000),
                "refused " + counters.connectionsRefused.get());
            assertEquals(3, counters.accepted.get());
            assertEquals(3, node.transport().openSockets());
            assertTrue(node.transport().openChannels() <= 3);

            // Places are given back when connections close: a real peer then gets in.
            for (final Socket s : sockets)
            {
                s.close();
            }
            assertTrue(Await.until(() -> node.transport().openSockets() == 0, 10_000));
            final GossipNode peer = ClusterTest.loopback(IoMode.AUTO).start();
            try
            {
                peer.addPeer(node.addr());
                final TopicId topic = TopicId.of("limits");
                node.subscribe(topic, List.of());
                final Subscription s = peer.subscribe(topic, List.of(node.id()));
                s.joined().get(10, TimeUnit.SECONDS);
                assertEquals(4, counters.connectionsRefused.get());
            }
            finally
            {
                peer.close();
            }
        }
        finally
        {
            for (final Socket s : sockets)
            {
                s.close();
            }
            node.close();
        }
    }

    @Test
    void dialsBeyondTheLimitFailAtOnceAndAreCounted() throws Exception
    {
        // Peers that accept TCP but never answer the handshake: each dial stays pending until the handshake timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final GossipNode node = ClusterTest.loopback(IoMode.AUTO)
                .transportOptions(TransportOptions.defaults().withMaxPendingDials(1).withHandshakeTimeoutMillis(20_000))
                .start();
            try
            {
                final List<dev.hearsay.NodeId> silentPeers = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    final NodeKey key = NodeKey.fromSeed(777L + i);
                    node.addPeer(new NodeAddr(key.id(), List.of((InetSocketAddress)silent.getLocalSocketAddress())));
                    silentPeers.add(key.id());
                }
                node.subscribe(TopicId.of("dials"), silentPeers);
                final TransportCounters counters = node.transport().counters();
                // Two of the three dials are refused without waiting for anything (the handshake timeout is 20 s).
                assertTrue(Await.until(() -> counters.dialsRefused.get() == 2
                    && node.counter(EngineCounter.DIALS_FAILED) == 2, 10_000),
                    "refused " + counters.dialsRefused.get() + ", " + node.counter(EngineCounter.DIALS_FAILED)
                    + " failed");
                assertEquals(1, node.transport().pendingDials());
            }
            finally
            {
                node.close();
            }
        }
    }
}
