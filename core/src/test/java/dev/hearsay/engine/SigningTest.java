package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Gossip;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optional message signing end to end on the engine: signed clusters work, forged and altered messages do not. */
final class SigningTest
{
    private static final TopicId TOPIC = TopicId.of("signed");
    private static final GossipConfig SIGNED = GossipConfig.builder().signMessages(true).verifySignatures(true)
        .build();

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A Gossip frame as {@code signer} would send it for {@code author}; altered afterwards by the caller. */
    private static UnsafeBuffer frame(final NodeKey author, final NodeKey signer, final long sequence,
        final byte[] payload)
    {
        final Gossip gossip = new Gossip();
        gossip.set(author.id(), 1, sequence, 2, false).payload(new UnsafeBuffer(payload), 0, payload.length)
            .topic(TOPIC);
        if (signer != null)
        {
            final UnsafeBuffer signature = new UnsafeBuffer(new byte[Gossip.SIGNATURE_LENGTH]);
            new MessageSigning(signer).sign(gossip, signature, 0);
            gossip.signature(signature, 0);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageEncoder.encodedLength(gossip)]);
        new MessageEncoder().encode(gossip, buffer, 0);
        return buffer;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void signedClusterDeliversEverythingOverSeveralHops() throws Exception
    {
        final int size = 8;
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(size, SIGNED).start())
        {
            final List<Subscription> subs = cluster.chain(TOPIC);
            // Two rounds: the first builds the tree (prunes), the second travels along it, forwarded (hops > 0).
            for (int round = 0; round < 2; round++)
            {
                for (int n = 0; n < size; n++)
                {
                    assertTrue(subs.get(n).broadcast(bytes("signed-" + round + "-" + n)) >= 0);
                }
            }
            int maxHops = 0;
            for (int n = 0; n < size; n++)
            {
                final Set<String> got = new HashSet<>();
                final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (got.size() < 2 * (size - 1) && System.nanoTime() < deadline)
                {
                    if (subs.get(n).next(Duration.ofMillis(50)) instanceof GossipEvent.Received r)
                    {
                        got.add(new String(r.content(), StandardCharsets.UTF_8));
                        maxHops = Math.max(maxHops, r.hops());
                    }
                }
                final int node = n;
                assertEquals(2 * (size - 1), got.size(),
                    () -> "node " + node + " got " + got + "\n" + describe(cluster));
            }
            assertTrue(maxHops >= 1, "forwarded copies (hops > 0) were verified too");
            for (int n = 0; n < size; n++)
            {
                assertEquals(0, cluster.get(n).counter(EngineCounter.SIGNATURES_INVALID), "node " + n);
                assertEquals(0, cluster.get(n).counter(EngineCounter.SIGNATURES_MISSING), "node " + n);
            }
        }
    }

    private static String describe(final EngineTestSupport.Cluster cluster)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cluster.engines.size(); i++)
        {
            final GossipEngine e = cluster.get(i);
            sb.append(i).append(": active ").append(e.protocol().activeView(TOPIC).size()).append(' ')
                .append(e).append(' ').append(e.protocolStats()).append('\n');
        }
        return sb.toString();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void forgedAlteredAndUnsignedMessagesAreDroppedAndCounted() throws Exception
    {
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, SIGNED).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription sub = engine.subscribe(TOPIC, List.of());
            final NodeKey author = EngineTestSupport.key(50);
            final NodeKey forger = EngineTestSupport.key(51);
            final NodeKey relay = EngineTestSupport.key(52);

            final UnsafeBuffer unsigned = frame(author, null, 1, bytes("unsigned"));
            final UnsafeBuffer forged = frame(author, forger, 1, bytes("forged"));
            final UnsafeBuffer alteredPayload = frame(author, author, 1, bytes("genuine"));
            alteredPayload.putByte(alteredPayload.capacity() - Gossip.SIGNATURE_LENGTH - 1, (byte)'X');
            final UnsafeBuffer alteredSequence = frame(author, author, 1, bytes("genuine"));
            alteredSequence.putLong(2 + 32 + 1 + 32 + 4, 7L, java.nio.ByteOrder.LITTLE_ENDIAN);
            final UnsafeBuffer alteredSignature = frame(author, author, 1, bytes("genuine"));
            alteredSignature.putByte(alteredSignature.capacity() - 1,
                (byte)(alteredSignature.getByte(alteredSignature.capacity() - 1) ^ 1));
            final UnsafeBuffer genuine = frame(author, author, 1, bytes("genuine"));
            // Hops are not signed: a forwarder may change them.
            genuine.putShort(2 + 32 + 1 + 32 + 4 + 8, (short)5, java.nio.ByteOrder.LITTLE_ENDIAN);

            for (final UnsafeBuffer f : List.of(unsigned, forged, alteredPayload, alteredSequence, alteredSignature))
            {
                assertTrue(engine.networkEvents().onFrame(relay.id(), f, 0, f.capacity()));
            }
            // The drop counters are incremented after FRAMES_RECEIVED: wait on them, not on it.
            await("5 frames dropped", () -> engine.counter(EngineCounter.SIGNATURES_MISSING)
                + engine.counter(EngineCounter.SIGNATURES_INVALID) == 5);
            assertEquals(1, engine.counter(EngineCounter.SIGNATURES_MISSING));
            assertEquals(4, engine.counter(EngineCounter.SIGNATURES_INVALID));
            assertNull(sub.next(Duration.ofMillis(50)), "nothing delivered");

            // The dropped forgeries did not mark the id as seen: the genuine message with the same id arrives.
            assertTrue(engine.networkEvents().onFrame(relay.id(), genuine, 0, genuine.capacity()));
            final GossipEvent.Received r = EngineTestSupport.awaitReceived(sub, bytes("genuine"));
            assertEquals(author.id(), r.author());
            assertEquals(relay.id(), r.deliveredFrom());
            assertEquals(5, r.hops());
            assertEquals(4, engine.counter(EngineCounter.SIGNATURES_INVALID));
            assertEquals(0, engine.counter(EngineCounter.FRAMES_INVALID), "the relay was not treated as bad input");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void unsignedAuthorIsRejectedByVerifyingPeers() throws Exception
    {
        final GossipConfig unsignedConfig = GossipConfig.builder().build();
        final InMemoryNetwork network = new InMemoryNetwork();
        final GossipEngine plain = new GossipEngine(EngineTestSupport.key(0), unsignedConfig,
            network.transport(EngineTestSupport.key(0).id()), 1, 1).start();
        final GossipEngine strict = new GossipEngine(EngineTestSupport.key(1), SIGNED,
            network.transport(EngineTestSupport.key(1).id()), 2, 1).start();
        try (plain; strict)
        {
            final Subscription a = plain.subscribe(TOPIC, List.of());
            final Subscription b = strict.subscribe(TOPIC, List.of(plain.id()));
            b.joined().get();
            assertTrue(a.broadcast(bytes("no signature")) >= 0);
            await("the unsigned message was refused", () -> strict.counter(EngineCounter.SIGNATURES_MISSING) == 1);
            assertTrue(b.broadcast(bytes("signed")) >= 0);
            // The plain node does not verify: it accepts the signed message (the flag is understood).
            EngineTestSupport.awaitReceived(a, bytes("signed"));
            GossipEvent e;
            while ((e = b.next(Duration.ofMillis(20))) != null)
            {
                assertTrue(!(e instanceof GossipEvent.Received), "delivered " + e);
            }
        }
    }
}
