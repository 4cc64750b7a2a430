package dev.hearsay.sim;

import java.util.Arrays;

/**
 * Bookkeeping of every broadcast the simulator started: who must deliver it, who did, how many payload messages
 * carried it and how far it travelled. A broadcast is identified by a number the simulator writes in the first 8
 * bytes of its payload, so counting never depends on how the protocol numbers its messages.
 * <p>
 * A broadcast is open from {@link #begin} until {@link #close}; deliveries and payload messages seen after it is
 * closed are counted as late and not attributed.
 */
final class Broadcasts
{
    private int count;
    private int[] author = new int[64];
    private long[] start = new long[64];
    private int[] expected = new int[64];
    private int[] deliveredExpected = new int[64];
    private int[] deliveries = new int[64];
    private int[] promptDelivered = new int[64];
    private long[] lastDelivery = new long[64];
    private long[] payloadMessages = new long[64];
    private int[] maxHops = new int[64];
    private long[][] expectedBits = new long[64][];
    private long[][] seenBits = new long[64][];

    private long pendingExpected;
    private long promptNanos = Long.MAX_VALUE;
    private LatencyHistogram latency;

    long duplicateDeliveries;
    long selfDeliveries;
    long lateDeliveries;
    long latePayloadMessages;
    long unknownPayloads;

    /** Number of broadcasts started so far; the next one gets this number. */
    int count()
    {
        return count;
    }

    /** Expected deliveries not yet seen, over all open broadcasts. */
    long pendingExpected()
    {
        return pendingExpected;
    }

    /** Deliveries within this time of their broadcast also count as prompt (see {@link #promptDelivered}). */
    void promptNanos(final long nanos)
    {
        promptNanos = nanos;
    }

    /** Where delivery latencies (microseconds) are recorded; null to record nothing. */
    void latencyTarget(final LatencyHistogram histogram)
    {
        latency = histogram;
    }

    /**
     * Starts broadcast number {@link #count()}: {@code liveBits} (copied) marks the nodes expected to deliver it;
     * the author is removed from it.
     */
    int begin(final int authorNode, final long time, final long[] liveBits, final int nodeCount)
    {
        if (count == author.length)
        {
            grow();
        }
        final int id = count++;
        final long[] bits = Arrays.copyOf(liveBits, (nodeCount + 63) >>> 6);
        bits[authorNode >>> 6] &= ~(1L << authorNode);
        int n = 0;
        for (final long word : bits)
        {
            n += Long.bitCount(word);
        }
        author[id] = authorNode;
        start[id] = time;
        expected[id] = n;
        expectedBits[id] = bits;
        seenBits[id] = new long[bits.length];
        pendingExpected += n;
        return id;
    }

    /** A Gossip carrying broadcast {@code id} was sent. */
    void onPayloadSent(final long id)
    {
        if (id < 0 || id >= count)
        {
            unknownPayloads++;
        }
        else if (seenBits[(int)id] == null)
        {
            latePayloadMessages++;
        }
        else
        {
            payloadMessages[(int)id]++;
        }
    }

    /** Node {@code node} delivered broadcast {@code id} at {@code time}, {@code hops} hops from its author. */
    void onDelivered(final long id, final int node, final int hops, final long time)
    {
        if (id < 0 || id >= count)
        {
            unknownPayloads++;
            return;
        }
        final int b = (int)id;
        if (node == author[b])
        {
            selfDeliveries++;
            return;
        }
        final long[] seen = seenBits[b];
        if (seen == null)
        {
            lateDeliveries++;
            return;
        }
        final int word = node >>> 6;
        final long mask = 1L << node;
        if (word < seen.length && (seen[word] & mask) != 0)
        {
            duplicateDeliveries++;
            return;
        }
        if (word < seen.length)
        {
            seen[word] |= mask;
            if ((expectedBits[b][word] & mask) != 0)
            {
                deliveredExpected[b]++;
                pendingExpected--;
                lastDelivery[b] = time;
                if (time - start[b] <= promptNanos)
                {
                    promptDelivered[b]++;
                }
            }
        }
        deliveries[b]++;
        if (hops > maxHops[b])
        {
            maxHops[b] = hops;
        }
        if (latency != null)
        {
            latency.record((time - start[b]) / 1_000);
        }
    }

    /** Stops attributing to broadcast {@code id} and frees its per-node bits. */
    void close(final int id)
    {
        if (seenBits[id] != null)
        {
            pendingExpected -= expected[id] - deliveredExpected[id];
            seenBits[id] = null;
            expectedBits[id] = null;
        }
    }

    int author(final int id)
    {
        return author[id];
    }

    long start(final int id)
    {
        return start[id];
    }

    int expected(final int id)
    {
        return expected[id];
    }

    int deliveredExpected(final int id)
    {
        return deliveredExpected[id];
    }

    /** Expected deliveries that happened within the prompt time. */
    int promptDelivered(final int id)
    {
        return promptDelivered[id];
    }

    /** Time of the last expected delivery; the start when there was none. */
    long lastDelivery(final int id)
    {
        return Math.max(lastDelivery[id], start[id]);
    }

    int deliveries(final int id)
    {
        return deliveries[id];
    }

    long payloadMessages(final int id)
    {
        return payloadMessages[id];
    }

    int maxHops(final int id)
    {
        return maxHops[id];
    }

    private void grow()
    {
        final int n = author.length << 1;
        author = Arrays.copyOf(author, n);
        start = Arrays.copyOf(start, n);
        expected = Arrays.copyOf(expected, n);
        deliveredExpected = Arrays.copyOf(deliveredExpected, n);
        deliveries = Arrays.copyOf(deliveries, n);
        promptDelivered = Arrays.copyOf(promptDelivered, n);
        lastDelivery = Arrays.copyOf(lastDelivery, n);
        payloadMessages = Arrays.copyOf(payloadMessages, n);
        maxHops = Arrays.copyOf(maxHops, n);
        expectedBits = Arrays.copyOf(expectedBits, n);
        seenBits = Arrays.copyOf(seenBits, n);
    }
}
