package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.engine.EngineCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message signatures with BouncyCastle over TCP: it agrees with the JDK's Ed25519 both ways, a GossipNode uses it by
 * default, genuine messages verify on the I/O threads, and a peer that relays forged signatures is disconnected
 * after the configured number.
 */
@Timeout(60)
class SignedMessagesTest
{
    private static final TopicId TOPIC = TopicId.of("signed over tcp");

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    private GossipNode node(final GossipConfig config)
    {
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO).config(config).start();
        resources.add(node);
        return node;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bouncyCastleAndJdkAcceptEachOthersSignaturesAndRejectTheSameForgeries()
    {
        final SignatureScheme bc = BouncyCastleSignatureScheme.INSTANCE;
        final SignatureScheme jdk = SignatureScheme.jdk();
        final Random random = new Random(5);
        final List<NodeKey> keys = List.of(NodeKey.fromSeed(1L), NodeKey.fromSeed(new byte[32]), NodeKey.generate());
        for (final NodeKey key : keys)
        {
            for (final int size : new int[] {0, 1, 64, 1000, 4096})
            {
                final byte[] message = new byte[size + 7];
                random.nextBytes(message);
                final byte[] byBc = new byte[70];
                final byte[] byJdk = new byte[64];
                bc.newSigner(key).sign(message, 3, size, byBc, 6);
                jdk.newSigner(key).sign(message, 3, size, byJdk, 0);
                assertTrue(java.util.Arrays.equals(byBc, 6, 70, byJdk, 0, 64), "Ed25519 is deterministic");
                final byte[] oneShot = key.sign(message, 3, size);
                assertTrue(java.util.Arrays.equals(oneShot, 0, 64, byJdk, 0, 64), "NodeKey.sign agrees");
                for (final SignatureScheme verifying : List.of(bc, jdk))
                {
                    final SignatureScheme.Verifier v = verifying.newVerifier(4);
                    assertTrue(v.verify(key.id(), message, 3, size, byBc, 6), verifying.name() + " accepts bc's");
                    assertTrue(v.verify(key.id(), message, 3, size, byJdk, 0), verifying.name() + " accepts jdk's");
                    final byte[] altered = byJdk.clone();
                    altered[size % 64] ^= 1;
                    assertFalse(v.verify(key.id(), message, 3, size, altered, 0), verifying.name() + ": signature");
                    if (size > 0)
                    {
                        final byte[] alteredMessage = message.clone();
                        alteredMessage[3 + size / 2] ^= 0x20;
                        assertFalse(v.verify(key.id(), alteredMessage, 3, size, byJdk, 0), verifying.name());
                    }
                    final NodeKey other = NodeKey.fromSeed(99L);
                    assertFalse(v.verify(other.id(), message, 3, size, byJdk, 0), verifying.name() + ": signer");
                }
            }
        }
        // An id that is no curve point: refused by both, not thrown.
        final byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte)0xFF);
        notAPoint[31] = (byte)0x7F;
        notAPoint[0] = (byte)0xEE;
        final NodeId bogus = NodeId.fromBytes(notAPoint);
        for (final SignatureScheme s : List.of(bc, jdk))
        {
            assertFalse(s.newVerifier(4).verify(bogus, new byte[8], 0, 8, new byte[64], 0), s.name());
        }
        assertThrows(IllegalArgumentException.class, () -> bc.newVerifier(0));

        // A small-order key (the neutral element, encoded 01 00 .. 00) with R = that point and S = 0: a cofactorless
        // check accepts it for any message, so whoever claimed the id could sign without a private key.
        final byte[] neutral = new byte[32];
        neutral[0] = 1;
        final byte[] forged = new byte[64];
        forged[0] = 1;
        final NodeId smallOrder = NodeId.fromBytes(neutral);
        for (final SignatureScheme s : List.of(bc, jdk))
        {
            final byte[] message = "any message at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(s.newVerifier(4).verify(smallOrder, message, 0, message.length, forged, 0), s.name());
        }
    }

    /** BouncyCastle, but every signature it makes has one bit flipped: a node that forges its own messages. */
    private static final class ForgingScheme implements SignatureScheme
    {
        @Override
        public String name()
        {
            return "forging";
        }

        @Override
        public Signer newSigner(final NodeKey key)
        {
            final Signer real = BouncyCastleSignatureScheme.INSTANCE.newSigner(key);
            return (message, offset, length, signature, signatureOffset) ->
            {
                real.sign(message, offset, length, signature, signatureOffset);
                signature[signatureOffset + 10] ^= 1;
            };
        }

        @Override
        public Verifier newVerifier(final int keyCacheCapacity)
        {
            // Accepts anything, its own signatures included (the node's start-up self-test); it does not verify.
            return (signer, message, offset, length, signature, signatureOffset) -> true;
        }
    }

    @Test
    void genuineMessagesVerifyOnTheIoThreadsAndAForgingPeerIsDisconnectedAfterTheLimit() throws Exception
    {
        final int limit = 2;
        final GossipNode honest = node(GossipConfig.builder().signMessages(true).verifySignatures(true)
            .invalidSignatureLimit(limit).build());
        // Every signature the forger makes is wrong.
        final GossipNode forger = node(GossipConfig.builder().signMessages(true).signatureScheme(new ForgingScheme())
            .build());
        final GossipNode friend = node(GossipConfig.builder().signMessages(true).verifySignatures(true).build());
        assertEquals("bouncycastle", honest.engine().config().signatureScheme().name(),
            "a GossipNode picks BouncyCastle by default");
        forger.addPeer(honest.addr());
        friend.addPeer(honest.addr());
        final Subscription atHonest = honest.subscribe(TOPIC, List.of());
        final Subscription atFriend = friend.subscribe(TOPIC, List.of(honest.id()));
        atFriend.joined().get(20, TimeUnit.SECONDS);
        assertTrue(atFriend.broadcast(bytes("genuine")) >= 0);
        receive(atHonest, bytes("genuine"));

        final Subscription atForger = forger.subscribe(TOPIC, List.of(honest.id()));
        atForger.joined().get(20, TimeUnit.SECONDS);
        for (int i = 0; i < limit; i++)
        {
            assertTrue(atForger.broadcast(bytes("forged " + i)) >= 0);
        }
        assertTrue(Await.until(() -> honest.counter(EngineCounter.SIGNATURES_INVALID) == limit, 20_000));
        assertEquals(0, honest.counter(EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES), "kept within the limit");
        assertTrue(atForger.broadcast(bytes("forged, one too many")) >= 0);
        assertTrue(Await.until(() -> honest.counter(EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES) == 1, 20_000),
            "dropped after the limit");
        final long[] inStat = {-1};
        honest.counters().reader().forEach((value, id, label) ->
        {
            if (label.equals(EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES.label()))
            {
                inStat[0] = value;
            }
        });
        assertEquals(1, inStat[0], "in the node's counters buffer, which stat prints");
        // The friend, honest, still gets through; nothing forged was delivered.
        assertTrue(atFriend.broadcast(bytes("genuine again")) >= 0);
        final List<String> got = receive(atHonest, bytes("genuine again"));
        assertTrue(got.stream().noneMatch(s -> s.startsWith("forged")), got.toString());
        assertTrue(honest.counter(EngineCounter.SIGNATURES_VERIFIED) >= 2 + limit + 1);
        assertEquals(0, honest.counter(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER),
            "every copy was checked on an I/O thread");
    }

    /** Reads until {@code payload} arrives; returns the payloads received before it. */
    private static List<String> receive(final Subscription s, final byte[] payload) throws Exception
    {
        final List<String> before = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            if (s.next(Duration.ofMillis(100)) instanceof GossipEvent.Received r)
            {
                if (java.util.Arrays.equals(r.content(), payload))
                {
                    return before;
                }
                before.add(new String(r.content(), StandardCharsets.UTF_8));
            }
        }
        throw new AssertionError("not received: " + new String(payload, StandardCharsets.UTF_8) + "; got " + before);
    }
}
