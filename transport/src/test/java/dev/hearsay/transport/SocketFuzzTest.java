package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.engine.EngineCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live node under fuzzed connections keeps serving its honest peer: every bad connection is closed by the node
 * and counted, the honest peer gets every broadcast made meanwhile, and a newcomer can still join afterwards.
 */
@Timeout(120)
class SocketFuzzTest
{
    private static final Logger QUIET = Logger.getLogger("dev.hearsay");
    private final List<GossipNode> nodes = new ArrayList<>();

    @AfterEach
    void close()
    {
        nodes.forEach(GossipNode::close);
        QUIET.setLevel(null);
    }

    @Test
    void liveNodeClosesEveryFuzzedConnectionAndKeepsServing() throws Exception
    {
        QUIET.setLevel(Level.SEVERE);
        final TopicId topic = TopicId.of("socket-fuzz");
        final GossipNode node = start();
        final GossipNode honest = start();
        honest.addPeer(node.addr());
        final Subscription atNode = node.subscribe(topic, List.of());
        final Subscription atHonest = honest.subscribe(topic, List.of(node.id()));
        atHonest.joined().get(10, TimeUnit.SECONDS);

        final int messages = 100;
        final Thread publisher = new Thread(() ->
        {
            for (int i = 0; i < messages; i++)
            {
                while (atNode.broadcast(("m" + i).getBytes(StandardCharsets.UTF_8)) < 0)
                {
                    Thread.onSpinWait();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        });
        publisher.start();
        final SocketFuzzer.Result r = new SocketFuzzer(node.localAddress(), node.id(), topic, 7)
            .run(200, 32, Duration.ofSeconds(8));
        publisher.join();
        System.out.println(r);
        System.out.println(node.transport().counters() + " invalid frames "
            + node.counter(EngineCounter.FRAMES_INVALID));
        assertTrue(r.passed(), r.toString());
        assertTrue(r.handshakes() > 30 && r.invalidFrames() > 0, r.toString());
        assertTrue(node.transport().counters().badInputTotal() > 100, node.transport().counters().toString());
        assertTrue(node.counter(EngineCounter.FRAMES_INVALID) > 0);
        assertEquals(0, node.transport().counters().dialled.get(), "fuzzed input made the node dial out");

        final Set<String> got = new HashSet<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (got.size() < messages && System.nanoTime() < deadline)
        {
            final GossipEvent e = atHonest.next(Duration.ofMillis(100));
            if (e instanceof GossipEvent.Received rec)
            {
                got.add(new String(rec.content(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(messages, got.size(), "the honest peer missed broadcasts made during the fuzzing");
        assertTrue(Await.until(() -> node.transport().openChannels() == 1, 10_000),
            "only the honest connection stays open, found " + node.transport().openChannels());
        // Links (each with its outbound queue) of the fuzzer's identities are forgotten once idle: they used to
        // pile up, one per identity ever seen.
        assertTrue(Await.until(() -> node.transport().peerLinks() <= 1, 15_000),
            "links kept: " + node.transport().peerLinks());

        // A newcomer still gets in and served.
        final GossipNode late = start();
        late.addPeer(node.addr());
        final Subscription atLate = late.subscribe(topic, List.of(node.id()));
        atLate.joined().get(10, TimeUnit.SECONDS);
        assertTrue(atNode.broadcast("after".getBytes(StandardCharsets.UTF_8)) >= 0);
        final List<GossipEvent.Received> after = ClusterTest.receive(atLate, 1);
        assertEquals(1, after.size());
    }

    private GossipNode start()
    {
        // Short handshake timeout and linger, so that silent fuzzed connections end quickly; no per-source rate, so
        // that every fuzzed connection (all from one address) reaches the handshake and the protocol.
        final TransportOptions fast = new TransportOptions(IoMode.AUTO, 1, 4 << 20, 3_000, 1_000, 2_000, 500, 65_536)
            .withNewConnectionsPerSource(0, 1);
        final GossipNode n = ClusterTest.loopback(IoMode.AUTO).transportOptions(fast).start();
        nodes.add(n);
        return n;
    }
}
