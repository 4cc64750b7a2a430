package dev.hearsay.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The sequence numbers of the messages this node authors on one topic, when it signs them (signMessages): the
 * publishing thread numbers a message before it signs it, so the numbering cannot wait for the dispatcher. Any
 * thread, lock-free: each number is taken by one compare-and-set, so no two messages of the topic share one.
 * Shared by every subscription of the topic on this node, from its first subscription to its last (the protocol
 * forgets the topic then too, and a later subscription numbers from 1 again, as the protocol itself does).
 * Swarm-scope messages count 1, 2, ...; Neighbors-scope ones -1, -2, ... (as {@code PlumTree} numbers them).
 */
final class TopicSequences
{
    private final AtomicLong swarm = new AtomicLong();
    private final AtomicLong neighbors = new AtomicLong();

    /** The counter of one scope: its value is the magnitude of the last sequence taken. */
    AtomicLong counter(final boolean neighborsOnly)
    {
        return neighborsOnly ? neighbors : swarm;
    }

    /** The sequence of a message of the scope whose counter took {@code count}. */
    static long sequence(final boolean neighborsOnly, final long count)
    {
        return neighborsOnly ? -count : count;
    }
}
