package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A coalesced task waits in its executor at most once, and can be asked for again from its own body. */
@Timeout(10)
class CoalescedTaskTest
{
    @Test
    void requestsWhileQueuedCoalesceAndARequestFromTheBodyQueuesItAgain()
    {
        final List<Runnable> queue = new ArrayList<>();
        final int[] runs = {0};
        final CoalescedTask[] task = new CoalescedTask[1];
        task[0] = new CoalescedTask(() ->
        {
            if (++runs[0] == 1)
            {
                task[0].requestOn(queue::add); // asked again while running: must not be lost
            }
        });
        task[0].requestOn(queue::add);
        task[0].requestOn(queue::add);
        assertEquals(1, queue.size(), "two requests while queued: one task");
        queue.remove(0).run();
        assertEquals(1, runs[0]);
        assertEquals(1, queue.size(), "the request made by the body is queued");
        queue.remove(0).run();
        assertEquals(2, runs[0]);
        assertEquals(0, queue.size());
    }
}
