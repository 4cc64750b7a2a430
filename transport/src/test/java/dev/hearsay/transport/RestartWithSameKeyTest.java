package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A node closed and started again with the same key, at once (well within the same second of the wall clock),
 * broadcasts new messages: a peer that stayed up receives them all. Its message ids must not repeat its previous
 * life's, or the peer would take the new messages for duplicates.
 */
@Timeout(60)
class RestartWithSameKeyTest
{
    @RepeatedTest(3)
    void aRestartedNodesMessagesAreNotTakenForItsPreviousLifes() throws Exception
    {
        final TopicId topic = TopicId.of("restart");
        final byte[] seed = new byte[32];
        seed[0] = 42;
        try (GossipNode peer = ClusterTest.loopback(IoMode.AUTO).start())
        {
            final Subscription reader = peer.subscribe(topic, List.of());
            final List<String> received = new ArrayList<>();
            for (int life = 1; life <= 2; life++)
            {
                try (GossipNode node = ClusterTest.loopback(IoMode.AUTO).key(NodeKey.fromSeed(seed)).start())
                {
                    node.addPeer(peer.addr());
                    final Subscription sub = node.subscribe(topic, List.of(peer.id()));
                    sub.joined().get(10, TimeUnit.SECONDS);
                    for (int i = 1; i <= 3; i++)
                    {
                        sub.broadcast(("life " + life + " message " + i).getBytes(StandardCharsets.UTF_8));
                    }
                    while (received.size() < 3 * life)
                    {
                        final GossipEvent e = reader.next(Duration.ofSeconds(10));
                        assertNotNull(e, "received only " + received);
                        if (e instanceof GossipEvent.Received r)
                        {
                            received.add(new String(r.content(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            assertEquals(List.of("life 1 message 1", "life 1 message 2", "life 1 message 3",
                "life 2 message 1", "life 2 message 2", "life 2 message 3"), received);
        }
    }
}
