package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;

import org.agrona.collections.Hashing;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The ids of Gossip messages that passed a check lately, for every thread that checks (any thread, lock-free): a
 * copy of an id found here is not checked again. One table for signatures that verified ({@link InboundVerifier}),
 * another for ids the validators settled ({@link InboundValidation}, with fingerprints of its own that must not
 * collide). A fixed table of {@link #CAPACITY} 64-bit
 * fingerprints of (topic, author, epoch, sequence), one per slot chosen by the fingerprint. Full policy: a new id
 * overwrites whatever its slot held, so the table forgets old ids as new ones arrive.
 * <p>
 * For signatures nothing here is trusted for safety. A fingerprint may collide, a racing writer may overwrite, a
 * reader may see a stale slot: each only decides whether a copy is checked before the ring or by the dispatcher,
 * which checks any copy it was not told was verified unless the protocol has seen its id (see
 * {@code Dispatcher.authentic}). A forgotten id costs one more verification. For validation a match is taken to
 * mean the id was settled, so that table holds keyed fingerprints that do not collide (see
 * {@link InboundValidation}); an overwritten or stale slot costs one more validation there too. Slots are written with release stores and read with acquire loads,
 * which is only needed for the reader to see whole 64-bit values (the JMM guarantees that for volatile longs).
 */
final class VerifiedIds
{
    /** Slots: ids of the last few hundred milliseconds at a hundred thousand messages a second (128 KiB). */
    static final int CAPACITY = 1 << 14;

    private static final long EMPTY = 0;

    private final AtomicLongArray slots = new AtomicLongArray(CAPACITY);

    /** The fingerprint of an id: never {@link #EMPTY}. */
    static long fingerprint(final TopicId topic, final NodeId author, final int epoch, final long sequence)
    {
        final int high = Hashing.hash(sequence + 31L * epoch);
        final int low = Hashing.hash(31 * topic.hashCode() + author.hashCode() + epoch);
        final long h = ((long)high << 32) | (low & 0xFFFF_FFFFL);
        return h == EMPTY ? 1 : h;
    }

    /** True if {@code fingerprint} was recorded and not yet overwritten. */
    boolean contains(final long fingerprint)
    {
        return slots.getAcquire(index(fingerprint)) == fingerprint;
    }

    /** Records {@code fingerprint}, overwriting its slot. */
    void add(final long fingerprint)
    {
        slots.setRelease(index(fingerprint), fingerprint);
    }

    private static int index(final long fingerprint)
    {
        return (int)(fingerprint >>> 32) & (CAPACITY - 1);
    }
}
