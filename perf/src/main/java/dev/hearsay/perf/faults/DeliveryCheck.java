package dev.hearsay.perf.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Who should have delivered what, and who did. A node is an expected receiver of a message when it was ready
 * before the broadcast was issued and stayed up until {@code settle} after it (it was up for the message's whole
 * lifetime), and it is not the author; the message counts only if its author stayed up for a second after it (a
 * message whose author died at once may never have left it). Delivered means the child printed its {@code recv}
 * line.
 */
public final class DeliveryCheck
{
    /** How long an author must stay up after its broadcast for the message to count. */
    public static final long AUTHOR_UP_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final long expected;
    private final long delivered;
    private final long duplicates;
    private final long messages;
    private final long skippedAuthorDied;
    private final List<String> missing;
    private final long[] latenciesNanos;

    private DeliveryCheck(final long expected, final long delivered, final long duplicates, final long messages,
        final long skippedAuthorDied, final List<String> missing, final long[] latenciesNanos)
    {
        this.expected = expected;
        this.delivered = delivered;
        this.duplicates = duplicates;
        this.messages = messages;
        this.skippedAuthorDied = skippedAuthorDied;
        this.missing = missing;
        this.latenciesNanos = latenciesNanos;
    }

    /** Counts the deliveries of {@code broadcasts} at {@code nodes} right now. */
    public static DeliveryCheck of(final Collection<ProcessCluster.Broadcast> broadcasts,
        final Collection<NodeProcess> nodes, final long settleNanos)
    {
        long expected = 0;
        long delivered = 0;
        long duplicates = 0;
        long messages = 0;
        long skipped = 0;
        final List<String> missing = new ArrayList<>();
        final long[] latencies = new long[16];
        long[] lat = latencies;
        int count = 0;
        for (final ProcessCluster.Broadcast b : broadcasts)
        {
            final long t = b.issuedNanos();
            if (!upThrough(b.author(), t, Math.min(settleNanos, AUTHOR_UP_NANOS)))
            {
                skipped++;
                continue;
            }
            messages++;
            for (final NodeProcess n : nodes)
            {
                if (n == b.author() || !upThrough(n, t, settleNanos))
                {
                    continue;
                }
                expected++;
                final int times = n.deliveryCount(b.text());
                if (times > 0)
                {
                    delivered++;
                    duplicates += times - 1;
                    final Long at = n.deliveredAt(b.text());
                    if (count == lat.length)
                    {
                        lat = Arrays.copyOf(lat, count * 2);
                    }
                    lat[count++] = at - t;
                }
                else if (missing.size() < 20)
                {
                    missing.add(b.text() + " at " + n);
                }
            }
        }
        final long[] sorted = Arrays.copyOf(lat, count);
        Arrays.sort(sorted);
        return new DeliveryCheck(expected, delivered, duplicates, messages, skipped, missing, sorted);
    }

    /** The two checks as one (counts added, latencies pooled). */
    public static DeliveryCheck merge(final DeliveryCheck a, final DeliveryCheck b)
    {
        final List<String> missing = new ArrayList<>(a.missing);
        missing.addAll(b.missing);
        final long[] lat = Arrays.copyOf(a.latenciesNanos, a.latenciesNanos.length + b.latenciesNanos.length);
        System.arraycopy(b.latenciesNanos, 0, lat, a.latenciesNanos.length, b.latenciesNanos.length);
        Arrays.sort(lat);
        return new DeliveryCheck(a.expected + b.expected, a.delivered + b.delivered, a.duplicates + b.duplicates,
            a.messages + b.messages, a.skippedAuthorDied + b.skippedAuthorDied,
            missing.subList(0, Math.min(20, missing.size())), lat);
    }

    private static boolean upThrough(final NodeProcess n, final long issued, final long settle)
    {
        final long ready = n.readyNanos();
        if (ready == 0 || ready - issued > 0)
        {
            return false;
        }
        final long down = n.downSinceNanos();
        return down == 0 || down - (issued + settle) > 0;
    }

    /** True when every expected delivery happened. */
    public boolean complete()
    {
        return delivered == expected;
    }

    public long expected()
    {
        return expected;
    }

    public long delivered()
    {
        return delivered;
    }

    /** Deliveries beyond the first of a message at a node: the protocol promises none. */
    public long duplicates()
    {
        return duplicates;
    }

    /** Messages checked. */
    public long messages()
    {
        return messages;
    }

    /** Messages not checked because their author went down within the settle time. */
    public long skippedAuthorDied()
    {
        return skippedAuthorDied;
    }

    /** Up to 20 missing (message, node) pairs. */
    public List<String> missing()
    {
        return missing;
    }

    /** Delivered / expected (1 when nothing was expected). */
    public double reliability()
    {
        return expected == 0 ? 1.0 : (double)delivered / expected;
    }

    /** Latency percentile in milliseconds, from the issue of the command to the delivery line (0 if none). */
    public double latencyMs(final double percentile)
    {
        if (latenciesNanos.length == 0)
        {
            return 0;
        }
        final int i = (int)Math.min(latenciesNanos.length - 1,
            Math.ceil(percentile / 100.0 * latenciesNanos.length) - 1);
        return latenciesNanos[Math.max(0, i)] / 1e6;
    }

    @Override
    public String toString()
    {
        return String.format(java.util.Locale.ROOT,
            "%d messages, %d/%d deliveries (%.4f%%), %d duplicates, latency p50 %.1f ms p99 %.1f ms max %.1f ms%s%s",
            messages, delivered, expected, 100.0 * reliability(), duplicates, latencyMs(50), latencyMs(99),
            latencyMs(100), skippedAuthorDied > 0 ? ", " + skippedAuthorDied + " skipped (author went down)" : "",
            missing.isEmpty() ? "" : ", missing e.g. " + missing);
    }
}
