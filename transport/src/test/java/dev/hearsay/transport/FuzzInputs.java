package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Disconnect;
import dev.hearsay.proto.ForwardJoin;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.Neighbor;
import dev.hearsay.proto.NeighborReply;
import dev.hearsay.proto.Prune;
import dev.hearsay.proto.Shuffle;
import dev.hearsay.proto.ShuffleReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates the fuzzers' inputs from a seed: random bytes, and valid frames (handshake HELLO and PROOF, every
 * protocol message type) that are then mutated (bit flips, overwritten bytes, extreme count and length fields,
 * truncation, extension, splices). Half-valid input reaches deeper checks than noise does.
 */
final class FuzzInputs
{
    private static final int[] EXTREMES = {0, 1, 0x7F, 0x80, 0xFF};

    private final SplittableRandom random;
    private final MessageEncoder encoder;
    private final int maxPayload;
    private final int maxPeerData;
    private final ExpandableArrayBuffer encoded = new ExpandableArrayBuffer(8192);
    private final TopicId[] topics;
    private final NodeId[] ids;
    private final byte[] payloadBytes = new byte[8192];
    private final UnsafeBuffer payload = new UnsafeBuffer(payloadBytes);

    private final Join join = new Join();
    private final ForwardJoin forwardJoin = new ForwardJoin();
    private final Neighbor neighbor = new Neighbor();
    private final NeighborReply neighborReply = new NeighborReply();
    private final Disconnect disconnect = new Disconnect();
    private final Shuffle shuffle = new Shuffle();
    private final ShuffleReply shuffleReply = new ShuffleReply();
    private final Gossip gossip = new Gossip();
    private final IHave ihave = new IHave();
    private final Graft graft = new Graft();
    private final Prune prune = new Prune();

    /**
     * @param seed        seed of every choice.
     * @param maxPayload  largest payload the target accepts.
     * @param maxPeerData largest contact data the target accepts.
     * @param topic       a topic the target has joined (so some messages reach the protocol, not just the codec).
     */
    FuzzInputs(final long seed, final int maxPayload, final int maxPeerData, final TopicId topic)
    {
        this.random = new SplittableRandom(seed);
        this.encoder = new MessageEncoder(maxPayload, maxPeerData);
        this.maxPayload = maxPayload;
        this.maxPeerData = maxPeerData;
        this.topics = new TopicId[]{topic, TopicId.of("fuzz-a"), TopicId.of("fuzz-b")};
        this.ids = new NodeId[8];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = NodeKey.fromSeed(0xF0220L + i).id();
        }
        random.nextBytes(payloadBytes);
    }

    SplittableRandom random()
    {
        return random;
    }

    /** A random valid protocol message, encoded (no length prefix). */
    byte[] validMessage()
    {
        final Message m = message();
        m.topic(topics[random.nextInt(topics.length)]);
        final int length = encoder.encode(m, encoded, 0);
        final byte[] out = new byte[length];
        encoded.getBytes(0, out);
        return out;
    }

    private Message message()
    {
        switch (random.nextInt(11))
        {
            case 0:
                return join.set(data());
            case 1:
                return forwardJoin.set(id(), data(), random.nextInt(256));
            case 2:
                return neighbor.set(random.nextBoolean(), data());
            case 3:
                return neighborReply.set(random.nextBoolean(), data());
            case 4:
                return disconnect.set(random.nextBoolean());
            case 5:
            {
                shuffle.set(id(), data(), random.nextInt(256));
                shuffle.contacts().clear();
                for (int i = random.nextInt(8); i > 0; i--)
                {
                    shuffle.contacts().add(id(), data());
                }
                return shuffle;
            }
            case 6:
            {
                shuffleReply.clear();
                for (int i = random.nextInt(8); i > 0; i--)
                {
                    shuffleReply.contacts().add(id(), data());
                }
                return shuffleReply;
            }
            case 7:
            {
                final int length = random.nextInt(Math.min(maxPayload, 512) + 1);
                final int offset = random.nextInt(payloadBytes.length - length + 1);
                return gossip.set(id(), random.nextInt(), random.nextLong(1L << 40), random.nextInt(64),
                    random.nextInt(8) == 0).payload(payload, offset, length);
            }
            case 8:
            {
                ihave.clear();
                for (int i = 1 + random.nextInt(16); i > 0; i--)
                {
                    ihave.addRun(id(), random.nextInt(), random.nextLong(1L << 40), 1 + random.nextInt(100),
                        random.nextInt(64));
                }
                return ihave;
            }
            case 9:
                return graft.set(id(), random.nextInt(), random.nextLong(1L << 40), random.nextInt(64));
            default:
                return prune;
        }
    }

    private NodeId id()
    {
        return ids[random.nextInt(ids.length)];
    }

    private byte[] data()
    {
        final int length = random.nextInt(4) == 0 ? 0 : random.nextInt(Math.min(maxPeerData, 64) + 1);
        final byte[] d = new byte[length];
        random.nextBytes(d);
        return d;
    }

    /** A frame body for an authenticated session: a valid message, mutated most of the time, or noise. */
    byte[] sessionFrame()
    {
        final int kind = random.nextInt(10);
        if (kind < 3)
        {
            return validMessage();
        }
        if (kind < 9)
        {
            final byte[] m = mutate(validMessage());
            return m.length == 0 ? new byte[]{1} : m;
        }
        final byte[] noise = new byte[1 + random.nextInt(300)];
        random.nextBytes(noise);
        return noise;
    }

    /**
     * The bytes an unauthenticated client sends after connecting: noise, a mutated HELLO (sometimes followed by
     * a mutated PROOF and more frames), or frames with absurd lengths. None of it can complete a handshake,
     * since that needs a signature over the node's fresh nonce.
     *
     * @param nodeId the target's own id (a HELLO claiming it must be refused).
     */
    byte[] handshakeStream(final NodeId nodeId)
    {
        final ByteBuf out = Unpooled.buffer(256);
        try
        {
            switch (random.nextInt(6))
            {
                case 0 ->
                {
                    final byte[] noise = new byte[random.nextInt(600)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
                case 1 -> out.writeInt(random.nextBoolean() ? 0 : Integer.MAX_VALUE - random.nextInt(1 << 20))
                    .writeBytes(new byte[random.nextInt(16)]);
                default ->
                {
                    out.writeBytes(prefixed(mutate(hello(random.nextInt(16) == 0 ? nodeId : id()))));
                    if (random.nextInt(3) > 0)
                    {
                        out.writeBytes(prefixed(random.nextInt(4) == 0 ? proof() : mutate(proof())));
                    }
                    for (int i = random.nextInt(3); i > 0; i--)
                    {
                        out.writeBytes(prefixed(sessionFrame()));
                    }
                }
            }
            final byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return random.nextInt(10) == 0 ? mutate(bytes) : bytes;
        }
        finally
        {
            out.release();
        }
    }

    /** A well-formed HELLO body claiming {@code id}, contact data of random length. */
    byte[] hello(final NodeId id)
    {
        final ByteBuf b = Unpooled.buffer(128);
        try
        {
            final byte[] nonce = new byte[Handshake.NONCE_LENGTH];
            random.nextBytes(nonce);
            final byte[] data = new byte[random.nextInt(Math.min(maxPeerData, 40) + 1)];
            random.nextBytes(data);
            Handshake.writeHello(b, id, nonce, random.nextLong(), data);
            b.skipBytes(FrameDecoder.PREFIX);
            final byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        }
        finally
        {
            b.release();
        }
    }

    /** A PROOF body with a random signature. */
    byte[] proof()
    {
        final byte[] out = new byte[Handshake.PROOF_LENGTH];
        random.nextBytes(out);
        out[0] = 'H';
        out[1] = 'S';
        out[2] = 'Y';
        out[3] = 'P';
        return out;
    }

    /** One to four random mutations of a copy of {@code in}. */
    byte[] mutate(final byte[] in)
    {
        byte[] b = in.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--)
        {
            switch (random.nextInt(7))
            {
                case 0 ->
                {
                    if (b.length > 0)
                    {
                        b[random.nextInt(b.length)] ^= (byte)(1 << random.nextInt(8));
                    }
                }
                case 1 ->
                {
                    if (b.length > 0)
                    {
                        b[random.nextInt(b.length)] = (byte)random.nextInt(256);
                    }
                }
                case 2 ->
                {
                    if (b.length > 0)
                    {
                        b[random.nextInt(b.length)] = (byte)EXTREMES[random.nextInt(EXTREMES.length)];
                    }
                }
                case 3 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
                case 4 ->
                {
                    final int extra = 1 + random.nextInt(32);
                    final int from = b.length;
                    b = Arrays.copyOf(b, from + extra);
                    for (int i = from; i < b.length; i++)
                    {
                        b[i] = (byte)random.nextInt(256);
                    }
                }
                case 5 ->
                {
                    // A 16-bit length or count field turned huge or zero.
                    if (b.length > 2)
                    {
                        final int at = random.nextInt(b.length - 1);
                        final int v = random.nextBoolean() ? 0xFFFF : 0;
                        b[at] = (byte)(v >>> 8);
                        b[at + 1] = (byte)v;
                    }
                }
                default ->
                {
                    // Splice: the head of this one and the tail of another valid message.
                    final byte[] other = validMessage();
                    final int cut = b.length == 0 ? 0 : random.nextInt(b.length);
                    final int from = random.nextInt(other.length);
                    final byte[] s = Arrays.copyOf(b, cut + other.length - from);
                    System.arraycopy(other, from, s, cut, other.length - from);
                    b = s;
                }
            }
        }
        return b;
    }

    /**
     * True unless {@code m} carries contact data that decodes to a dialable address. A live node learns addresses
     * from membership messages and dials them; fuzzed input must never make it dial anything, least of all an
     * address off this machine, so frames for a live node are filtered with this.
     */
    static boolean teachesNoAddress(final Message m)
    {
        switch (m.type())
        {
            case JOIN:
                return noAddress(((Join)m).data());
            case FORWARD_JOIN:
                return noAddress(((ForwardJoin)m).joinerData());
            case NEIGHBOR:
                return noAddress(((Neighbor)m).data());
            case NEIGHBOR_REPLY:
                return noAddress(((NeighborReply)m).data());
            case SHUFFLE:
                return noAddress(((Shuffle)m).originData()) && noAddress(((Shuffle)m).contacts());
            case SHUFFLE_REPLY:
                return noAddress(((ShuffleReply)m).contacts());
            default:
                return true;
        }
    }

    private static boolean noAddress(final byte[] data)
    {
        return ContactAddresses.decode(data).isEmpty();
    }

    private static boolean noAddress(final dev.hearsay.proto.ContactList contacts)
    {
        for (int i = 0; i < contacts.size(); i++)
        {
            if (!noAddress(contacts.data(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** {@code body} with its 4-byte big-endian length prefix. */
    static byte[] prefixed(final byte[] body)
    {
        final byte[] out = new byte[FrameDecoder.PREFIX + body.length];
        out[0] = (byte)(body.length >>> 24);
        out[1] = (byte)(body.length >>> 16);
        out[2] = (byte)(body.length >>> 8);
        out[3] = (byte)body.length;
        System.arraycopy(body, 0, out, FrameDecoder.PREFIX, body.length);
        return out;
    }
}
