package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two publishers at their maximum rate into a cluster whose queues and buffers are tiny: publishers must see
 * BACK_PRESSURED and relays hold their reads rather than lose anything. Every node gets every message exactly once.
 * (Links may still be cut here: with both publishers' queues congested towards each other and graft traffic after
 * every stall, a queue can sit above half its bound without draining for the slow-peer timeout. What such a cut
 * drops is grafted again. {@link RelayFlowControlTest} shows the hold keeps a slow but draining peer connected.)
 */
@Timeout(120)
class OverloadTest
{
    private static final int NODES = 5;
    private static final int PER_PUBLISHER = 20_000;
    private static final int[] PUBLISHERS = {0, 3};

    private final List<GossipNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        for (final GossipNode n : nodes)
        {
            n.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"EPOLL", "NIO"})
    void maxRatePublishersLoseNothing(final IoMode mode) throws Exception
    {
        NativeIo.assumeAvailable(mode);
        // Queues 4 times smaller than the defaults, congestion at 16 KiB and small socket buffers.
        final GossipConfig config = GossipConfig.builder()
            .maxInFlightBroadcastBytes(8 * 1024)
            .maxInFlightFrameBytes(16 * 1024)
            // Every message fits: a receiver thread starved by the load lags (a policy of its own, tested
            // elsewhere) rather than holding anything back.
            .subscriptionCapacity(65_536)
            .build();
        final TransportOptions options = TransportOptions.defaults()
            .withOutboundQueueBytes(1024 * 1024)
            .withCongestionBytes(16 * 1024)
            .withSocketBufferBytes(32 * 1024);
        for (int i = 0; i < NODES; i++)
        {
            nodes.add(ClusterTest.loopback(mode).config(config).transportOptions(options).start());
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
        final TopicId topic = TopicId.of("overload-" + mode);
        final List<Subscription> subs = new ArrayList<>();
        subs.add(nodes.get(0).subscribe(topic, List.of()));
        for (int i = 1; i < NODES; i++)
        {
            subs.add(nodes.get(i).subscribe(topic, List.of(nodes.get(i - 1).id())));
        }
        for (final Subscription s : subs)
        {
            s.joined().get(20, TimeUnit.SECONDS);
        }

        final Receiver[] receivers = new Receiver[NODES];
        for (int i = 0; i < NODES; i++)
        {
            receivers[i] = new Receiver(subs.get(i), i);
            receivers[i].start();
        }
        final long[] backPressured = new long[PUBLISHERS.length];
        final Thread[] publishers = new Thread[PUBLISHERS.length];
        for (int p = 0; p < PUBLISHERS.length; p++)
        {
            final int index = p;
            final Subscription s = subs.get(PUBLISHERS[p]);
            publishers[p] = new Thread(() ->
            {
                final byte[] payload = new byte[64];
                final ByteBuffer b = ByteBuffer.wrap(payload);
                for (int n = 0; n < PER_PUBLISHER; n++)
                {
                    b.putInt(0, index).putInt(4, n);
                    while (s.broadcast(payload) < 0)
                    {
                        backPressured[index]++;
                        Thread.onSpinWait();
                    }
                }
            }, "publisher-" + p);
            publishers[p].start();
        }
        for (final Thread t : publishers)
        {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), "publisher stuck: back-pressure never released");
        }
        for (int i = 0; i < NODES; i++)
        {
            receivers[i].join(TimeUnit.SECONDS.toMillis(30));
            final Receiver r = receivers[i];
            assertEquals(0, r.lagged, "node " + i + " subscriber lagged");
            assertEquals(0, r.duplicates, "node " + i + " got duplicates");
            for (int p = 0; p < PUBLISHERS.length; p++)
            {
                if (PUBLISHERS[p] != i)
                {
                    assertEquals(PER_PUBLISHER, r.seen[p].cardinality(), "node " + i + " from publisher " + p
                        + ":\n" + report());
                }
            }
        }
        long holds = 0;
        long refused = 0;
        for (final GossipNode n : nodes)
        {
            final TransportCounters c = n.transport().counters();
            holds += c.readHolds.get();
        }
        for (final long b : backPressured)
        {
            refused += b;
        }
        assertTrue(holds > 0 && refused > 0, "the flow control was never needed: holds " + holds + ", refused "
            + refused);
    }

    private String report()
    {
        final StringBuilder sb = new StringBuilder();
        for (final GossipNode n : nodes)
        {
            sb.append(n.id().shortString()).append(' ').append(n.engine()).append(' ').append(n.protocolStats())
                .append(' ').append(n.transport().counters()).append('\n');
        }
        return sb.toString();
    }

    /** Counts what one node delivers, per publisher, until it has everything it should get. */
    private static final class Receiver extends Thread
    {
        private final Subscription subscription;
        private final int node;
        final BitSet[] seen = new BitSet[PUBLISHERS.length];
        volatile long lagged;
        volatile long duplicates;

        Receiver(final Subscription subscription, final int node)
        {
            super("receiver-" + node);
            this.subscription = subscription;
            this.node = node;
            for (int p = 0; p < seen.length; p++)
            {
                seen[p] = new BitSet(PER_PUBLISHER);
            }
        }

        @Override
        public void run()
        {
            int expected = 0;
            for (final int p : PUBLISHERS)
            {
                expected += p == node ? 0 : PER_PUBLISHER;
            }
            int got = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            try
            {
                while (got < expected && System.nanoTime() < deadline)
                {
                    final GossipEvent e = subscription.next(Duration.ofMillis(100));
                    if (e instanceof GossipEvent.Received r)
                    {
                        final ByteBuffer b = ByteBuffer.wrap(r.content());
                        final BitSet bits = seen[b.getInt(0)];
                        final int n = b.getInt(4);
                        if (bits.get(n))
                        {
                            duplicates++;
                        }
                        bits.set(n);
                        got++;
                    }
                    else if (e instanceof GossipEvent.Lagged l)
                    {
                        lagged += l.missed();
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
