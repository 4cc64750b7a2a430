package dev.hearsay.transport;

import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.codec.SeedCorpus;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.Prune;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * The seed corpora of {@link FrameDecoderJazzerTest} and {@link HandshakeJazzerTest}: honest handshakes and
 * streams of real protocol frames, made from fixed keys and nonces. The files named {@code seed-*} in each inputs
 * directory must be exactly what this class makes, so the corpora follow the formats; regenerate them with
 * {@code ./mvnw -B -pl core,transport -am test -Dtest=FuzzSeedCorpusTest -Dhearsay.fuzz.writeSeeds=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. Other files there (inputs a fuzzing run found) are left alone.
 */
class FuzzSeedCorpusTest
{
    static final Path INPUTS = Path.of("src/test/resources/dev/hearsay/transport");
    static final Path FRAMES = INPUTS.resolve("FrameDecoderJazzerTestInputs/frames");
    static final Path HANDSHAKE = INPUTS.resolve("HandshakeJazzerTestInputs/helloAndProof");

    @Test
    @Timeout(30)
    void committedSeedsAreTheGeneratedOnes() throws IOException
    {
        final Map<String, byte[]> frames = frameSeeds();
        final Map<String, byte[]> handshake = handshakeSeeds();
        if (Boolean.getBoolean("hearsay.fuzz.writeSeeds"))
        {
            SeedCorpus.write(FRAMES, frames);
            SeedCorpus.write(HANDSHAKE, handshake);
        }
        SeedCorpus.check(FRAMES, frames, FuzzSeedCorpusTest.class);
        SeedCorpus.check(HANDSHAKE, handshake, FuzzSeedCorpusTest.class);
    }

    @Test
    @Timeout(30)
    void handshakeSeedsAreHonest()
    {
        handshakeSeeds().forEach((name, input) ->
        {
            final int helloLength = ((input[1] & 0xFF) << 8) | (input[2] & 0xFF);
            final int helloEnd = HandshakeJazzerTest.HEADER + helloLength;
            final Handshake.Hello hello = Handshake.readHello(
                Unpooled.wrappedBuffer(input, HandshakeJazzerTest.HEADER, helloLength), HandshakeJazzerTest.MAX_DATA);
            // Throws BadInputException unless the seed carries the peer's genuine proof: the fuzzer starts past it.
            Handshake.verifyProof(Unpooled.wrappedBuffer(input, helloEnd, input.length - helloEnd), hello.id(),
                HandshakeJazzerTest.ME.id(), hello.nonce(), HandshakeJazzerTest.MY_NONCE,
                (input[0] & HandshakeJazzerTest.TLS) != 0 ? HandshakeJazzerTest.BINDING : null);
        });
    }

    /** Streams on a connection, before and after its handshake, cut into reads of several sizes. */
    static Map<String, byte[]> frameSeeds()
    {
        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        final byte[] handshake = handshakeStream();
        final byte[] session = sessionStream();
        seeds.put("seed-handshake-one-read", input(0, 0, handshake));
        seeds.put("seed-handshake-bytewise", input(0, 1, handshake));
        seeds.put("seed-handshake-reads-of-7", input(0, 7, handshake));
        seeds.put("seed-handshake-closed", input(FrameDecoderJazzerTest.CLOSE, 0, handshake));
        seeds.put("seed-session-one-read", input(FrameDecoderJazzerTest.AUTHENTICATED, 0, session));
        seeds.put("seed-session-reads-of-13", input(FrameDecoderJazzerTest.AUTHENTICATED, 13, session));
        seeds.put("seed-session-reads-of-64", input(FrameDecoderJazzerTest.AUTHENTICATED, 64, session));
        seeds.put("seed-session-cut-and-closed", input(FrameDecoderJazzerTest.AUTHENTICATED
            | FrameDecoderJazzerTest.CLOSE, 32, Arrays.copyOf(session, session.length - 5)));
        final byte[] largest = new byte[FrameDecoder.PREFIX + FrameDecoderJazzerTest.MAX_FRAME];
        largest[2] = (byte)(FrameDecoderJazzerTest.MAX_FRAME >>> 8);
        largest[3] = (byte)FrameDecoderJazzerTest.MAX_FRAME;
        seeds.put("seed-session-largest-frame", input(FrameDecoderJazzerTest.AUTHENTICATED, 100, largest));
        return seeds;
    }

    /** Honest HELLO and PROOF pairs, with and without TLS, with empty, typical and largest contact data. */
    static Map<String, byte[]> handshakeSeeds()
    {
        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        final byte[] addresses = ContactAddresses.encode(List.of(new InetSocketAddress("127.0.0.1", 7946),
            new InetSocketAddress("::1", 7946)));
        seeds.put("seed-plain", HandshakeJazzerTest.input(false, addresses, 0x1234_5678_9ABCL));
        seeds.put("seed-tls", HandshakeJazzerTest.input(true, addresses, 1));
        seeds.put("seed-no-data", HandshakeJazzerTest.input(false, new byte[0], 0));
        final byte[] largest = new byte[HandshakeJazzerTest.MAX_DATA];
        Arrays.fill(largest, (byte)0x5A);
        seeds.put("seed-largest-data", HandshakeJazzerTest.input(false, largest, -1));
        return seeds;
    }

    private static byte[] input(final int flags, final int readSize, final byte[] stream)
    {
        final byte[] out = new byte[FrameDecoderJazzerTest.HEADER + stream.length];
        out[0] = (byte)flags;
        out[1] = (byte)readSize;
        System.arraycopy(stream, 0, out, FrameDecoderJazzerTest.HEADER, stream.length);
        return out;
    }

    /** The first two frames a dialling peer sends: HELLO, then PROOF. */
    private static byte[] handshakeStream()
    {
        final ByteBuf out = Unpooled.buffer();
        final NodeKey peer = NodeKey.fromSeed(21);
        final byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte)7);
        Handshake.writeHello(out, peer.id(), nonce, 99, ContactAddresses.encode(List.of()));
        Handshake.writeProof(out, peer, NodeKey.fromSeed(22).id(), nonce, nonce);
        final byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /** Protocol frames with heartbeats between them, as an authenticated peer sends them. */
    private static byte[] sessionStream()
    {
        final TopicId topic = TopicId.of("seed");
        final NodeKey author = NodeKey.fromSeed(23);
        final byte[] payload = new byte[40];
        Arrays.fill(payload, (byte)'x');
        final IHave ihave = new IHave();
        ihave.appendRun(author.id(), 5, 100, 12, 1);
        final List<Message> messages = List.of(
            new Join().set(new byte[]{1, 2, 3, 4}).topic(topic),
            new Gossip().set(author.id(), 5, 1, 0, false).payload(new UnsafeBuffer(payload), 0, payload.length)
                .topic(topic),
            ihave.topic(topic),
            new Graft().set(author.id(), 5, 100, 1).topic(topic),
            new Prune().topic(topic));
        final MessageEncoder encoder = new MessageEncoder();
        final ByteBuf out = Unpooled.buffer();
        for (final Message m : messages)
        {
            final byte[] body = new byte[MessageEncoder.encodedLength(m)];
            encoder.encode(m, new UnsafeBuffer(body), 0);
            out.writeInt(body.length);
            out.writeBytes(body);
            out.writeInt(0);
        }
        final byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }
}
