package dev.hearsay.codec;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.proto.ContactList;
import dev.hearsay.proto.Disconnect;
import dev.hearsay.proto.ForwardJoin;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.Neighbor;
import dev.hearsay.proto.NeighborReply;
import dev.hearsay.proto.Prune;
import dev.hearsay.proto.Shuffle;
import dev.hearsay.proto.ShuffleReply;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Builders, a seeded random generator and a field-by-field comparison for codec tests. */
final class TestMessages
{
    private TestMessages()
    {
    }

    static NodeId nodeId(final int fill)
    {
        final byte[] bytes = new byte[NodeId.LENGTH];
        Arrays.fill(bytes, (byte)fill);
        return NodeId.fromBytes(bytes);
    }

    static TopicId topicId(final int fill)
    {
        final byte[] bytes = new byte[TopicId.LENGTH];
        Arrays.fill(bytes, (byte)fill);
        return TopicId.fromBytes(bytes);
    }

    static NodeId randomNodeId(final Random random)
    {
        final byte[] bytes = new byte[NodeId.LENGTH];
        random.nextBytes(bytes);
        return NodeId.fromBytes(bytes);
    }

    static TopicId randomTopicId(final Random random)
    {
        final byte[] bytes = new byte[TopicId.LENGTH];
        random.nextBytes(bytes);
        return TopicId.fromBytes(bytes);
    }

    static byte[] bytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Encodes into a fresh exact-size array. */
    static byte[] encode(final Message message)
    {
        final byte[] out = new byte[MessageEncoder.encodedLength(message)];
        final int written = new MessageEncoder().encode(message, new UnsafeBuffer(out), 0);
        assertEquals(out.length, written, "bytes written");
        return out;
    }

    static Message decode(final MessageDecoder decoder, final byte[] frame)
    {
        return decoder.decode(new UnsafeBuffer(frame), 0, frame.length);
    }

    /** Bytes allocated so far by the calling thread (HotSpot's per-thread counter). */
    static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    static boolean canMeasureAllocation()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        return bean instanceof com.sun.management.ThreadMXBean
            && ((com.sun.management.ThreadMXBean)bean).isThreadAllocatedMemorySupported()
            && ((com.sun.management.ThreadMXBean)bean).isThreadAllocatedMemoryEnabled();
    }

    /** Seeded generator of valid messages within the given limits, with edge values drawn often. */
    static final class Generator
    {
        private final Random random;
        private final int maxPayload;
        private final int maxPeerData;
        private final NodeId[] nodePool;
        private final TopicId[] topicPool;

        Generator(final long seed, final int maxPayload, final int maxPeerData)
        {
            this.random = new Random(seed);
            this.maxPayload = maxPayload;
            this.maxPeerData = maxPeerData;
            // A small pool makes ids repeat (cache hits); fresh random ids exercise misses and evictions.
            this.nodePool = new NodeId[16];
            this.topicPool = new TopicId[4];
            for (int i = 0; i < nodePool.length; i++)
            {
                nodePool[i] = randomNodeId(random);
            }
            for (int i = 0; i < topicPool.length; i++)
            {
                topicPool[i] = randomTopicId(random);
            }
        }

        Random random()
        {
            return random;
        }

        Message next()
        {
            final MessageType[] types = MessageType.values();
            return next(types[random.nextInt(types.length)]);
        }

        Message next(final MessageType type)
        {
            final Message m;
            switch (type)
            {
                case JOIN:
                    m = new Join().set(data());
                    break;
                case FORWARD_JOIN:
                    m = new ForwardJoin().set(node(), data(), ttl());
                    break;
                case NEIGHBOR:
                    m = new Neighbor().set(random.nextBoolean(), data());
                    break;
                case NEIGHBOR_REPLY:
                    m = new NeighborReply().set(random.nextBoolean(), data());
                    break;
                case DISCONNECT:
                {
                    final Disconnect d = new Disconnect().set(random.nextBoolean());
                    fill(d.contacts());
                    m = d;
                    break;
                }
                case SHUFFLE:
                {
                    final Shuffle s = new Shuffle().set(node(), data(), ttl());
                    fill(s.contacts());
                    m = s;
                    break;
                }
                case SHUFFLE_REPLY:
                {
                    final ShuffleReply s = new ShuffleReply();
                    fill(s.contacts());
                    m = s;
                    break;
                }
                case GOSSIP:
                {
                    final int length = pick(maxPayload);
                    // Put the payload at a random offset of a larger buffer: the encoder must honour the view.
                    final int pad = random.nextInt(8);
                    final byte[] backing = bytes(random, length + 2 * pad);
                    final Gossip g = new Gossip().set(node(), epoch(), sequence(), hops(), random.nextBoolean())
                        .payload(new UnsafeBuffer(backing), pad, length);
                    if (random.nextInt(3) == 0)
                    {
                        // A signature trailer, also at an offset of a larger buffer.
                        g.signature(new UnsafeBuffer(bytes(random, WireFormat.SIGNATURE_LENGTH + pad)), pad);
                    }
                    m = g;
                    break;
                }
                case IHAVE:
                {
                    final IHave h = new IHave();
                    final int count = pick(IHave.MAX_RUNS);
                    for (int i = 0; i < count; i++)
                    {
                        final int ids = 1 + random.nextInt(random.nextBoolean() ? 4 : IHave.MAX_RUN_LENGTH);
                        final long first = Math.min(sequence(), Long.MAX_VALUE - (ids - 1));
                        if (!h.appendRun(node(), epoch(), first, ids, hops()))
                        {
                            break;
                        }
                    }
                    m = h;
                    break;
                }
                case GRAFT:
                    m = random.nextInt(4) == 0 ? new Graft().setNoId()
                        : graftRange(sequence(), 1 + random.nextInt(random.nextBoolean() ? 3 : Graft.MAX_COUNT));
                    break;
                case PRUNE:
                    m = new Prune();
                    break;
                default:
                    throw new IllegalStateException("no generator for " + type);
            }
            m.topic(random.nextInt(4) == 0 ? randomTopicId(random) : topicPool[random.nextInt(topicPool.length)]);
            return m;
        }

        private void fill(final ContactList contacts)
        {
            final int count = pick(Message.MAX_CONTACTS);
            for (int i = 0; i < count; i++)
            {
                contacts.add(node(), data());
            }
        }

        /** 0, the maximum, or uniform in between, each edge with a fair chance. */
        private int pick(final int max)
        {
            final int roll = random.nextInt(8);
            if (roll == 0)
            {
                return 0;
            }
            if (roll == 1)
            {
                return max;
            }
            return random.nextInt(max + 1);
        }

        private NodeId node()
        {
            return random.nextInt(3) == 0 ? randomNodeId(random) : nodePool[random.nextInt(nodePool.length)];
        }

        private byte[] data()
        {
            // Small lists keep big contact lists from dominating the run time.
            final int length = pick(Math.min(maxPeerData, random.nextBoolean() ? 8 : maxPeerData));
            return length == 0 && random.nextBoolean() ? null : bytes(random, length);
        }

        private int ttl()
        {
            return pick(WireFormat.MAX_TTL);
        }

        private int hops()
        {
            return pick(WireFormat.MAX_HOPS);
        }

        private int epoch()
        {
            final int roll = random.nextInt(6);
            return roll == 0 ? Integer.MIN_VALUE : roll == 1 ? Integer.MAX_VALUE : roll == 2 ? -1 : random.nextInt();
        }

        /** A Graft of {@code count} ids from {@code first}, moved down if it would pass the largest sequence. */
        private Graft graftRange(final long first, final int count)
        {
            return new Graft().set(node(), epoch(), Math.min(first, Long.MAX_VALUE - (count - 1)), count, hops());
        }

        private long sequence()
        {
            final int roll = random.nextInt(6);
            return roll == 0 ? Long.MIN_VALUE : roll == 1 ? Long.MAX_VALUE : roll == 2 ? 0 : random.nextLong();
        }
    }

    /** Offsets and widths of every count and length field of {@code message}'s encoding, for targeted corruption. */
    static List<int[]> lengthFields(final Message message)
    {
        final List<int[]> fields = new ArrayList<>();
        final int body = WireFormat.HEADER_LENGTH;
        switch (message.type())
        {
            case JOIN:
                fields.add(new int[]{body, 2});
                break;
            case FORWARD_JOIN:
                fields.add(new int[]{body + NodeId.LENGTH + 1, 2});
                break;
            case NEIGHBOR:
            case NEIGHBOR_REPLY:
                fields.add(new int[]{body + 1, 2});
                break;
            case DISCONNECT:
                contactFields(((Disconnect)message).contacts(), body + 1, fields);
                break;
            case SHUFFLE:
            {
                final Shuffle s = (Shuffle)message;
                final int dataAt = body + NodeId.LENGTH + 1;
                fields.add(new int[]{dataAt, 2});
                contactFields(s.contacts(), dataAt + 2 + s.originData().length, fields);
                break;
            }
            case SHUFFLE_REPLY:
                contactFields(((ShuffleReply)message).contacts(), body, fields);
                break;
            case GOSSIP:
                fields.add(new int[]{body + 1 + WireFormat.ID_ENTRY_LENGTH, 4});
                break;
            case IHAVE:
                fields.add(new int[]{body, 2});
                break;
            default:
                break;
        }
        return fields;
    }

    private static void contactFields(final ContactList contacts, final int at, final List<int[]> fields)
    {
        fields.add(new int[]{at, 1});
        int p = at + 1;
        for (int i = 0; i < contacts.size(); i++)
        {
            fields.add(new int[]{p + NodeId.LENGTH, 2});
            p += NodeId.LENGTH + 2 + contacts.data(i).length;
        }
    }

    /** A copy of the signature of a signed Gossip. */
    static byte[] signatureBytes(final Gossip gossip)
    {
        final byte[] out = new byte[WireFormat.SIGNATURE_LENGTH];
        gossip.signatureBuffer().getBytes(gossip.signatureOffset(), out);
        return out;
    }

    /** Asserts that {@code actual} carries exactly the fields of {@code expected}. */
    static void assertSameContent(final Message expected, final Message actual)
    {
        assertNotNull(actual, "decoded message");
        assertEquals(expected.type(), actual.type(), "type");
        assertEquals(expected.topic(), actual.topic(), "topic");
        switch (expected.type())
        {
            case JOIN:
                assertArrayEquals(((Join)expected).data(), ((Join)actual).data(), "data");
                break;
            case FORWARD_JOIN:
            {
                final ForwardJoin e = (ForwardJoin)expected;
                final ForwardJoin a = (ForwardJoin)actual;
                assertEquals(e.joiner(), a.joiner(), "joiner");
                assertEquals(e.ttl(), a.ttl(), "ttl");
                assertArrayEquals(e.joinerData(), a.joinerData(), "joiner data");
                break;
            }
            case NEIGHBOR:
            {
                final Neighbor e = (Neighbor)expected;
                final Neighbor a = (Neighbor)actual;
                assertEquals(e.highPriority(), a.highPriority(), "highPriority");
                assertArrayEquals(e.data(), a.data(), "data");
                break;
            }
            case NEIGHBOR_REPLY:
            {
                final NeighborReply e = (NeighborReply)expected;
                final NeighborReply a = (NeighborReply)actual;
                assertEquals(e.accepted(), a.accepted(), "accepted");
                assertArrayEquals(e.data(), a.data(), "data");
                break;
            }
            case DISCONNECT:
            {
                final Disconnect e = (Disconnect)expected;
                final Disconnect a = (Disconnect)actual;
                assertEquals(e.alive(), a.alive(), "alive");
                assertSameContacts(e.contacts(), a.contacts());
                break;
            }
            case SHUFFLE:
            {
                final Shuffle e = (Shuffle)expected;
                final Shuffle a = (Shuffle)actual;
                assertEquals(e.origin(), a.origin(), "origin");
                assertEquals(e.ttl(), a.ttl(), "ttl");
                assertArrayEquals(e.originData(), a.originData(), "origin data");
                assertSameContacts(e.contacts(), a.contacts());
                break;
            }
            case SHUFFLE_REPLY:
                assertSameContacts(((ShuffleReply)expected).contacts(), ((ShuffleReply)actual).contacts());
                break;
            case GOSSIP:
            {
                final Gossip e = (Gossip)expected;
                final Gossip a = (Gossip)actual;
                assertEquals(e.author(), a.author(), "author");
                assertEquals(e.epoch(), a.epoch(), "epoch");
                assertEquals(e.sequence(), a.sequence(), "sequence");
                assertEquals(e.hops(), a.hops(), "hops");
                assertEquals(e.neighborsOnly(), a.neighborsOnly(), "neighborsOnly");
                assertEquals(e.repair(), a.repair(), "repair");
                assertEquals(e.payloadLength(), a.payloadLength(), "payload length");
                assertArrayEquals(e.payloadBytes(), a.payloadBytes(), "payload");
                assertEquals(e.signed(), a.signed(), "signed");
                if (e.signed())
                {
                    assertArrayEquals(signatureBytes(e), signatureBytes(a), "signature");
                }
                break;
            }
            case IHAVE:
            {
                final IHave e = (IHave)expected;
                final IHave a = (IHave)actual;
                assertEquals(e.size(), a.size(), "runs");
                assertEquals(e.idCount(), a.idCount(), "ids");
                for (int i = 0; i < e.size(); i++)
                {
                    assertEquals(e.author(i), a.author(i), "author " + i);
                    assertEquals(e.epoch(i), a.epoch(i), "epoch " + i);
                    assertEquals(e.firstSequence(i), a.firstSequence(i), "first sequence " + i);
                    assertEquals(e.count(i), a.count(i), "count " + i);
                    assertEquals(e.hops(i), a.hops(i), "hops " + i);
                }
                break;
            }
            case GRAFT:
            {
                final Graft e = (Graft)expected;
                final Graft a = (Graft)actual;
                assertEquals(e.hasId(), a.hasId(), "hasId");
                assertEquals(e.author(), a.author(), "author");
                assertEquals(e.epoch(), a.epoch(), "epoch");
                assertEquals(e.sequence(), a.sequence(), "sequence");
                assertEquals(e.count(), a.count(), "count");
                assertEquals(e.hops(), a.hops(), "hops");
                break;
            }
            case PRUNE:
                break;
            default:
                throw new AssertionError("no comparison for " + expected.type());
        }
    }

    private static void assertSameContacts(final ContactList expected, final ContactList actual)
    {
        assertEquals(expected.size(), actual.size(), "contacts");
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.id(i), actual.id(i), "contact id " + i);
            assertArrayEquals(expected.data(i), actual.data(i), "contact data " + i);
        }
    }
}
