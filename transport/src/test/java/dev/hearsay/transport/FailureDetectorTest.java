package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The detector's decisions on a scripted clock: heartbeats on idle links, convictions after silence, and none for a stall of its own. */
@Timeout(10)
class FailureDetectorTest
{
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT = 2_000 * MS;

    /** A connection whose clock readings and state the test sets. */
    private static final class Scripted implements FailureDetector.Connection
    {
        long heard;
        long sent;
        boolean stopped;
        boolean open = true;
        int heartbeats;
        int convictions;
        long silentAtConviction;

        Scripted(final long now)
        {
            heard = now;
            sent = now;
        }

        @Override
        public long lastHeardNanos()
        {
            return heard;
        }

        @Override
        public long lastSentNanos()
        {
            return sent;
        }

        @Override
        public boolean readsStopped()
        {
            return stopped;
        }

        @Override
        public boolean canSend()
        {
            return open;
        }

        @Override
        public void sendHeartbeat()
        {
            heartbeats++;
        }

        @Override
        public void convict(final long silentNanos)
        {
            convictions++;
            silentAtConviction = silentNanos;
        }

        @Override
        public boolean convicted()
        {
            return convictions > 0;
        }
    }

    private final List<Scripted> connections = new ArrayList<>();
    private final FailureDetector detector =
        new FailureDetector(() -> connections.toArray(new FailureDetector.Connection[0]), TIMEOUT);

    /** Scans every tick from {@code from} (exclusive) to {@code to} (inclusive), as the event loop would. */
    private int scanTicks(final long from, final long to)
    {
        int convicted = 0;
        for (long t = from + detector.tickNanos(); t <= to; t += detector.tickNanos())
        {
            convicted += detector.scan(t);
        }
        return convicted;
    }

    @Test
    void derivedIntervalsFollowTheTimeout()
    {
        assertEquals(TIMEOUT / 4, detector.heartbeatIntervalNanos());
        assertEquals(TIMEOUT / 8, detector.tickNanos());
        assertThrows(IllegalArgumentException.class, () -> new FailureDetector(() -> null, 0));
    }

    @Test
    void silentPeerIsConvictedOnceAtTheFirstScanPastTheTimeout()
    {
        final long t0 = 0;
        detector.scan(t0);
        final Scripted silent = new Scripted(t0);
        connections.add(silent);
        // One tick before the timeout: not yet.
        assertEquals(0, scanTicks(t0, t0 + TIMEOUT - detector.tickNanos()));
        assertEquals(0, silent.convictions);
        assertEquals(1, detector.scan(t0 + TIMEOUT));
        assertEquals(1, silent.convictions);
        assertEquals(TIMEOUT, silent.silentAtConviction);
        // Later scans leave a convicted connection alone (its close is under way).
        assertEquals(0, scanTicks(t0 + TIMEOUT, t0 + 2 * TIMEOUT));
        assertEquals(1, silent.convictions);
    }

    @Test
    void anyFrameKeepsAPeerAlive()
    {
        detector.scan(0);
        final Scripted talking = new Scripted(0);
        connections.add(talking);
        for (long t = detector.tickNanos(); t <= 10 * TIMEOUT; t += detector.tickNanos())
        {
            assertEquals(0, detector.scan(t));
            talking.heard = t - TIMEOUT / 2; // always heard within the last half timeout
        }
        assertEquals(0, talking.convictions);
    }

    @Test
    void idleLinksGetAHeartbeatEveryIntervalAndBusyOnesNone()
    {
        detector.scan(0);
        final Scripted idle = new Scripted(0);
        final Scripted busy = new Scripted(0);
        connections.add(idle);
        connections.add(busy);
        for (long t = detector.tickNanos(); t <= TIMEOUT; t += detector.tickNanos())
        {
            idle.heard = t;
            busy.heard = t;
            busy.sent = t;
            final int before = idle.heartbeats;
            detector.scan(t);
            if (idle.heartbeats > before)
            {
                assertTrue(t - idle.sent >= detector.heartbeatIntervalNanos(), "heartbeat only after an idle interval");
                idle.sent = t; // the event loop wrote it
            }
        }
        // 8 ticks over one timeout, a heartbeat every second tick (the interval is two ticks).
        assertEquals(4, idle.heartbeats);
        assertEquals(0, busy.heartbeats);

        idle.open = false;
        scanTicks(TIMEOUT, TIMEOUT + detector.heartbeatIntervalNanos() * 2);
        assertEquals(4, idle.heartbeats, "no heartbeat on a connection that cannot send");
    }

    @Test
    void peerWhoseReadsWeHoldIsNotHeldToItsSilence()
    {
        detector.scan(0);
        final Scripted held = new Scripted(0);
        held.stopped = true;
        connections.add(held);
        assertEquals(0, scanTicks(0, 5 * TIMEOUT));
        // Reading again: its silence counts from now, not from its last read.
        held.stopped = false;
        held.heard = 5 * TIMEOUT - TIMEOUT / 4;
        assertEquals(0, scanTicks(5 * TIMEOUT, 6 * TIMEOUT - TIMEOUT / 2));
        assertEquals(1, scanTicks(6 * TIMEOUT - TIMEOUT / 2, 6 * TIMEOUT));
    }

    @Test
    void aStallOfThisNodeConvictsNobody()
    {
        detector.scan(0);
        final Scripted peer = new Scripted(0);
        connections.add(peer);
        scanTicks(0, TIMEOUT / 2);
        // This process stops for 10 timeouts (SIGSTOP, a long GC): its next scan comes late, and what the peer sent
        // meanwhile is still unread.
        final long resumed = TIMEOUT / 2 + 10 * TIMEOUT;
        assertEquals(0, detector.scan(resumed));
        assertEquals(1, detector.stalls());
        // Silent for a whole timeout after the stall: then it is the peer.
        assertEquals(0, scanTicks(resumed, resumed + TIMEOUT - detector.tickNanos()));
        assertEquals(1, detector.scan(resumed + TIMEOUT));
    }

    @Test
    void lateScansShorterThanHalfTheTimeoutAreNotStalls()
    {
        detector.scan(0);
        final Scripted peer = new Scripted(0);
        connections.add(peer);
        // The loop runs each scan a little late (a busy event loop): silence still convicts at the timeout.
        long t = 0;
        int convicted = 0;
        while (convicted == 0)
        {
            t += TIMEOUT / 2 - MS;
            convicted = detector.scan(t);
        }
        assertEquals(0, detector.stalls());
        assertTrue(t >= TIMEOUT && t < TIMEOUT + TIMEOUT / 2, "convicted at " + t / MS + " ms");
    }
}
