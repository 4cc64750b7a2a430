package dev.hearsay.engine;

import dev.hearsay.NodeId;
import dev.hearsay.SubscriptionOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-author FIFO orderer driven directly, with explicit time: order, gaps, late, overflow, epochs. */
@Timeout(30)
final class FifoOrdererTest
{
    private static final long MS = 1_000_000L;
    private static final NodeId A = EngineTestSupport.key(1).id();
    private static final NodeId B = EngineTestSupport.key(2).id();
    private static final NodeId C = EngineTestSupport.key(3).id();

    /** Records what the orderer emits as short strings: "A1" delivered, "gap A 2-3", "late". */
    private static final class Recorder implements FifoOrderer.Output
    {
        final List<String> events = new ArrayList<>();
        final Map<String, Long> deliveredAt = new HashMap<>();
        long now;
        int overflows;

        @Override
        public void inOrder(final EngineSubscription subscription, final NodeId author, final NodeId from,
            final int hops, final DirectBuffer payload, final int offset, final int length)
        {
            final String text = name(author) + payload.getStringWithoutLengthAscii(offset, length);
            events.add(text);
            deliveredAt.put(text, now);
        }

        @Override
        public void gap(final EngineSubscription subscription, final NodeId author, final int epoch,
            final long fromSequence, final long toSequence, final boolean overflow)
        {
            events.add("gap " + name(author) + " " + fromSequence + "-" + toSequence + (epoch != 1 ? " e" + epoch : ""));
            overflows += overflow ? 1 : 0;
        }

        @Override
        public void late(final EngineSubscription subscription)
        {
            events.add("late");
        }

        List<String> take()
        {
            final List<String> out = new ArrayList<>(events);
            events.clear();
            return out;
        }
    }

    private static String name(final NodeId id)
    {
        return id.equals(A) ? "A" : id.equals(B) ? "B" : id.equals(C) ? "C" : id.shortString();
    }

    private final Recorder out = new Recorder();

    private FifoOrderer orderer(final int capacity, final int maxAuthors)
    {
        return new FifoOrderer(null, SubscriptionOptions.perAuthorFifo().withGapTimeout(Duration.ofMillis(100))
            .withReorderCapacity(capacity).withMaxAuthors(maxAuthors), out, 4096);
    }

    private void send(final FifoOrderer f, final NodeId author, final int epoch, final long seq, final long nowMs)
    {
        out.now = nowMs;
        final byte[] text = Long.toString(seq).getBytes();
        f.onMessage(author, epoch, seq, author, 0, new UnsafeBuffer(text), 0, text.length, nowMs * MS);
    }

    private void send(final FifoOrderer f, final NodeId author, final long seq, final long nowMs)
    {
        send(f, author, 1, seq, nowMs);
    }

    private void tick(final FifoOrderer f, final long nowMs)
    {
        out.now = nowMs;
        f.onTimer(nowMs * MS);
    }

    @Test
    void reordersPerAuthorAndPassesInOrderMessagesStraightThrough()
    {
        final FifoOrderer f = orderer(16, 16);
        send(f, A, 1, 0);
        send(f, A, 3, 1);
        send(f, B, 1, 1);
        send(f, A, 2, 2);
        assertEquals(List.of("A1", "B1", "A2", "A3"), out.take());
        assertEquals(0, f.waitingMessages());
    }

    @Test
    void aHoleOpenForTheGapTimeoutIsReportedOnceThenSkipped()
    {
        final FifoOrderer f = orderer(16, 16);
        send(f, A, 1, 0);
        send(f, A, 4, 10);
        send(f, A, 5, 20);
        tick(f, 109);
        assertEquals(List.of("A1"), out.take(), "still within the gap timeout");
        tick(f, 110);
        assertEquals(List.of("gap A 2-3", "A4", "A5"), out.take());
        send(f, A, 2, 120);
        send(f, A, 6, 130);
        assertEquals(List.of("late", "A6"), out.take(), "a message of a reported gap is dropped, order kept");
    }

    @Test
    void noMessageWaitsLongerThanTheGapTimeout()
    {
        final FifoOrderer f = orderer(16, 16);
        send(f, A, 1, 0);
        send(f, A, 7, 0);
        send(f, A, 5, 90);
        tick(f, 100);
        // 7 has waited 100 ms: both holes in front of it go, although 5 has waited only 10 ms.
        assertEquals(List.of("A1", "gap A 2-4", "A5", "gap A 6-6", "A7"), out.take());
    }

    @Test
    void theFirstMessageOfAnAuthorIsExpectedToBeNumberOne()
    {
        final FifoOrderer f = orderer(16, 16);
        send(f, A, 1000, 0);
        send(f, A, 1001, 1);
        assertEquals(List.of(), out.take());
        tick(f, 100);
        assertEquals(List.of("gap A 1-999", "A1000", "A1001"), out.take());
    }

    @Test
    void aNewEpochFlushesTheOldOneAndEarlierEpochsAreLate()
    {
        final FifoOrderer f = orderer(16, 16);
        send(f, A, 5, 1, 0);
        send(f, A, 5, 3, 1);
        send(f, A, 6, 2, 2);
        // Epoch 6 starts: epoch 5's waiting 3 goes first, its hole reported; epoch 6's 2 waits for its 1.
        assertEquals(List.of("A1", "gap A 2-2 e5", "A3"), out.take());
        send(f, A, 6, 1, 3);
        send(f, A, 5, 4, 4);
        send(f, A, 6, 3, 5);
        assertEquals(List.of("A1", "A2", "late", "A3"), out.take());
    }

    @Test
    void epochsAreNotOrderedAnEpochNotSeenBeforeIsTheNewLife()
    {
        final FifoOrderer f = orderer(16, 16);
        send(f, A, 900, 1, 0);
        send(f, A, 900, 2, 1);
        // A restart draws a random epoch, here a smaller one: still the new life.
        send(f, A, -7, 1, 2);
        send(f, A, 900, 3, 3);
        send(f, A, 12, 1, 4);
        send(f, A, -7, 2, 5);
        send(f, A, 900, 4, 6);
        send(f, A, 12, 2, 7);
        assertEquals(List.of("A1", "A2", "A1", "late", "A1", "late", "late", "A2"), out.take());
    }

    @Test
    void aFullReorderBufferGivesUpTheOldestGap()
    {
        final FifoOrderer f = orderer(3, 16);
        send(f, A, 2, 0);
        send(f, A, 3, 1);
        send(f, B, 3, 2);
        assertEquals(3, f.waitingMessages());
        send(f, B, 2, 3);
        // A's gap is the oldest: given up to make room; B's messages are still ordered.
        assertEquals(List.of("gap A 1-1", "A2", "A3"), out.take());
        assertEquals(1, out.overflows);
        send(f, B, 1, 4);
        assertEquals(List.of("B1", "B2", "B3"), out.take());
        assertEquals(0, f.waitingMessages());
    }

    @Test
    void beyondMaxAuthorsTheIdlestIsForgotten()
    {
        final FifoOrderer f = orderer(16, 2);
        send(f, A, 1, 0);
        send(f, B, 1, 1);
        send(f, C, 1, 2);
        assertEquals(2, f.authors());
        send(f, B, 2, 3);
        send(f, A, 2, 4);
        assertEquals(List.of("A1", "B1", "C1", "B2"), out.take(), "A was forgotten: its 2 waits for 1");
        tick(f, 104);
        assertEquals(List.of("gap A 1-1", "A2"), out.take());
    }

    /**
     * Random arrival orders with losses, duplicates of nothing, three authors, time moving in small steps: per
     * author every sequence is accounted for exactly once (delivered, or inside one reported gap, and then dropped
     * as late if it shows up), deliveries are increasing, and nothing waits longer than the gap timeout.
     */
    @Test
    void randomArrivalOrdersKeepEveryInvariant()
    {
        int totalGaps = 0;
        int totalLate = 0;
        int totalOverflows = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            final Random random = new Random(seed);
            final Recorder rec = new Recorder();
            final int capacity = 1 + random.nextInt(40);
            final FifoOrderer f = new FifoOrderer(null, SubscriptionOptions.perAuthorFifo()
                .withGapTimeout(Duration.ofMillis(100)).withReorderCapacity(capacity), rec, 4096);
            final NodeId[] authors = {A, B, C};
            final List<long[]> arrivals = new ArrayList<>(); // author index, sequence
            final int perAuthor = 60;
            for (int a = 0; a < authors.length; a++)
            {
                for (int s = 1; s <= perAuthor; s++)
                {
                    if (random.nextInt(10) != 0)
                    {
                        // Third field: the sort key, the sequence displaced by a few places.
                        arrivals.add(new long[]{a, s, s * 4L + random.nextInt(30)});
                    }
                }
            }
            // Mostly in order with local displacement, as on a gossip overlay.
            Collections.shuffle(arrivals, random);
            arrivals.sort((x, y) -> Long.compare(x[2], y[2]));
            final Map<String, Long> arrivedAt = new HashMap<>();
            long nowMs = 0;
            for (final long[] m : arrivals)
            {
                nowMs += random.nextInt(4);
                rec.now = nowMs;
                f.onTimer(nowMs * MS);
                final String name = name(authors[(int)m[0]]) + m[1];
                arrivedAt.put(name, nowMs);
                final byte[] text = Long.toString(m[1]).getBytes();
                f.onMessage(authors[(int)m[0]], 1, m[1], authors[(int)m[0]], 0, new UnsafeBuffer(text), 0,
                    text.length, nowMs * MS);
            }
            for (int i = 0; i < 200; i++)
            {
                nowMs += 1;
                rec.now = nowMs;
                f.onTimer(nowMs * MS);
            }
            assertEquals(0, f.waitingMessages(), "seed " + seed);
            final Map<String, long[]> position = new HashMap<>();
            int late = 0;
            for (final String e : rec.events)
            {
                if (e.equals("late"))
                {
                    late++;
                    continue;
                }
                final String author;
                final long from;
                final long to;
                if (e.startsWith("gap "))
                {
                    final String[] parts = e.split(" ");
                    author = parts[1];
                    from = Long.parseLong(parts[2].split("-")[0]);
                    to = Long.parseLong(parts[2].split("-")[1]);
                }
                else
                {
                    author = e.substring(0, 1);
                    from = Long.parseLong(e.substring(1));
                    to = from;
                    final long waited = rec.deliveredAt.get(e) - arrivedAt.get(e);
                    assertTrue(waited <= 100 + 4, "seed " + seed + ": " + e + " waited " + waited + " ms");
                }
                final long[] next = position.computeIfAbsent(author, k -> new long[]{1});
                assertEquals(next[0], from, "seed " + seed + ": " + e + " out of order in " + rec.events);
                assertTrue(to >= from);
                next[0] = to + 1;
            }
            final int delivered = (int)rec.events.stream().filter(e -> !e.equals("late") && !e.startsWith("gap"))
                .count();
            assertEquals(arrivals.size(), delivered + late, "seed " + seed + ": every arrival delivered or late");
            totalLate += late;
            totalOverflows += rec.overflows;
            totalGaps += (int)rec.events.stream().filter(e -> e.startsWith("gap")).count();
        }
        // The runs exercised every path.
        assertTrue(totalGaps > 1000 && totalLate > 100 && totalOverflows > 100,
            "gaps " + totalGaps + ", late " + totalLate + ", overflows " + totalOverflows);
    }
}
