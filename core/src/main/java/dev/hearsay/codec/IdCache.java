package dev.hearsay.codec;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import org.agrona.DirectBuffer;

/**
 * Bounded cache that resolves the 32 bytes of an id in a buffer to a shared id instance, so that decoding ids seen
 * before allocates nothing.
 * <p>
 * Policy: two-way set associative. The capacity is rounded up to a power of two (at least 2) and split into
 * {@code capacity / 2} sets of two slots; an id lives in the set picked by the low bits of its hash. A lookup compares
 * the stored hash, then the bytes, of both slots. On a miss one new id is allocated and stored in the set's slot that
 * was not used most recently (an empty slot is always the older one), so of two ids that collide the busier one stays.
 * The cache never holds more than its capacity. Ids chosen to collide can only cost allocations, never a wrong
 * answer, since a hit always compares all 32 bytes.
 * <p>
 * Not thread-safe: each decoder owns its caches.
 *
 * @param <T> {@link NodeId} or {@link TopicId}.
 */
public final class IdCache<T>
{
    /** How one id type is hashed, compared and read from a buffer. */
    private interface IdType<T>
    {
        int hashAt(DirectBuffer buffer, int offset);

        boolean matches(T id, DirectBuffer buffer, int offset);

        T read(DirectBuffer buffer, int offset);
    }

    private static final IdType<NodeId> NODE_ID = new IdType<>()
    {
        @Override
        public int hashAt(final DirectBuffer buffer, final int offset)
        {
            return NodeId.hashAt(buffer, offset);
        }

        @Override
        public boolean matches(final NodeId id, final DirectBuffer buffer, final int offset)
        {
            return id.matches(buffer, offset);
        }

        @Override
        public NodeId read(final DirectBuffer buffer, final int offset)
        {
            return NodeId.read(buffer, offset);
        }
    };

    private static final IdType<TopicId> TOPIC_ID = new IdType<>()
    {
        @Override
        public int hashAt(final DirectBuffer buffer, final int offset)
        {
            return TopicId.hashAt(buffer, offset);
        }

        @Override
        public boolean matches(final TopicId id, final DirectBuffer buffer, final int offset)
        {
            return id.matches(buffer, offset);
        }

        @Override
        public TopicId read(final DirectBuffer buffer, final int offset)
        {
            return TopicId.read(buffer, offset);
        }
    };

    /** Largest capacity accepted; far beyond any sensible use, it only keeps the arrays sane. */
    public static final int MAX_CAPACITY = 1 << 24;

    private final IdType<T> idType;
    private final Object[] ids;
    private final int[] hashes;
    private final byte[] lastUsedWay;
    private final int setMask;
    private int size;
    private long hits;
    private long misses;

    private IdCache(final IdType<T> idType, final int capacity)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("id cache capacity: " + capacity + " is outside [1, " + MAX_CAPACITY
                + "]");
        }
        final int slots = Math.max(2, Integer.highestOneBit(capacity - 1) << 1);
        this.idType = idType;
        this.ids = new Object[slots];
        this.hashes = new int[slots];
        this.lastUsedWay = new byte[slots / 2];
        this.setMask = slots / 2 - 1;
    }

    /** A cache of at least {@code capacity} node ids (rounded up to a power of two). */
    public static IdCache<NodeId> forNodeIds(final int capacity)
    {
        return new IdCache<>(NODE_ID, capacity);
    }

    /** A cache of at least {@code capacity} topic ids (rounded up to a power of two). */
    public static IdCache<TopicId> forTopicIds(final int capacity)
    {
        return new IdCache<>(TOPIC_ID, capacity);
    }

    /**
     * The id whose 32 bytes are at {@code offset} of {@code buffer}: the cached instance if present, else a new one
     * that replaces the least recently used slot of its set. The caller has checked that the 32 bytes are there.
     */
    @SuppressWarnings("unchecked")
    public T get(final DirectBuffer buffer, final int offset)
    {
        final int hash = idType.hashAt(buffer, offset);
        final int set = hash & setMask;
        final int slot0 = set << 1;
        final int slot1 = slot0 + 1;

        final T id0 = (T)ids[slot0];
        if (id0 != null && hashes[slot0] == hash && idType.matches(id0, buffer, offset))
        {
            lastUsedWay[set] = 0;
            hits++;
            return id0;
        }
        final T id1 = (T)ids[slot1];
        if (id1 != null && hashes[slot1] == hash && idType.matches(id1, buffer, offset))
        {
            lastUsedWay[set] = 1;
            hits++;
            return id1;
        }

        misses++;
        final T id = idType.read(buffer, offset);
        // Fill an empty slot first, else evict the way that was not used last.
        final int way = id0 == null ? 0 : id1 == null ? 1 : 1 - lastUsedWay[set];
        if ((way == 0 ? id0 : id1) == null)
        {
            size++;
        }
        final int slot = slot0 + way;
        ids[slot] = id;
        hashes[slot] = hash;
        lastUsedWay[set] = (byte)way;
        return id;
    }

    /** Number of slots: the most ids the cache ever holds. */
    public int capacity()
    {
        return ids.length;
    }

    /** Number of ids held now. */
    public int size()
    {
        return size;
    }

    /** Lookups answered from the cache. */
    public long hits()
    {
        return hits;
    }

    /** Lookups that allocated a new id. */
    public long misses()
    {
        return misses;
    }
}
