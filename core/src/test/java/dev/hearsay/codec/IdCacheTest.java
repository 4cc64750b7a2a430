package dev.hearsay.codec;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Message;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;

import static dev.hearsay.codec.TestMessages.encode;
import static dev.hearsay.codec.TestMessages.nodeId;
import static dev.hearsay.codec.TestMessages.topicId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The id cache: shared instances on hits, bounded size, its eviction policy, and allocation-free decoding. */
class IdCacheTest
{
    private static UnsafeBuffer idBuffer(final NodeId id)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[NodeId.LENGTH]);
        id.write(buffer, 0);
        return buffer;
    }

    @Test
    @Timeout(10)
    void decodingTheSameGossipFrameTwiceGivesTheSameIdInstances()
    {
        final MessageDecoder decoder = new MessageDecoder(1024, 64);
        final Gossip gossip = new Gossip().set(nodeId(0x42), 1, 2, 3, false);
        gossip.payload(new UnsafeBuffer(new byte[]{1, 2, 3}), 0, 3).topic(topicId(0x24));
        final byte[] frame = encode(gossip);

        final Gossip first = (Gossip)TestMessages.decode(decoder, frame);
        final NodeId author = first.author();
        final TopicId topic = first.topic();
        assertEquals(gossip.author(), author);
        assertNotSame(gossip.author(), author, "the decoder built its own id");

        // A different buffer holding the same bytes: resolved by content, not by buffer identity.
        final Gossip second = (Gossip)TestMessages.decode(decoder, frame.clone());
        assertSame(author, second.author(), "cache hit for the author");
        assertSame(topic, second.topic(), "cache hit for the topic");
        assertEquals(1, decoder.nodeIdCache().misses());
        assertEquals(1, decoder.nodeIdCache().hits());
    }

    @Test
    @Timeout(10)
    void idsAreSharedAcrossMessageTypes()
    {
        final MessageDecoder decoder = new MessageDecoder(1024, 64);
        final IHave ihave = new IHave();
        ihave.add(nodeId(7), 1, 1, 1);
        ihave.add(nodeId(7), 1, 3, 1); // not consecutive: a second run
        ihave.topic(topicId(1));
        final IHave decoded = (IHave)TestMessages.decode(decoder, encode(ihave));
        final NodeId author = decoded.author(0);
        assertSame(author, decoded.author(1));
        final Graft graft = (Graft)TestMessages.decode(decoder, encode(new Graft().set(nodeId(7), 1, 1, 1)
            .topic(topicId(1))));
        assertSame(author, graft.author());
    }

    @Test
    @Timeout(10)
    void capacityIsRoundedToAPowerOfTwoAndNeverExceeded()
    {
        assertEquals(2, IdCache.forNodeIds(1).capacity());
        assertEquals(4, IdCache.forNodeIds(3).capacity());
        assertEquals(4096, IdCache.forNodeIds(4096).capacity());
        assertEquals(8192, IdCache.forTopicIds(4097).capacity());
        assertThrows(IllegalArgumentException.class, () -> IdCache.forNodeIds(0));
        assertThrows(IllegalArgumentException.class, () -> IdCache.forTopicIds(IdCache.MAX_CAPACITY + 1));

        final IdCache<NodeId> cache = IdCache.forNodeIds(64);
        final Random random = new Random(3);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[NodeId.LENGTH]);
        for (int i = 0; i < 10_000; i++)
        {
            random.nextBytes(buffer.byteArray());
            final NodeId id = cache.get(buffer, 0);
            assertTrue(id.matches(buffer, 0), "the id read is the id in the buffer");
            assertTrue(cache.size() <= cache.capacity());
        }
        assertEquals(64, cache.size(), "filled");
        assertEquals(10_000, cache.misses());
    }

    @Test
    @Timeout(10)
    void twoCollidingIdsBothStayAndTheLeastRecentlyUsedIsEvicted()
    {
        // Capacity 2 is a single set: every id collides.
        final IdCache<NodeId> cache = IdCache.forNodeIds(2);
        final UnsafeBuffer a = idBuffer(nodeId(0xA));
        final UnsafeBuffer b = idBuffer(nodeId(0xB));
        final UnsafeBuffer c = idBuffer(nodeId(0xC));

        final NodeId idA = cache.get(a, 0);
        final NodeId idB = cache.get(b, 0);
        assertSame(idA, cache.get(a, 0));
        assertSame(idB, cache.get(b, 0));
        assertEquals(2, cache.misses());
        assertEquals(2, cache.hits());

        // a was used after b, so c replaces b.
        assertSame(idA, cache.get(a, 0));
        final NodeId idC = cache.get(c, 0);
        assertSame(idA, cache.get(a, 0), "a survived");
        assertSame(idC, cache.get(c, 0));
        final NodeId idB2 = cache.get(b, 0);
        assertNotSame(idB, idB2, "b was evicted and read again");
        assertEquals(idB, idB2);
        assertEquals(2, cache.size());
    }

    @Test
    @Timeout(10)
    void topicCacheResolvesTopics()
    {
        final IdCache<TopicId> cache = IdCache.forTopicIds(16);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TopicId.LENGTH]);
        final TopicId topic = TopicId.of("news");
        topic.write(buffer, 0);
        final TopicId resolved = cache.get(buffer, 0);
        assertEquals(topic, resolved);
        assertSame(resolved, cache.get(buffer, 0));
    }

    @Test
    @Timeout(20)
    void decodingMessagesWithKnownIdsAllocatesNothing()
    {
        assumeTrue(TestMessages.canMeasureAllocation());
        final MessageDecoder decoder = new MessageDecoder(4096, 64);
        final Gossip gossip = new Gossip().set(nodeId(1), 1, 2, 3, true);
        gossip.payload(new UnsafeBuffer(new byte[1000]), 0, 1000).topic(topicId(1));
        final IHave ihave = new IHave();
        for (int i = 0; i < IHave.MAX_RUNS; i++)
        {
            ihave.add(nodeId(i % 16), i, i, i);
        }
        ihave.topic(topicId(2));
        final Message graft = new Graft().set(nodeId(5), 1, 1, 1).topic(topicId(1));
        final UnsafeBuffer g = new UnsafeBuffer(encode(gossip));
        final UnsafeBuffer h = new UnsafeBuffer(encode(ihave));
        final UnsafeBuffer r = new UnsafeBuffer(encode(graft));

        long sum = 0;
        for (int i = 0; i < 1_000; i++)
        {
            sum += decodeAll(decoder, g, h, r);
        }
        final long misses = decoder.nodeIdCache().misses();
        final int iterations = 10_000;
        final long before = TestMessages.allocatedBytes();
        for (int i = 0; i < iterations; i++)
        {
            sum += decodeAll(decoder, g, h, r);
        }
        final long allocated = TestMessages.allocatedBytes() - before;
        assertTrue(sum > 0);
        assertEquals(misses, decoder.nodeIdCache().misses(), "no cache misses once warm");
        // One NodeId per decode would be over 40 bytes * 30,000; allow a little for the measurement itself.
        assertTrue(allocated < 4096, "decode allocated " + allocated + " bytes over " + 3 * iterations + " calls");
    }

    private static long decodeAll(
        final MessageDecoder decoder, final UnsafeBuffer gossip, final UnsafeBuffer ihave, final UnsafeBuffer graft)
    {
        final Gossip a = (Gossip)decoder.decode(gossip, 0, gossip.capacity());
        final IHave b = (IHave)decoder.decode(ihave, 0, ihave.capacity());
        final Graft c = (Graft)decoder.decode(graft, 0, graft.capacity());
        return a.payloadLength() + b.size() + c.sequence();
    }
}
