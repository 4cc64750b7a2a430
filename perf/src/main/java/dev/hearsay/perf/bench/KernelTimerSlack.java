package dev.hearsay.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sets the calling thread's Linux timer slack ({@code /proc/<tid>/timerslack_ns}): how much later than asked the
 * kernel may end a timed wait, so that it can batch wake-ups. The default, 50 us, is most of what a timed park
 * overshoots by on this class of VM, and its tail is long: parks of 30 us on a second thread overshot by p50 57 us,
 * p99 167 us, p99.9 252 us; with a slack of 1 ns by p50 4 us, p99 9 us, p99.9 23 us. A pacer that learns the average
 * overshoot and spins the rest of the way is late by the tail. A thread may set its own slack without privileges.
 * Linux only; elsewhere, or where {@code /proc} refuses, nothing changes.
 */
final class KernelTimerSlack
{
    /** The slack the bench's pacers (publishers, the paced pinger) ask for. */
    static final long PACER_NANOS = 1_000;
    /** Linux's default for a normal thread. */
    static final long LINUX_DEFAULT_NANOS = 50_000;

    private KernelTimerSlack()
    {
    }

    /** Sets the calling thread's timer slack to {@code nanos} (positive); false if it could not be set. */
    static boolean setForCurrentThread(final long nanos)
    {
        if (nanos <= 0)
        {
            throw new IllegalArgumentException("nanos must be positive: " + nanos);
        }
        try
        {
            final Path file = fileOfCurrentThread();
            Files.write(file, Long.toString(nanos).getBytes(StandardCharsets.US_ASCII));
            return Long.parseLong(Files.readString(file).trim()) == nanos;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Whether a thread can set its timer slack here: tried on a short-lived thread, so that no thread of the caller's
     * changes.
     */
    static boolean available()
    {
        final boolean[] set = new boolean[1];
        final Thread probe = new Thread(() -> set[0] = setForCurrentThread(PACER_NANOS), "bench-timer-slack-probe");
        probe.start();
        try
        {
            probe.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        return set[0];
    }

    /** The calling thread's timer slack in nanoseconds, or -1 if unknown. */
    static long ofCurrentThread()
    {
        try
        {
            return Long.parseLong(Files.readString(fileOfCurrentThread()).trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /** {@code /proc/<tid>/timerslack_ns}: the per-task directories under {@code task/} do not carry the file. */
    private static Path fileOfCurrentThread() throws IOException
    {
        final String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        final String tid = self.substring(self.lastIndexOf('/') + 1);
        return Path.of("/proc", tid, "timerslack_ns");
    }
}
