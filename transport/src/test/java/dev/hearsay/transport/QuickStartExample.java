package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedding example of the README's quick start, compiled and run by {@link QuickStartExampleTest}, which
 * also checks that the README shows exactly the lines between the markers.
 */
final class QuickStartExample
{
    private QuickStartExample()
    {
    }

    /** Runs the example; returns what it printed. */
    static String run() throws Exception
    {
        final StringBuilder printed = new StringBuilder();
        // README:begin
        try (GossipNode alice = GossipNode.builder().start();
             GossipNode bob = GossipNode.builder().start())
        {
            bob.addPeer(alice.addr());                        // teach bob where alice listens
            final TopicId topic = TopicId.of("quotes");
            final Subscription atAlice = alice.subscribe(topic, List.of());
            final Subscription atBob = bob.subscribe(topic, List.of(alice.id())); // join through alice
            atBob.joined().get(10, TimeUnit.SECONDS);         // bob has a neighbor: the topic is live

            atAlice.broadcast("EURUSD 1.0841".getBytes(StandardCharsets.UTF_8));
            GossipEvent event;                                // NeighborUp(alice) comes first
            while ((event = atBob.next(Duration.ofSeconds(10))) != null)
            {
                if (event instanceof GossipEvent.Received received)
                {
                    printed.append(new String(received.content(), StandardCharsets.UTF_8))
                        .append(" from ").append(received.author().shortString());
                    break;
                }
            }
        }
        // README:end
        return printed.toString();
    }
}
