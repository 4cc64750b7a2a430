package dev.hearsay.transport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The growing outbound queue keeps every frame, in order, while a consumer drains it concurrently. */
class OutboundQueueTest
{
    @Test
    @Timeout(60)
    void growsWhileDrainedAndLosesOrReordersNothing() throws Exception
    {
        for (int run = 0; run < 10; run++)
        {
            final OutboundQueue q = new OutboundQueue(1 << 20);
            final int frames = 200_000;
            final AtomicReference<String> failure = new AtomicReference<>();
            final Thread consumer = new Thread(() ->
            {
              try
              {
                final long[] expected = {0};
                while (expected[0] < frames && failure.get() == null)
                {
                    q.read((type, buffer, index, length) ->
                    {
                        final long seq = buffer.getLong(index);
                        if (seq != expected[0] || length < 9 || buffer.getByte(index + length - 1) != (byte)seq)
                        {
                            failure.compareAndSet(null, "frame " + expected[0] + " read as " + seq + " (" + length
                                + " bytes)");
                        }
                        expected[0]++;
                    }, 100);
                }
              }
              catch (final RuntimeException e)
              {
                  failure.compareAndSet(null, e.toString());
              }
            });
            consumer.start();
            final SplittableRandom random = new SplittableRandom(run);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[40_000]);
            for (long seq = 0; seq < frames; seq++)
            {
                // Mostly small frames, now and then one too large for the first ring.
                final int length = random.nextInt(1000) == 0 ? 9_000 + random.nextInt(30_000) : 9 + random.nextInt(300);
                frame.putLong(0, seq);
                frame.putByte(length - 1, (byte)seq);
                while (!q.offer(frame, 0, length))
                {
                    assertFalse(q.allocationFailed());
                    assertNull(failure.get());
                    assertTrue(consumer.isAlive(), "consumer gone");
                    Thread.onSpinWait();
                }
            }
            consumer.join();
            assertNull(failure.get());
            assertEquals(0, q.size());
        }
    }

    @Test
    @Timeout(60)
    void aReaderThatStopsEarlyLosesOrReordersNothingAcrossRings() throws Exception
    {
        // As PeerLink drains: each read takes frames until about 1 KB is taken, leaving the rest queued (ABORT).
        final OutboundQueue q = new OutboundQueue(1 << 20);
        final int frames = 200_000;
        final AtomicReference<String> failure = new AtomicReference<>();
        final Thread consumer = new Thread(() ->
        {
            final long[] expected = {0};
            final int[] taken = {0};
            while (expected[0] < frames && failure.get() == null)
            {
                taken[0] = 0;
                q.read((org.agrona.concurrent.ControlledMessageHandler)(type, buffer, index, length) ->
                {
                    if (taken[0] > 0 && taken[0] + length > 1024)
                    {
                        return org.agrona.concurrent.ControlledMessageHandler.Action.ABORT;
                    }
                    taken[0] += length;
                    if (buffer.getLong(index) != expected[0])
                    {
                        failure.compareAndSet(null, "frame " + expected[0] + " read as " + buffer.getLong(index));
                    }
                    expected[0]++;
                    return org.agrona.concurrent.ControlledMessageHandler.Action.CONTINUE;
                }, 100);
            }
        });
        consumer.start();
        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[40_000]);
        for (long seq = 0; seq < frames; seq++)
        {
            final int length = random.nextInt(1000) == 0 ? 9_000 + random.nextInt(30_000) : 9 + random.nextInt(300);
            frame.putLong(0, seq);
            while (!q.offer(frame, 0, length))
            {
                assertNull(failure.get());
                assertTrue(consumer.isAlive(), "consumer gone");
                Thread.onSpinWait();
            }
        }
        consumer.join();
        assertNull(failure.get());
        assertEquals(0, q.size());
    }

    @Test
    @Timeout(10)
    void refusesAtTheBoundAndStartsSmall()
    {
        final OutboundQueue q = new OutboundQueue(1 << 20);
        assertEquals(0, q.size());
        assertFalse(q.allocated());
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1000]);
        int accepted = 0;
        while (q.offer(frame, 0, 1000))
        {
            accepted++;
        }
        assertTrue(q.allocated());
        // Everything up to about the bound fits (the first rings keep what they hold), then it refuses.
        assertTrue(accepted * 1008L > (1 << 20) * 3L / 4 && accepted * 1008L < (1 << 20) * 3L / 2, "" + accepted);
        assertFalse(q.allocationFailed());
        assertFalse(q.offer(new UnsafeBuffer(new byte[200_000]), 0, 200_000), "larger than an eighth of the bound");
    }

    @Test
    @Timeout(10)
    void aQueueWithoutRoomInDirectMemoryRefusesWithoutAllocating()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[100]);
        final OutboundQueue none = new OutboundQueue(1 << 20, new DirectMemory(0));
        assertFalse(none.offer(frame, 0, 100));
        assertTrue(none.allocationFailed());
        assertFalse(none.allocated());
        final OutboundQueue plenty = new OutboundQueue(1 << 20, new DirectMemory(Long.MAX_VALUE));
        assertTrue(plenty.offer(frame, 0, 100));
        assertFalse(plenty.allocationFailed());
    }

    /**
     * Near the JVM's direct memory limit the JDK's allocateDirect runs a GC and sleeps and retries for about half a
     * second before it gives up; on the dispatcher that would stop the node. The queue refuses first, at once.
     */
    @Test
    @Timeout(60)
    void exhaustedDirectMemoryRefusesAtOnce() throws Exception
    {
        final Process child = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-XX:MaxDirectMemorySize=16m", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), DirectMemoryExhaustion.class.getName())
            .redirectErrorStream(true).start();
        final String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        final java.util.regex.Matcher m = java.util.regex.Pattern
            .compile("queues=(\\d+) refused=(\\d+) longestOfferNanos=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(20, Integer.parseInt(m.group(2)), "direct memory ran out and was refused: " + out);
        assertTrue(Integer.parseInt(m.group(1)) >= 2, "16 MiB held the rings of more than one queue first: " + out);
        // The JDK's own path takes at least 0.5 s of sleeps before refusing; one refusal by the guard takes
        // microseconds (the bound leaves a wide margin for a loaded machine).
        assertTrue(Long.parseLong(m.group(3)) < 250_000_000L, "an offer waited: " + out);
    }
}
