package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class FailedContactsTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;

    private static NodeId peer(final int i)
    {
        final byte[] key = new byte[32];
        key[0] = (byte)i;
        key[1] = (byte)(i >>> 8);
        key[31] = 0x5A;
        return NodeId.fromBytes(key);
    }

    private static FailedContacts contacts(final int capacity)
    {
        return new FailedContacts(capacity, 10 * MINUTE, SECOND, new SplittableRandom(7));
    }

    @Test
    void whenFullTheOldestFailureIsForgotten()
    {
        final FailedContacts failed = contacts(4);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(failed.add(peer(i), i * SECOND));
            assertTrue(failed.size() <= 4);
        }
        assertEquals(4, failed.size());
        for (int i = 0; i < 6; i++)
        {
            assertFalse(failed.contains(peer(i)), "contact " + i);
        }
        for (int i = 6; i < 10; i++)
        {
            assertTrue(failed.contains(peer(i)), "contact " + i);
        }
    }

    @Test
    void failingAgainKeepsTheFirstFailureTime()
    {
        final FailedContacts failed = new FailedContacts(4, MINUTE, SECOND, new SplittableRandom(7));
        assertTrue(failed.add(peer(1), 0));
        assertFalse(failed.add(peer(1), 50 * SECOND), "already kept");
        failed.expire(MINUTE);
        assertFalse(failed.contains(peer(1)), "retention runs from the first failure");
    }

    @Test
    void aContactIsDroppedAfterItsRetention()
    {
        final FailedContacts failed = new FailedContacts(4, MINUTE, SECOND, new SplittableRandom(7));
        failed.add(peer(1), 0);
        failed.add(peer(2), 30 * SECOND);
        failed.expire(MINUTE - 1);
        assertEquals(2, failed.size());
        assertNull(failed.takeDue(MINUTE + 30 * SECOND), "both past their retention");
        assertTrue(failed.isEmpty());
        assertEquals(Long.MAX_VALUE, failed.nextDue());
    }

    @Test
    void theWaitBetweenProbesDoublesUpToItsBound()
    {
        final FailedContacts failed = contacts(4);
        failed.add(peer(1), 0);
        final long first = failed.nextDue();
        assertTrue(first >= SECOND / 2 && first < 3 * SECOND / 2, "first probe about one interval on: " + first);
        final List<Long> waits = new ArrayList<>();
        long now = first;
        for (int i = 0; i < 12; i++)
        {
            assertEquals(peer(1), failed.takeDue(now));
            assertNull(failed.takeDue(now), "not due twice");
            final long next = failed.nextDue();
            waits.add(next - now);
            now = next;
        }
        final long bound = FailedContacts.MAX_WAIT_INTERVALS * SECOND;
        for (int i = 0; i < waits.size(); i++)
        {
            final long nominal = Math.min(SECOND << (i + 1), bound);
            final long wait = waits.get(i);
            assertTrue(wait >= nominal / 2 && wait < nominal * 3 / 2, "wait " + i + ": " + wait + " for " + nominal);
        }
    }

    @Test
    void removeSaysWhenTheContactFailed()
    {
        final FailedContacts failed = contacts(4);
        failed.add(peer(1), 5 * SECOND);
        failed.add(peer(2), 7 * SECOND);
        failed.takeDue(failed.nextDue());
        assertEquals(FailedContacts.NOT_KEPT, failed.remove(peer(3)));
        assertEquals(7 * SECOND, failed.remove(peer(2)));
        assertEquals(5 * SECOND, failed.remove(peer(1)));
        assertEquals(FailedContacts.NOT_KEPT, failed.remove(peer(1)));
        assertTrue(failed.isEmpty());
    }

    @Test
    void twoRefusalsInARowForgetAContactAndSilenceInBetweenStartsTheCountAgain()
    {
        final FailedContacts failed = contacts(4);
        failed.add(peer(1), 0);
        failed.add(peer(2), 0);
        assertFalse(failed.refused(peer(1)));
        assertTrue(failed.refused(peer(1)), "second refusal in a row");
        assertFalse(failed.contains(peer(1)));
        assertFalse(failed.refused(peer(2)));
        failed.unanswered(peer(2));
        assertFalse(failed.refused(peer(2)), "the silence in between started the count again");
        assertTrue(failed.contains(peer(2)));
        assertFalse(failed.refused(peer(3)), "not kept");
    }

    @Test
    void dueContactsAreTakenEarliestFirst()
    {
        final FailedContacts failed = contacts(8);
        for (int i = 0; i < 8; i++)
        {
            failed.add(peer(i), i * 10 * SECOND);
        }
        assertEquals(peer(0), failed.takeDue(2 * MINUTE));
        assertEquals(peer(1), failed.takeDue(2 * MINUTE));
    }

    @Test
    void zeroCapacityKeepsNothing()
    {
        final FailedContacts failed = contacts(0);
        assertFalse(failed.add(peer(1), 0));
        assertTrue(failed.isEmpty());
        assertNull(failed.takeDue(MINUTE));
        assertEquals(Long.MAX_VALUE, failed.nextDue());
    }
}
