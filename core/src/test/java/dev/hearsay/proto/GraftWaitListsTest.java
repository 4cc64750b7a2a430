package dev.hearsay.proto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class GraftWaitListsTest
{
    @Test
    void eachSlotIsAFifoOfItsOwn()
    {
        final GraftWaitLists lists = new GraftWaitLists(3, 1_000, false);
        lists.add(0, 5);
        lists.add(1, 7);
        lists.add(0, 900);
        lists.add(0, 2);
        assertEquals(4, lists.size());
        assertTrue(lists.isEmpty(2));
        assertEquals(5, lists.poll(0));
        assertEquals(900, lists.poll(0));
        assertEquals(7, lists.poll(1));
        assertEquals(2, lists.poll(0));
        assertEquals(-1, lists.poll(0));
        assertEquals(0, lists.size());
    }

    @Test
    void aForgottenEntryLeavesItsListWhereverItIs()
    {
        final GraftWaitLists lists = new GraftWaitLists(2, 64, false);
        for (int e = 0; e < 5; e++)
        {
            lists.add(1, e);
        }
        lists.remove(2); // middle
        lists.remove(0); // head
        lists.remove(4); // tail
        lists.remove(4); // not on a list any more: nothing happens
        lists.remove(40); // never was
        assertEquals(2, lists.size());
        assertFalse(lists.contains(2));
        assertTrue(lists.contains(3));
        // The entry can wait again, on another slot.
        lists.add(0, 2);
        assertEquals(1, lists.poll(1));
        assertEquals(3, lists.poll(1));
        assertTrue(lists.isEmpty(1));
        assertEquals(2, lists.poll(0));
    }

    @Test
    void growsToTheTableBoundAndNoFurther()
    {
        final GraftWaitLists lists = new GraftWaitLists(1, 5_000, false);
        for (int e = 4_999; e >= 0; e -= 7)
        {
            lists.add(0, e);
        }
        assertEquals(715, lists.size());
        assertEquals(4_999, lists.poll(0));
        assertThrows(IllegalArgumentException.class, () -> lists.add(0, 5_000));
        assertThrows(IllegalArgumentException.class, () -> lists.add(0, -1));
        assertThrows(IllegalStateException.class, () -> lists.add(0, 4_992), "already waiting");
        lists.clear();
        assertEquals(0, lists.size());
        assertTrue(lists.isEmpty(0));
        assertFalse(lists.contains(4_992));
        final GraftWaitLists preallocated = new GraftWaitLists(1, 100, true);
        preallocated.add(0, 99);
        assertEquals(99, preallocated.poll(0));
    }
}
