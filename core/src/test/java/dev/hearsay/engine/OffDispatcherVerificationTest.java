package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Gossip;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hearsay.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signature verification runs on the threads that hand frames to the ring, never on the dispatcher in the common
 * case, at most once per message id; forged and altered copies are dropped and counted, also when they carry the
 * id of a genuine message; a peer that relays too many is dropped.
 */
final class OffDispatcherVerificationTest
{
    private static final TopicId TOPIC = TopicId.of("verified");
    private static final NodeKey AUTHOR = EngineTestSupport.key(60);
    private static final NodeKey FORGER = EngineTestSupport.key(61);
    private static final NodeKey RELAY = EngineTestSupport.key(62);
    private static final NodeKey RELAY2 = EngineTestSupport.key(63);
    private static final NodeKey RELAY3 = EngineTestSupport.key(64);

    /** The JDK's scheme, recording which threads verify and how often. */
    private static final class RecordingScheme implements SignatureScheme
    {
        final Set<Thread> verifyingThreads = ConcurrentHashMap.newKeySet();
        final Set<Thread> signingThreads = ConcurrentHashMap.newKeySet();
        final AtomicInteger verifications = new AtomicInteger();

        @Override
        public String name()
        {
            return "recording";
        }

        @Override
        public Signer newSigner(final NodeKey key)
        {
            final Signer signer = SignatureScheme.jdk().newSigner(key);
            return (message, offset, length, signature, signatureOffset) ->
            {
                signingThreads.add(Thread.currentThread());
                signer.sign(message, offset, length, signature, signatureOffset);
            };
        }

        @Override
        public Verifier newVerifier(final int keyCacheCapacity)
        {
            final Verifier verifier = SignatureScheme.jdk().newVerifier(keyCacheCapacity);
            return (signer, message, offset, length, signature, signatureOffset) ->
            {
                verifyingThreads.add(Thread.currentThread());
                verifications.incrementAndGet();
                return verifier.verify(signer, message, offset, length, signature, signatureOffset);
            };
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A Gossip frame of {@code author}'s message {@code sequence}, signed by {@code signer} (null: unsigned). */
    private static UnsafeBuffer frame(final TopicId topic, final NodeKey author, final NodeKey signer,
        final long sequence, final int hops, final byte[] payload)
    {
        final Gossip gossip = new Gossip();
        gossip.set(author.id(), 1, sequence, hops, false).payload(new UnsafeBuffer(payload), 0, payload.length)
            .topic(topic);
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

    private static void send(final GossipEngine engine, final NodeKey from, final UnsafeBuffer frame)
    {
        assertTrue(engine.networkEvents().onFrame(from.id(), frame, 0, frame.capacity()));
    }

    /**
     * Sends a genuine marker message and waits for it: ring order is delivery order, so every frame sent before it
     * has been handled. Returns the payloads of the messages received before the marker.
     */
    private static List<String> receivedBefore(final GossipEngine engine, final Subscription sub, final long markerSeq)
        throws InterruptedException
    {
        final byte[] marker = bytes("marker-" + markerSeq);
        send(engine, RELAY, frame(TOPIC, AUTHOR, AUTHOR, markerSeq, 1, marker));
        return EngineTestSupport.receivedBefore(sub, "marker-" + markerSeq);
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void forgeriesAreDroppedAndGenuineDeliveredOnceWithVerificationOffTheDispatcher() throws Exception
    {
        final RecordingScheme scheme = new RecordingScheme();
        final GossipConfig config = GossipConfig.builder().signMessages(true).verifySignatures(true)
            .signatureScheme(scheme).invalidSignatureLimit(100).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription sub = engine.subscribe(TOPIC, List.of());
            final int before = scheme.verifications.get(); // the engine's self-test
            final UnsafeBuffer forged = frame(TOPIC, AUTHOR, FORGER, 1, 1, bytes("forged"));
            final UnsafeBuffer altered = frame(TOPIC, AUTHOR, AUTHOR, 1, 1, bytes("genuine"));
            altered.putByte(altered.capacity() - Gossip.SIGNATURE_LENGTH - 1, (byte)'X');
            final UnsafeBuffer unsigned = frame(TOPIC, AUTHOR, null, 1, 1, bytes("unsigned"));
            send(engine, RELAY, forged);
            send(engine, RELAY, altered);
            send(engine, RELAY, unsigned);
            // The genuine message three times, over three relays (hops differ, as forwarded copies do).
            send(engine, RELAY, frame(TOPIC, AUTHOR, AUTHOR, 1, 1, bytes("genuine")));
            send(engine, RELAY2, frame(TOPIC, AUTHOR, AUTHOR, 1, 2, bytes("genuine")));
            send(engine, RELAY3, frame(TOPIC, AUTHOR, AUTHOR, 1, 3, bytes("genuine")));
            // After the genuine one: an altered copy with its id is skipped as a duplicate, and dropped as one.
            send(engine, RELAY2, frame(TOPIC, AUTHOR, FORGER, 1, 4, bytes("forged after")));

            final List<String> got = receivedBefore(engine, sub, 2);
            assertEquals(List.of("genuine"), got, "the genuine message once, nothing forged");
            assertEquals(2, engine.counter(EngineCounter.SIGNATURES_INVALID));
            assertEquals(1, engine.counter(EngineCounter.SIGNATURES_MISSING));
            // forged, altered, genuine, marker; the unsigned one needs no verification.
            assertEquals(4, engine.counter(EngineCounter.SIGNATURES_VERIFIED));
            assertEquals(3, engine.counter(EngineCounter.SIGNATURES_SKIPPED_DUPLICATE));
            assertEquals(0, engine.counter(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER));
            assertEquals(4, scheme.verifications.get() - before, "one verification per id, none per duplicate");
            assertFalse(scheme.verifyingThreads.contains(engine.dispatcherThread()),
                "nothing verified on the dispatcher thread");
            assertEquals(0, engine.counter(EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSkippedCopyOfAnIdTheProtocolHasNotSeenIsVerifiedByTheDispatcher() throws Exception
    {
        final RecordingScheme scheme = new RecordingScheme();
        final GossipConfig config = GossipConfig.builder().verifySignatures(true).signatureScheme(scheme).build();
        final TopicId other = TopicId.of("not joined yet");
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(1, config).start())
        {
            final GossipEngine engine = cluster.get(0);
            final Subscription sub = engine.subscribe(TOPIC, List.of());
            // The genuine copy verifies (its id enters the table) but the protocol never sees it: its topic is
            // unknown. This stands for a verified copy that has not reached the dispatcher yet.
            send(engine, RELAY, frame(other, AUTHOR, AUTHOR, 1, 1, bytes("genuine")));
            final Subscription late = engine.subscribe(other, List.of());
            // A forgery with the same id is skipped by the verifying thread; the dispatcher must catch it.
            send(engine, RELAY2, frame(other, AUTHOR, FORGER, 1, 2, bytes("forged")));
            send(engine, RELAY3, frame(other, AUTHOR, AUTHOR, 1, 3, bytes("genuine")));
            receivedBefore(engine, sub, 2);
            final GossipEvent.Received r = EngineTestSupport.awaitReceived(late, bytes("genuine"));
            assertEquals(RELAY3.id(), r.deliveredFrom());
            assertEquals(1, engine.counter(EngineCounter.SIGNATURES_INVALID));
            assertEquals(2, engine.counter(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER),
                "the forgery and the genuine copy, both skipped as duplicates of an id the protocol had not seen");
            assertTrue(scheme.verifyingThreads.contains(engine.dispatcherThread()));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void authoredMessagesAreSignedOnThePublishingThreadHeldOnesIncluded() throws Exception
    {
        final RecordingScheme scheme = new RecordingScheme();
        // One signature per message: bursts are not left for the dispatcher to sign in runs.
        final GossipConfig config = GossipConfig.builder().signMessages(true).verifySignatures(true)
            .maxMessagesPerSignature(1).signatureScheme(scheme).build();
        try (EngineTestSupport.Cluster cluster = new EngineTestSupport.Cluster(2, config).start())
        {
            final GossipEngine a = cluster.get(0);
            final GossipEngine b = cluster.get(1);
            final Subscription atA = a.subscribe(TOPIC, List.of());
            scheme.signingThreads.clear(); // the engines' self-tests ran on this thread too
            // No neighbor yet: held, already numbered and signed, sent with that number and signature later.
            assertTrue(atA.broadcast(bytes("held")) >= 0);
            final Subscription atB = b.subscribe(TOPIC, List.of(a.id()));
            atB.joined().get();
            EngineTestSupport.awaitReceived(atB, bytes("held"));
            assertTrue(atA.broadcast(bytes("sent")) >= 0);
            assertTrue(atA.broadcastNeighbors(bytes("to neighbors")) >= 0);
            EngineTestSupport.awaitReceived(atB, bytes("sent"));
            EngineTestSupport.awaitReceived(atB, bytes("to neighbors"));
            assertEquals(Set.of(Thread.currentThread()), scheme.signingThreads, "signed by the publishing thread");
            assertEquals(3, a.counter(EngineCounter.MESSAGES_SIGNED));
            assertEquals(0, b.counter(EngineCounter.SIGNATURES_INVALID));
            assertEquals(0, b.counter(EngineCounter.SIGNATURES_MISSING));
            assertEquals(0, b.counter(EngineCounter.SIGNATURES_VERIFIED_BY_DISPATCHER));
            assertFalse(scheme.verifyingThreads.contains(b.dispatcherThread()));
        }
    }

    /** A transport that only records the peers the engine rejects (the frames come from the test). */
    private static final class RejectRecorder implements Transport
    {
        final List<NodeId> rejected = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void bind(final NetworkEvents events)
        {
        }

        @Override
        public boolean send(final NodeId peer, final org.agrona.DirectBuffer frame, final int offset,
            final int length)
        {
            return true;
        }

        @Override
        public void disconnect(final NodeId peer)
        {
        }

        @Override
        public void reject(final NodeId peer)
        {
            rejected.add(peer);
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPeerRelayingMoreThanTheLimitOfInvalidSignaturesIsDropped() throws Exception
    {
        final int limit = 3;
        final GossipConfig config = GossipConfig.builder().verifySignatures(true).invalidSignatureLimit(limit)
            .build();
        final RejectRecorder transport = new RejectRecorder();
        try (GossipEngine engine = new GossipEngine(EngineTestSupport.key(0), config, transport, 1, 1).start())
        {
            engine.subscribe(TOPIC, List.of());
            for (int i = 1; i <= limit; i++)
            {
                send(engine, RELAY, frame(TOPIC, AUTHOR, FORGER, i, 1, bytes("forged " + i)));
            }
            await("the forgeries counted", () -> engine.counter(EngineCounter.SIGNATURES_INVALID) == limit);
            assertEquals(0, engine.counter(EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES), "within the limit");
            assertTrue(transport.rejected.isEmpty());
            // Another peer's forgeries count for that peer only; an unsigned message counts like a forged one.
            send(engine, RELAY2, frame(TOPIC, AUTHOR, FORGER, 100, 1, bytes("forged elsewhere")));
            send(engine, RELAY, frame(TOPIC, AUTHOR, null, limit + 1, 1, bytes("unsigned")));
            await("the relay dropped", () -> engine.counter(EngineCounter.PEERS_DROPPED_INVALID_SIGNATURES) == 1);
            assertEquals(limit + 1, engine.counter(EngineCounter.SIGNATURES_INVALID));
            assertEquals(1, engine.counter(EngineCounter.SIGNATURES_MISSING));
            assertEquals(List.of(RELAY.id()), transport.rejected, "the relay, once; not the other peer");
        }
    }
}
