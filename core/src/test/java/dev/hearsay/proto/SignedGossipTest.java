package dev.hearsay.proto;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import static dev.hearsay.proto.TestNet.TOPIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol's part of message signing: the author's signer is called once per broadcast with the final id, and
 * every copy of the message (eager pushes, forwards, Graft answers from the payload cache) carries that signature
 * unchanged. Also the separate sequence space of Neighbors-scope broadcasts.
 */
@Timeout(10)
class SignedGossipTest
{
    /** A stand-in signer: SHA-512 (64 bytes) over what an Ed25519 signer would cover, minus the key. */
    private static final class DigestSigner implements GossipSigner
    {
        int calls;

        @Override
        public void sign(final Gossip message, final MutableDirectBuffer out, final int offset)
        {
            calls++;
            out.putBytes(offset, expected(message.author(), message.epoch(), message.sequence(),
                message.neighborsOnly(), message.payloadBytes()));
        }
    }

    static byte[] expected(final NodeId author, final int epoch, final long sequence, final boolean neighborsOnly,
        final byte[] payload)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-512");
            sha.update(author.toBytes());
            sha.update(ByteBuffer.allocate(13).putInt(epoch).putLong(sequence).put((byte)(neighborsOnly ? 1 : 0))
                .array());
            sha.update(payload);
            return sha.digest();
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] signatureOf(final Gossip gossip)
    {
        final byte[] out = new byte[Gossip.SIGNATURE_LENGTH];
        gossip.signatureBuffer().getBytes(gossip.signatureOffset(), out);
        return out;
    }

    private static TestNet line(final int n)
    {
        final TestNet net = new TestNet(GossipConfig.builder().activeViewCapacity(2).build());
        for (int i = 0; i < n; i++)
        {
            final TestNet.Node node = net.add();
            node.state.join(TOPIC, i == 0 ? List.of() : List.of(net.nodes.get(i - 1).id), net.now);
            net.pump();
        }
        return net;
    }

    private static List<Gossip> gossipSent(final TestNet net)
    {
        final List<Gossip> out = new ArrayList<>();
        for (final TestNet.Envelope e : net.sent)
        {
            if (e.message() instanceof Gossip g)
            {
                out.add(g);
            }
        }
        return out;
    }

    @Test
    void everyCopyCarriesTheAuthorsSignatureUnchanged()
    {
        final TestNet net = line(5);
        final TestNet.Node a = net.nodes.get(0);
        final DigestSigner signer = new DigestSigner();
        a.state.signer(signer);
        net.sent.clear();
        a.broadcast("one");
        a.broadcast("two");
        net.pump();
        assertEquals(2, signer.calls, "one signature per broadcast, not per copy");
        final List<Gossip> copies = gossipSent(net);
        assertTrue(copies.size() >= 8, "4 forwards of 2 messages: " + copies.size());
        boolean sawForward = false;
        for (final Gossip g : copies)
        {
            assertTrue(g.signed(), "unsigned copy " + g);
            assertArrayEquals(expected(a.id, 1, g.sequence(), false, g.payloadBytes()), signatureOf(g),
                "signature of " + g);
            sawForward |= g.hops() > 0;
        }
        assertTrue(sawForward, "forwarded copies were checked too");
        for (int i = 1; i < 5; i++)
        {
            assertEquals(List.of("one", "two"), net.nodes.get(i).payloads());
        }
    }

    @Test
    void graftAnswersFromTheCacheCarryTheSignature()
    {
        final TestNet net = line(3);
        final TestNet.Node a = net.nodes.get(0);
        final TestNet.Node b = net.nodes.get(1);
        final TestNet.Node c = net.nodes.get(2);
        a.state.signer(new DigestSigner());
        a.broadcast("cached");
        net.pump();
        net.sent.clear();
        // c asks b for the message, as after an IHave whose eager copy never came: b answers from its cache.
        final TestNet.Delivery atB = b.deliveries.get(0);
        b.state.onMessage(c.id, new Graft().set(a.id, 1, atB.sequence(), 1).topic(TOPIC), net.now);
        final List<Gossip> answers = gossipSent(net);
        assertEquals(1, answers.size(), "one Graft answer");
        assertEquals(1, b.state.stats().graftsAnswered);
        final Gossip answer = answers.get(0);
        assertTrue(answer.signed(), "Graft answer without the author's signature");
        assertArrayEquals(expected(a.id, 1, answer.sequence(), false, "cached".getBytes()), signatureOf(answer));
    }

    @Test
    void heldBroadcastIsSignedWithTheSequenceItIsSentWith()
    {
        final TestNet net = new TestNet(GossipConfig.defaults());
        final TestNet.Node a = net.add();
        final TestNet.Node b = net.add();
        final DigestSigner signer = new DigestSigner();
        a.state.signer(signer);
        a.state.join(TOPIC, List.of(), net.now);
        a.broadcast("early");
        assertEquals(0, signer.calls, "nothing signed while held: the sequence is not fixed yet");
        b.state.join(TOPIC, List.of(a.id), net.now);
        net.pump();
        assertEquals(1, signer.calls);
        final Gossip sent = gossipSent(net).get(0);
        assertEquals(1, sent.sequence());
        assertArrayEquals(expected(a.id, 1, 1, false, "early".getBytes()), signatureOf(sent));
    }

    @Test
    void withoutASignerNothingIsSigned()
    {
        final TestNet net = line(3);
        net.nodes.get(0).broadcast("plain");
        net.pump();
        for (final Gossip g : gossipSent(net))
        {
            assertFalse(g.signed());
        }
    }

    @Test
    void neighborsScopeHasItsOwnSequenceSpace()
    {
        final TestNet net = line(2);
        final TestNet.Node a = net.nodes.get(0);
        final byte[] p = "x".getBytes();
        a.broadcast("s1");
        a.state.broadcast(TOPIC, new UnsafeBuffer(p), 0, 1, true, net.now);
        a.broadcast("s2");
        a.state.broadcast(TOPIC, new UnsafeBuffer(p), 0, 1, true, net.now);
        net.pump();
        final List<Long> sequences = new ArrayList<>();
        for (final TestNet.Delivery d : net.nodes.get(1).deliveries)
        {
            sequences.add(d.sequence());
        }
        // Swarm broadcasts stay 1, 2, ... whatever Neighbors-scope broadcasts happen in between.
        assertEquals(List.of(1L, -1L, 2L, -2L), sequences);
    }

    @Test
    void payloadCacheKeepsSignaturesAcrossGrowthAndWrap()
    {
        final PayloadCache cache = new PayloadCache(64 * 1024, 4096);
        final NodeId author = NodeId.fromBytes(new byte[32]);
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        final byte[] payload = new byte[700];
        final long[] handles = new long[301];
        // Enough entries to grow the log to its budget and then wrap (evicting the oldest).
        for (int seq = 1; seq <= 300; seq++)
        {
            java.util.Arrays.fill(payload, (byte)seq);
            final byte[] sig = expected(author, 1, seq, false, payload);
            final boolean signed = seq % 3 != 0;
            handles[seq] = cache.put(author, 1, seq, 2, new UnsafeBuffer(payload), 0, 50 + seq % 600,
                signed ? new UnsafeBuffer(sig) : null, 0, Gossip.SIGNATURE_LENGTH, seq);
            assertTrue(handles[seq] >= 0);
        }
        assertTrue(cache.evictedEarly() > 0, "the budget was reached");
        int checked = 0;
        for (int seq = 1; seq <= 300; seq++)
        {
            final long handle = handles[seq];
            if (!cache.matches(handle, author, 1, seq))
            {
                continue;
            }
            checked++;
            java.util.Arrays.fill(payload, (byte)seq);
            assertEquals(50 + seq % 600, cache.length(handle));
            cache.wrap(handle, view);
            final byte[] got = new byte[cache.length(handle)];
            view.getBytes(0, got);
            assertArrayEquals(java.util.Arrays.copyOf(payload, got.length), got, "payload " + seq);
            assertEquals(seq % 3 != 0, cache.signed(handle), "signed flag " + seq);
            if (cache.signed(handle))
            {
                cache.wrapSignature(handle, view);
                final byte[] sig = new byte[Gossip.SIGNATURE_LENGTH];
                view.getBytes(0, sig);
                assertArrayEquals(expected(author, 1, seq, false, payload), sig, "signature " + seq);
            }
        }
        assertTrue(checked > 20, "entries survived: " + checked);
    }
}
