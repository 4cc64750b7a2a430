package dev.hearsay.proto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repair tables double while small, then jump to their bound once, and keep their contents across growth. */
@Timeout(10)
class GrowthTest
{
    @Test
    void doublesWhileSmallThenJumpsToTheBound()
    {
        assertEquals(32, Growth.next(16, 1 << 17));
        assertEquals(Growth.KNEE, Growth.next(Growth.KNEE / 2, 1 << 17));
        assertEquals(1 << 17, Growth.next(Growth.KNEE, 1 << 17), "the knee jumps to the bound");
        assertEquals(65536, Growth.next(Growth.KNEE, 65536));
        assertEquals(1 << 17, Growth.next(1 << 17, 1 << 17), "never past the bound");
    }

    @Test
    void largeBoundsJumpOnlyAsFarAsTheJumpThenDouble()
    {
        assertEquals(Growth.JUMP, Growth.next(Growth.KNEE, 1 << 25));
        assertEquals(2 * Growth.JUMP, Growth.next(Growth.JUMP, 1 << 25));
        assertEquals(1 << 25, Growth.next(1 << 24, 1 << 25));
    }

    @Test
    void smallBoundsStopAtTheirBound()
    {
        assertEquals(48, Growth.next(32, 48));
        assertEquals(32, Growth.next(32, 16), "a length already past a small bound stays");
    }

    @Test
    void aDeadlineQueueJumpsFromTheKneeToItsBoundAndKeepsItsOrder()
    {
        final DeadlineQueue queue = new DeadlineQueue(100_000);
        for (int i = 0; i < Growth.KNEE; i++)
        {
            assertTrue(queue.add(i, i, 0));
        }
        assertEquals(Growth.KNEE, queue.length());
        queue.removeHead(); // wrapped: the copy must keep the order from head to tail
        assertTrue(queue.add(Growth.KNEE, Growth.KNEE, 0));
        assertTrue(queue.add(Growth.KNEE + 1, Growth.KNEE + 1, 0));
        assertEquals(1 << 17, queue.length());
        for (int i = 1; i <= Growth.KNEE + 1; i++)
        {
            assertEquals(i, queue.headDeadline());
            assertEquals(i, queue.headEntry());
            queue.removeHead();
        }
        assertTrue(queue.isEmpty());
    }
}
