package dev.hearsay.proto;

import dev.hearsay.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IHave runs: which ids extend a run, where runs split, and the limits. */
@Timeout(10)
class IHaveTest
{
    private static NodeId node(final int n)
    {
        final byte[] b = new byte[NodeId.LENGTH];
        b[0] = (byte)n;
        b[31] = 1;
        return NodeId.fromBytes(b);
    }

    @Test
    void consecutiveIdsOfOneStreamMakeOneRun()
    {
        final IHave h = new IHave();
        for (long s = 10; s < 20; s++)
        {
            assertTrue(h.add(node(1), 3, s, 2));
        }
        assertEquals(1, h.size());
        assertEquals(10, h.idCount());
        assertEquals(10, h.firstSequence(0));
        assertEquals(10, h.count(0));
        // An equal author from another instance extends it too.
        assertTrue(h.add(NodeId.fromBytes(node(1).toBytes()), 3, 20, 2));
        assertEquals(1, h.size());
        assertEquals(11, h.count(0));
    }

    @Test
    void anyDifferenceStartsANewRun()
    {
        final IHave h = new IHave();
        h.add(node(1), 3, 10, 2);
        h.add(node(1), 3, 12, 2); // a gap
        h.add(node(1), 4, 13, 2); // another epoch
        h.add(node(1), 3, 13, 5); // another hop count
        h.add(node(2), 3, 13, 2); // another author
        h.add(node(1), 3, 11, 2); // before a run: runs only grow forwards
        assertEquals(6, h.size());
        assertEquals(6, h.idCount());
    }

    @Test
    void interleavedStreamsEachExtendTheirOwnRun()
    {
        final IHave h = new IHave();
        for (long s = 1; s <= 100; s++)
        {
            for (int author = 1; author <= 4; author++)
            {
                h.add(node(author), 1, s, 1);
            }
        }
        assertEquals(4, h.size(), "four authors interleaved: one run each");
        assertEquals(400, h.idCount());
        for (int i = 0; i < 4; i++)
        {
            assertEquals(100, h.count(i));
        }
    }

    @Test
    void aLongRunSplitsAtTheRunLengthAndStopsAtTheIdLimit()
    {
        final IHave h = new IHave();
        assertEquals(IHave.MAX_IDS, h.addRun(node(1), 1, 1, IHave.MAX_IDS + 5, 0), "takes what fits");
        assertEquals(2, h.size());
        assertEquals(IHave.MAX_RUN_LENGTH, h.count(0));
        assertEquals(IHave.MAX_IDS - IHave.MAX_RUN_LENGTH, h.count(1));
        assertEquals(1 + IHave.MAX_RUN_LENGTH, h.firstSequence(1));
        assertTrue(h.isFull());
        assertEquals(0, h.addRun(node(1), 1, 1 + IHave.MAX_IDS, 1, 0));
        assertFalse(h.add(node(2), 1, 1, 0));
        assertEquals(IHave.MAX_IDS, h.idCount());
    }

    @Test
    void runsAreBoundedInNumber()
    {
        final IHave h = new IHave();
        for (int i = 0; i < IHave.MAX_RUNS; i++)
        {
            assertTrue(h.add(node(1), i, 1, 0));
        }
        assertTrue(h.isFull());
        assertFalse(h.add(node(1), -1, 1, 0), "a new run when all are used");
        // An id following one of the latest runs still fits.
        assertTrue(h.add(node(1), IHave.MAX_RUNS - 1, 2, 0));
        assertEquals(IHave.MAX_RUNS + 1, h.idCount());
        // One run left and a long run to add: it takes what the id limit leaves, the rest is refused.
        h.clear();
        for (int i = 0; i < IHave.MAX_RUNS - 1; i++)
        {
            h.add(node(1), i, 1, 0);
        }
        assertEquals(IHave.MAX_IDS - (IHave.MAX_RUNS - 1), h.addRun(node(2), 1, 1, IHave.MAX_RUN_LENGTH + 10, 0));
        assertEquals(IHave.MAX_RUNS, h.size());
    }

    @Test
    void appendRunKeepsRunsAsGiven()
    {
        final IHave h = new IHave();
        assertTrue(h.appendRun(node(1), 1, 1, 5, 0));
        assertTrue(h.appendRun(node(1), 1, 6, 5, 0));
        assertEquals(2, h.size(), "the decoder's runs are not merged");
        assertThrows(IllegalArgumentException.class, () -> h.appendRun(node(1), 1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> h.appendRun(node(1), 1, 1, IHave.MAX_RUN_LENGTH + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> h.appendRun(node(1), 1, Long.MAX_VALUE, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> h.addRun(node(1), 1, Long.MAX_VALUE - 1, 3, 0));
        assertTrue(h.appendRun(node(1), 1, Long.MAX_VALUE - 1, 2, 0), "up to the largest sequence");
        assertEquals(12, h.idCount());
    }

    @Test
    void clearAndCopy()
    {
        final IHave h = new IHave();
        h.addRun(node(1), 1, 7, 9, 3);
        h.add(node(2), 2, 1, 0);
        final IHave c = h.copy();
        h.clear();
        assertEquals(0, h.size());
        assertEquals(0, h.idCount());
        assertEquals(2, c.size());
        assertEquals(10, c.idCount());
        assertEquals(node(2), c.author(1));
        assertEquals(9, c.count(0));
        assertEquals(3, c.hops(0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.count(2));
    }

    @Test
    void idsListedNewestFirstExtendRunsDownwards()
    {
        final IHave h = new IHave();
        for (long s = 100; s >= 1; s--)
        {
            assertTrue(h.addPreceding(node(1), 1, s, 0));
            assertTrue(h.addPreceding(node(2), 1, s, 0));
        }
        assertEquals(2, h.size());
        assertEquals(1, h.firstSequence(0));
        assertEquals(100, h.count(0));
        assertEquals(200, h.idCount());
        // No wrap below the smallest sequence.
        final IHave low = new IHave();
        low.addPreceding(node(1), 1, Long.MIN_VALUE, 0);
        low.addPreceding(node(1), 1, Long.MAX_VALUE, 0);
        assertEquals(2, low.size());
        // Nor above the largest, going up.
        final IHave high = new IHave();
        high.add(node(1), 1, Long.MAX_VALUE, 0);
        high.add(node(1), 1, Long.MIN_VALUE, 0);
        assertEquals(2, high.size());
    }
}
