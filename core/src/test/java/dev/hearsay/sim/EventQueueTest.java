package dev.hearsay.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class EventQueueTest
{
    @Test
    void pollsInTimeOrderAndTiesInInsertionOrder()
    {
        final EventQueue queue = new EventQueue(4);
        final Random random = new Random(7);
        final List<long[]> added = new ArrayList<>();
        for (int i = 0; i < 10_000; i++)
        {
            final long time = random.nextInt(100);
            queue.add(time, 0, i, 0, 0, null);
            added.add(new long[]{time, i});
        }
        // Interleave: drain half, add more, drain all; the order must be (time, insertion) throughout.
        added.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long lastTime = -1;
        int lastNode = -1;
        for (int i = 0; i < 5_000; i++)
        {
            final int slot = queue.poll();
            assertEquals(added.get(i)[0], queue.time());
            assertEquals(added.get(i)[1], queue.node(slot));
            assertTrue(queue.time() > lastTime || queue.node(slot) > lastNode);
            lastTime = queue.time();
            lastNode = queue.node(slot);
        }
        for (int i = 0; i < 1_000; i++)
        {
            queue.add(200 + i % 3, 1, 100_000 + i, 0, 0, null);
        }
        int count = 5_000;
        long previousTime = -1;
        long previousNode = -1;
        while (!queue.isEmpty())
        {
            final int slot = queue.poll();
            final long time = queue.time();
            final int node = queue.node(slot);
            assertTrue(time > previousTime || (time == previousTime && node > previousNode),
                "order broken at " + time + "/" + node);
            previousTime = time;
            previousNode = node;
            count++;
        }
        assertEquals(11_000, count);
        assertEquals(-1, queue.poll());
        assertEquals(Long.MAX_VALUE, queue.peekTime());
    }

    @Test
    void keepsEventFieldsUntilTheNextOperation()
    {
        final EventQueue queue = new EventQueue(1);
        final Object payload = new Object();
        queue.add(5, 3, 11, 12, 13, payload);
        queue.add(1, 4, 21, 22, 23, null);
        int slot = queue.poll();
        assertEquals(1, queue.time());
        assertEquals(4, queue.kind(slot));
        assertEquals(21, queue.node(slot));
        assertEquals(22, queue.peer(slot));
        assertEquals(23, queue.arg(slot));
        slot = queue.poll();
        assertEquals(5, queue.time());
        assertEquals(3, queue.kind(slot));
        assertEquals(13, queue.arg(slot));
        assertEquals(payload, queue.ref(slot));
        assertEquals(0, queue.size());
    }
}
