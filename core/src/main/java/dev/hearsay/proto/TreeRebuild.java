package dev.hearsay.proto;

/**
 * Dispatcher thread only (one per topic, owned by its {@link PlumTree}). Decides when a node whose neighbors failed
 * pushes one message over every link, lazy ones included, so that the first copies of that message rebuild the
 * tree around the failure.
 *
 * <p>Why: after many nodes fail at once the tree is patched together while HyParView is still replacing the dead
 * neighbors. Repair copies, grafts and new links deliver the message of the moment, but the tree they leave is
 * deep and slow; PlumTree then grafts its way to the faster paths one level per message, a duplicate per graft,
 * for many messages. A message pushed over every link instead is taken first from the fastest neighbor, and the
 * duplicates from the others prune them back to lazy: one message rebuilds the tree the way a topic's first
 * broadcast builds it. That push pays off only once the replacements are in, so it waits until the overlay has had
 * time to settle: {@link #SETTLE_ROUND_TRIPS} of the slowest of the last {@link #ROUND_TRIP_SAMPLES} neighbor
 * request round trips after the last failure, at least {@link #MIN_SETTLE_NANOS}, and at most that many request
 * timeouts (a reply after its request timed out is no sample). Then the first message that passes through this node
 * goes over every link, once per burst of failures.
 *
 * <p>The cost: each link of a node that lost a neighbor carries one more copy of one message (about two duplicates
 * per node). A node that lost no neighbor never pushes this way.
 */
final class TreeRebuild
{
    /** How many recent neighbor request round trips the settling time is taken from. */
    static final int ROUND_TRIP_SAMPLES = 8;
    /**
     * How many of the slowest recent round trips a node waits after a failure: a replacement costs a request and
     * its answer, and some take two or three tries (a contact that died too, or that is full and refuses).
     */
    static final int SETTLE_ROUND_TRIPS = 4;
    /** The shortest wait, for links faster than this machine's timers (a LAN: a few milliseconds of replacements). */
    static final long MIN_SETTLE_NANOS = 20_000_000L;

    private final long[] roundTrips = new long[ROUND_TRIP_SAMPLES];
    private int nextSample;
    private boolean pending;
    private long lostAt;

    /** A neighbor failed or left at {@code now}: push the first message after the overlay settled. */
    void neighborLost(final long now)
    {
        pending = true;
        lostAt = now;
    }

    /** A neighbor request was answered after {@code nanos}. */
    void roundTrip(final long nanos)
    {
        if (nanos >= 0)
        {
            roundTrips[nextSample] = nanos;
            nextSample = (nextSample + 1) % ROUND_TRIP_SAMPLES;
        }
    }

    /** How long after a failure the push waits, from the round trips seen so far. */
    long settleNanos()
    {
        long slowest = 0;
        for (final long rtt : roundTrips)
        {
            slowest = Math.max(slowest, rtt);
        }
        return Math.max(MIN_SETTLE_NANOS, slowest * SETTLE_ROUND_TRIPS);
    }

    /** True (once per burst of failures) if the message passing through now is to go over every link. */
    boolean takeIfDue(final long now)
    {
        if (pending && now - lostAt >= settleNanos())
        {
            pending = false;
            return true;
        }
        return false;
    }

    /** True while a push waits for the overlay to settle. */
    boolean pending()
    {
        return pending;
    }
}
