package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that stops reading costs its own link, not the node: a node publishing on two topics, one of which has a
 * neighbor that never reads, keeps both topics flowing to their other neighbors while the stuck peer is still
 * connected. Its slow-peer timeout is set far beyond the test, so the node cannot get past the stuck peer by
 * cutting it: only isolation lets the broadcasts through.
 */
@Timeout(60)
class StuckPeerIsolationTest
{
    private static final int MESSAGES = 10_000;

    @RepeatedTest(3)
    void aStuckPeerOnOneTopicSlowsNeitherThatTopicsOtherNeighborNorAnotherTopic() throws Exception
    {
        final TopicId shared = TopicId.of("shared-with-a-stuck-peer");
        final TopicId other = TopicId.of("other");
        final TransportOptions options = TransportOptions.defaults()
            .withOutboundQueueBytes(4 * 1024 * 1024)
            .withCongestionBytes(32 * 1024)
            .withSocketBufferBytes(32 * 1024)
            .withSlowPeerTimeoutMillis(600_000);
        // Long enough that the silent stuck peer is not convicted by the failure detector during the test either.
        final GossipConfig config = GossipConfig.builder().failureDetectionTimeout(Duration.ofMinutes(10)).build();
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO).config(config).transportOptions(options).start();
        final GossipNode sharedPeer = ClusterTest.loopback(IoMode.AUTO).config(config).start();
        final GossipNode otherPeer = ClusterTest.loopback(IoMode.AUTO).config(config).start();
        try (node; sharedPeer; otherPeer; Socket stuck = new Socket())
        {
            sharedPeer.addPeer(node.addr());
            otherPeer.addPeer(node.addr());
            final Subscription publisherShared = node.subscribe(shared, List.of());
            final Subscription publisherOther = node.subscribe(other, List.of());
            final Subscription readerShared = sharedPeer.subscribe(shared, List.of(node.id()));
            final Subscription readerOther = otherPeer.subscribe(other, List.of(node.id()));
            readerShared.joined().get(10, TimeUnit.SECONDS);
            readerOther.joined().get(10, TimeUnit.SECONDS);

            // The stuck peer joins the shared topic, then never reads a byte.
            stuck.setReceiveBufferSize(8 * 1024);
            stuck.connect(node.localAddress());
            final NodeKey key = NodeKey.fromSeed(91);
            RelayFlowControlTest.handshakeAndJoin(stuck, key, shared);
            assertTrue(Await.until(() -> publisherShared.neighbors().contains(key.id()), 10_000),
                "the stuck peer never became a neighbor");

            final AtomicInteger sharedCount = new AtomicInteger();
            final AtomicInteger otherCount = new AtomicInteger();
            final Thread readShared = reader(readerShared, sharedCount);
            final Thread readOther = reader(readerOther, otherCount);
            final byte[] payload = new byte[256];
            for (int i = 0; i < MESSAGES; i++)
            {
                ByteBuffer.wrap(payload).putInt(0, i);
                publish(publisherShared, payload);
                publish(publisherOther, payload);
            }
            readShared.join(TimeUnit.SECONDS.toMillis(40));
            readOther.join(TimeUnit.SECONDS.toMillis(40));
            final TransportCounters counters = node.transport().counters();
            assertEquals(MESSAGES, sharedCount.get(), "the shared topic's other neighbor: " + counters);
            assertEquals(MESSAGES, otherCount.get(), "the other topic's neighbor: " + counters);
            assertTrue(publisherShared.neighbors().contains(key.id()), "the stuck peer is still a neighbor");
            assertEquals(0, counters.slowPeerDisconnects.get(), "the stuck peer was cut: " + counters);
            assertTrue(counters.peersIsolated.get() > 0, "the stuck peer was never isolated: " + counters);
            assertTrue(node.protocolStats().slowPeersSpared > 0, "the stuck peer was never made lazy: " + counters);
        }
    }

    /** Broadcasts, retrying while back-pressured; gives up when the test's timeout interrupts it. */
    private static void publish(final Subscription sub, final byte[] payload) throws InterruptedException
    {
        while (sub.broadcast(payload) < 0)
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException("still back-pressured");
            }
            Thread.onSpinWait();
        }
    }

    /** A thread that reads {@code sub} until it has every message, in order, counting them into {@code count}. */
    private static Thread reader(final Subscription sub, final AtomicInteger count)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                while (count.get() < MESSAGES)
                {
                    final GossipEvent e = sub.next(Duration.ofSeconds(30));
                    if (e == null)
                    {
                        return;
                    }
                    if (e instanceof GossipEvent.Received r)
                    {
                        if (ByteBuffer.wrap(r.content()).getInt(0) != count.get())
                        {
                            return; // out of order: the count stops short and the test reports it
                        }
                        count.incrementAndGet();
                    }
                }
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "reader");
        t.start();
        return t;
    }
}
