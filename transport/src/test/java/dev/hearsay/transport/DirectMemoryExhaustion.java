package dev.hearsay.transport;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Run in a JVM of its own with a small {@code -XX:MaxDirectMemorySize}: grows outbound queues until direct memory
 * refuses one, and prints {@code queues=N refused=R longestOfferNanos=T}. {@link OutboundQueueTest} starts it.
 */
public final class DirectMemoryExhaustion
{
    private DirectMemoryExhaustion()
    {
    }

    public static void main(final String[] args)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[16 * 1024]);
        final List<OutboundQueue> queues = new ArrayList<>();
        long longest = 0;
        int refused = 0;
        for (int q = 0; q < 1_000 && refused < 20; q++)
        {
            final OutboundQueue queue = new OutboundQueue(4 << 20);
            queues.add(queue);
            // Nobody drains: each queue grows to its 4 MiB bound, then is full.
            for (int i = 0; i < 400; i++)
            {
                final long start = System.nanoTime();
                final boolean taken = queue.offer(frame, 0, frame.capacity());
                longest = Math.max(longest, System.nanoTime() - start);
                if (!taken)
                {
                    if (queue.allocationFailed())
                    {
                        refused++;
                    }
                    break;
                }
            }
        }
        System.out.println("queues=" + queues.size() + " refused=" + refused + " longestOfferNanos=" + longest);
    }
}
