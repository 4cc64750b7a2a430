package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.NodeAddr;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optional TLS: nodes with TLS deliver as before; no payload byte (nor the identity handshake) crosses the wire in
 * plaintext; a man in the middle who terminates TLS with his own certificate is detected by the identity
 * handshake, which binds both certificates; TLS and plain nodes do not connect.
 */
@Timeout(60)
class TlsTest
{
    private static final byte[] HELLO_MAGIC = "HSYH".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_MAGIC = "HSYP".getBytes(StandardCharsets.US_ASCII);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    private GossipNode node(final boolean tls)
    {
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO)
            .transportOptions(TransportOptions.defaults().withTls(tls)).start();
        resources.add(node);
        return node;
    }

    private static GossipEvent.Received receive(final Subscription s, final byte[] payload) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            if (s.next(Duration.ofMillis(100)) instanceof GossipEvent.Received r
                && java.util.Arrays.equals(r.content(), payload))
            {
                return r;
            }
        }
        throw new AssertionError("not received: " + new String(payload, StandardCharsets.UTF_8));
    }

    @Test
    void tlsClusterDeliversEverything() throws Exception
    {
        final List<GossipNode> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            nodes.add(node(true));
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
        final TopicId topic = TopicId.of("tls-cluster");
        final List<Subscription> subs = new ArrayList<>();
        subs.add(nodes.get(0).subscribe(topic, List.of()));
        for (int i = 1; i < nodes.size(); i++)
        {
            subs.add(nodes.get(i).subscribe(topic, List.of(nodes.get(i - 1).id())));
        }
        for (final Subscription s : subs)
        {
            s.joined().get(20, TimeUnit.SECONDS);
        }
        for (int i = 0; i < nodes.size(); i++)
        {
            assertTrue(subs.get(i).broadcast(("tls-" + i).getBytes(StandardCharsets.UTF_8)) >= 0);
        }
        for (int i = 0; i < nodes.size(); i++)
        {
            final java.util.Map<String, dev.hearsay.NodeId> got = new java.util.HashMap<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.size() < nodes.size() - 1 && System.nanoTime() < deadline)
            {
                if (subs.get(i).next(Duration.ofMillis(100)) instanceof GossipEvent.Received r)
                {
                    got.put(new String(r.content(), StandardCharsets.UTF_8), r.author());
                }
            }
            for (int j = 0; j < nodes.size(); j++)
            {
                if (i != j)
                {
                    assertEquals(nodes.get(j).id(), got.get("tls-" + j), "node " + i + " got " + got);
                }
            }
            assertEquals(0, nodes.get(i).transport().counters().handshakeFailures.get());
        }
    }

    /** Simultaneous dials: the duplicate TLS connection is closed gracefully (half-close) and nothing is lost. */
    @Test
    void simultaneousTlsDialsEndWithOneConnection() throws Exception
    {
        for (int run = 0; run < 3; run++)
        {
            final GossipNode a = node(true);
            final GossipNode b = node(true);
            a.addPeer(b.addr());
            b.addPeer(a.addr());
            final TopicId topic = TopicId.of("tls-simultaneous-" + run);
            final Subscription sa = a.subscribe(topic, List.of(b.id()));
            final Subscription sb = b.subscribe(topic, List.of(a.id()));
            sa.joined().get(10, TimeUnit.SECONDS);
            sb.joined().get(10, TimeUnit.SECONDS);
            assertTrue(Await.until(() -> a.transport().openChannels() == 1 && b.transport().openChannels() == 1,
                10_000), "connections: a=" + a.transport().openChannels() + " b=" + b.transport().openChannels());
            for (int i = 0; i < 20; i++)
            {
                assertTrue(sa.broadcast(("x" + i).getBytes(StandardCharsets.UTF_8)) >= 0);
                assertTrue(sb.broadcast(("y" + i).getBytes(StandardCharsets.UTF_8)) >= 0);
            }
            for (int i = 0; i < 20; i++)
            {
                receive(sb, ("x" + i).getBytes(StandardCharsets.UTF_8));
                receive(sa, ("y" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(0, a.transport().counters().handshakeFailures.get());
            assertEquals(0, b.transport().counters().handshakeFailures.get());
        }
    }

    /** One TLS-or-not connection through a recording proxy; both directions carry a unique marker payload. */
    private RecordingProxy exchangeThroughProxy(final boolean tls, final byte[] markerAtoB, final byte[] markerBtoA)
        throws Exception
    {
        final GossipNode a = node(tls);
        final GossipNode b = node(tls);
        final RecordingProxy proxy = new RecordingProxy(b.localAddress());
        resources.add(proxy);
        // a knows b only at the proxy's address; b answers on the connection a opened.
        a.addPeer(new NodeAddr(b.id(), List.of(proxy.address())));
        final TopicId topic = TopicId.of("wire-" + tls);
        final Subscription sb = b.subscribe(topic, List.of());
        final Subscription sa = a.subscribe(topic, List.of(b.id()));
        sa.joined().get(20, TimeUnit.SECONDS);
        assertTrue(sa.broadcast(markerAtoB) >= 0);
        receive(sb, markerAtoB);
        assertTrue(sb.broadcast(markerBtoA) >= 0);
        receive(sa, markerBtoA);
        assertEquals(1, a.transport().counters().dialled.get(), "one connection, through the proxy");
        return proxy;
    }

    @Test
    void withTlsNoPayloadByteCrossesTheWireInPlaintext() throws Exception
    {
        final byte[] ab = ("MARKER-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        final byte[] ba = ("MARKER-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        final RecordingProxy proxy = exchangeThroughProxy(true, ab, ba);
        final byte[] up = proxy.toTarget();
        final byte[] down = proxy.fromTarget();
        assertTrue(up.length > 1000 && down.length > 1000, "the proxy saw the traffic: " + up.length + "/"
            + down.length);
        assertEquals(0x16, up[0], "the stream starts with a TLS handshake record");
        for (final byte[] captured : List.of(up, down))
        {
            assertFalse(RecordingProxy.contains(captured, ab), "payload in plaintext");
            assertFalse(RecordingProxy.contains(captured, ba), "payload in plaintext");
            assertFalse(RecordingProxy.contains(captured, HELLO_MAGIC), "identity handshake in plaintext");
        }
    }

    @Test
    void withoutTlsTheSameCheckFindsThePayload() throws Exception
    {
        final byte[] ab = ("MARKER-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        final byte[] ba = ("MARKER-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        final RecordingProxy proxy = exchangeThroughProxy(false, ab, ba);
        assertTrue(RecordingProxy.contains(proxy.toTarget(), ab), "the check would see a plaintext payload");
        assertTrue(RecordingProxy.contains(proxy.fromTarget(), ba));
        assertTrue(RecordingProxy.contains(proxy.toTarget(), HELLO_MAGIC));
    }

    /** A TLS context presenting {@code certificate} and accepting any peer certificate, as an attacker would. */
    private static SSLContext attackerContext(final SelfSignedCertificate certificate) throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        final char[] password = "x".toCharArray();
        store.setKeyEntry("mitm", certificate.privateKey(), password,
            new Certificate[]{certificate.certificate()});
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        final SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return context;
    }

    @Test
    void aManInTheMiddleWithHisOwnCertificateIsDetected() throws Exception
    {
        final GossipNode a = node(true);
        final GossipNode b = node(true);
        final SSLContext attacker = attackerContext(SelfSignedCertificate.generate("mitm"));
        // Terminates a's TLS as a server and opens its own TLS to b as a client, relaying the plaintext.
        final RecordingProxy mitm = new RecordingProxy(b.localAddress(), plain ->
        {
            try
            {
                final SSLSocket s = (SSLSocket)attacker.getSocketFactory().createSocket(plain,
                    plain.getInputStream(), true);
                s.setUseClientMode(false);
                s.setNeedClientAuth(true);
                s.startHandshake();
                return s;
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }, address ->
        {
            try
            {
                final Socket s = attacker.getSocketFactory().createSocket(address.getAddress(), address.getPort());
                ((SSLSocket)s).startHandshake();
                return s;
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        });
        resources.add(mitm);
        a.addPeer(new NodeAddr(b.id(), List.of(mitm.address())));
        final TopicId topic = TopicId.of("mitm");
        b.subscribe(topic, List.of());
        final Subscription sa = a.subscribe(topic, List.of(b.id()));

        // The attacker relays both identity handshakes in full (he can read them), and both proofs fail.
        assertTrue(Await.until(() -> a.transport().counters().handshakeFailures.get() >= 1
            && b.transport().counters().handshakeFailures.get() >= 1, 20_000),
            "a: " + a.transport().counters() + "\nb: " + b.transport().counters());
        assertTrue(RecordingProxy.contains(mitm.toTarget(), HELLO_MAGIC)
            && RecordingProxy.contains(mitm.fromTarget(), HELLO_MAGIC), "the attacker relayed the HELLOs");
        assertTrue(RecordingProxy.contains(mitm.toTarget(), PROOF_MAGIC)
            && RecordingProxy.contains(mitm.fromTarget(), PROOF_MAGIC), "the attacker relayed the PROOFs");
        assertEquals(0, a.transport().counters().handshakes.get(), "a never accepted the connection");
        assertEquals(0, b.transport().counters().handshakes.get(), "b never accepted the connection");
        assertFalse(sa.joined().isDone(), "no neighbor through the attacker");
    }

    @Test
    void tlsAndPlainNodesDoNotConnect() throws Exception
    {
        final GossipNode secure = node(true);
        final GossipNode plain = node(false);
        plain.addPeer(secure.addr());
        final TopicId topic = TopicId.of("mixed");
        secure.subscribe(topic, List.of());
        final Subscription s = plain.subscribe(topic, List.of(secure.id()));
        assertTrue(Await.until(() -> secure.transport().counters().handshakeFailures.get() >= 1
            && plain.transport().counters().dialFailures.get() >= 1, 20_000),
            "secure: " + secure.transport().counters() + "\nplain: " + plain.transport().counters());
        assertEquals(0, plain.transport().counters().handshakes.get());
        assertFalse(s.joined().isDone());
    }
}
