package dev.hearsay;

import java.time.Duration;

/**
 * Per-subscription delivery options, given to {@code subscribe(topic, bootstrap, options)}. Immutable; start from
 * {@link #defaults()} (messages handed over in arrival order) or {@link #perAuthorFifo()} and adjust with the
 * {@code with*} methods. Invalid values throw {@link IllegalArgumentException} naming the field.
 * <p>
 * <b>Per-author FIFO.</b> An author numbers its Swarm-scope broadcasts on a topic 1, 2, 3, ... within an epoch (a
 * new epoch per restart). With {@code fifo} on, the dispatcher hands each author's messages to this subscription
 * in that order: a message that arrives early waits in a reorder buffer until the ones before it arrive. A gap that
 * is still open after {@code gapTimeout} is reported once, as {@link GossipEvent.Gap} (author, epoch, missing
 * range), and delivery goes on after it; a missing message that arrives after its gap was reported is dropped
 * (counted), so order is never broken. The first message seen from an author is expected to be number 1: a
 * subscriber that joins while an author is at message 1000 sees a gap 1-999 after {@code gapTimeout}, then its
 * messages. A new epoch of an author first flushes the old one's buffered messages (their holes reported as
 * gaps); messages of an older epoch are dropped as late. Neighbors-scope messages are not ordered.
 * <p>
 * <b>Bounds.</b> At most {@code reorderCapacity} messages wait per subscription. When it is full, the oldest open
 * gap is given up at once (reported as a Gap, counted as an overflow) to make room, so an author who never fills
 * a hole cannot hold everyone else's messages. At most {@code maxAuthors} authors are tracked; beyond it the one
 * idle longest is forgotten, and should it come back its history reads as a gap from 1.
 *
 * <p>
 * <b>Delivery on the dispatcher thread.</b> By default events wait in the subscription's bounded buffer until the
 * application calls {@link Subscription#poll} or {@link Subscription#next}, on a thread of its own that the
 * dispatcher wakes. With a {@code dispatcherHandler}, the node's dispatcher thread calls it with each event as it
 * happens instead (zero-copy: the buffer is valid only during the call), and {@code poll} and {@code next} refuse to
 * run. That saves a thread hand-off per message (a wake-up: tens of microseconds on a loaded machine) and the copy
 * into the buffer, at a price: the handler runs inside the single thread that drives the whole node, so while it
 * runs nothing else happens on this node (no forwarding, no repair, no other topic). It must be quick and must not
 * block. Calls into this node from it never wait for the ring, which only this thread empties: {@code broadcast}
 * returns {@code BACK_PRESSURED} when it is full, {@code close} of a subscription takes effect after the current
 * duty cycle, and {@code subscribe} or {@code joinPeers} throw {@link IllegalStateException} when it is full.
 * Nothing is ever dropped for a slow handler (the node slows down instead), and {@code onLagged} is never called.
 * Whatever it throws is counted ({@code HANDLER_ERRORS}, and not as delivered), logged (the 1st, 2nd, 4th, 8th,
 * ...) and otherwise ignored.
 * <p>
 * <b>A reader that falls behind.</b> The buffer holds {@code subscriptionCapacity} events (a node setting). What
 * happens when it fills is the {@code overflow} policy: {@link OverflowPolicy#LOSSLESS} (the default) holds the
 * node's flow until the reader makes room, and cuts a reader that stays behind for
 * {@code slowSubscriberTimeout} over to dropping; {@link OverflowPolicy#DROP} drops at once. A loss is reported as
 * one {@link GossipEvent.Lagged} right where it happened.
 * <p>
 * <b>Validation.</b> A {@code validator} judges every message of the topic this node receives from a peer before
 * it is delivered or relayed (accept, reject, ignore): it runs on the transport's I/O threads, before the ring, and
 * applies to the node's relaying, so to every subscription of the topic on the node, not only to this one. See
 * {@link MessageValidator} for where it runs, what it may do, and what happens with several on one topic.
 *
 * @param fifo                  deliver each author's messages in sequence order (default false).
 * @param gapTimeout            how long a hole may stay open before it is reported and skipped (default 1 s).
 * @param reorderCapacity       messages held back per subscription while waiting for earlier ones (default 1024).
 * @param maxAuthors            authors whose position is tracked per subscription (default 4096).
 * @param dispatcherHandler     called on the dispatcher thread with every event, in place of poll and next (default
 *                              null: events are buffered for poll and next).
 * @param overflow              what a full buffer does (default {@link OverflowPolicy#LOSSLESS}).
 * @param slowSubscriberTimeout with {@link OverflowPolicy#LOSSLESS}: how long a reader may stay behind, its buffer
 *                              not once empty since it first held the node (stopped, or reading slower than the
 *                              flow), before it is cut over to dropping (default 2 s).
 * @param validator             judges received messages of the topic before they are delivered or relayed, while
 *                              this subscription is open (default null: none).
 */
public record SubscriptionOptions(boolean fifo, Duration gapTimeout, int reorderCapacity, int maxAuthors,
    GossipHandler dispatcherHandler, OverflowPolicy overflow, Duration slowSubscriberTimeout,
    MessageValidator validator)
{
    private static final SubscriptionOptions DEFAULTS = new SubscriptionOptions(false, Duration.ofSeconds(1), 1024,
        4096, null, OverflowPolicy.LOSSLESS, Duration.ofSeconds(2), null);

    /** Options without a validator. */
    public SubscriptionOptions(final boolean fifo, final Duration gapTimeout, final int reorderCapacity,
        final int maxAuthors, final GossipHandler dispatcherHandler, final OverflowPolicy overflow,
        final Duration slowSubscriberTimeout)
    {
        this(fifo, gapTimeout, reorderCapacity, maxAuthors, dispatcherHandler, overflow, slowSubscriberTimeout, null);
    }

    /** Options whose events are buffered for poll and next (no dispatcher handler), lossless. */
    public SubscriptionOptions(final boolean fifo, final Duration gapTimeout, final int reorderCapacity,
        final int maxAuthors)
    {
        this(fifo, gapTimeout, reorderCapacity, maxAuthors, null);
    }

    /** Options with the default overflow policy (lossless, 2 s slow-subscriber timeout). */
    public SubscriptionOptions(final boolean fifo, final Duration gapTimeout, final int reorderCapacity,
        final int maxAuthors, final GossipHandler dispatcherHandler)
    {
        this(fifo, gapTimeout, reorderCapacity, maxAuthors, dispatcherHandler, OverflowPolicy.LOSSLESS,
            Duration.ofSeconds(2));
    }

    /** Validates every field. */
    public SubscriptionOptions
    {
        if (gapTimeout == null || gapTimeout.isNegative() || gapTimeout.isZero()
            || gapTimeout.compareTo(Duration.ofHours(1)) > 0)
        {
            throw new IllegalArgumentException("gapTimeout: " + gapTimeout + " is outside (0, 1 h]");
        }
        if (reorderCapacity < 1 || reorderCapacity > 1 << 20)
        {
            throw new IllegalArgumentException("reorderCapacity: " + reorderCapacity + " is outside [1, 1048576]");
        }
        if (maxAuthors < 1 || maxAuthors > 1 << 20)
        {
            throw new IllegalArgumentException("maxAuthors: " + maxAuthors + " is outside [1, 1048576]");
        }
        if (overflow == null)
        {
            throw new IllegalArgumentException("overflow: null");
        }
        if (slowSubscriberTimeout == null || slowSubscriberTimeout.compareTo(Duration.ofMillis(1)) < 0
            || slowSubscriberTimeout.compareTo(Duration.ofHours(1)) > 0)
        {
            throw new IllegalArgumentException("slowSubscriberTimeout: " + slowSubscriberTimeout
                + " is outside [1 ms, 1 h]");
        }
    }

    /** Arrival order (no FIFO), as {@code subscribe(topic, bootstrap)} gives. */
    public static SubscriptionOptions defaults()
    {
        return DEFAULTS;
    }

    /** Per-author FIFO with the default gap timeout and bounds. */
    public static SubscriptionOptions perAuthorFifo()
    {
        return DEFAULTS.withFifo(true);
    }

    /** Same options with FIFO on or off. */
    public SubscriptionOptions withFifo(final boolean on)
    {
        return new SubscriptionOptions(on, gapTimeout, reorderCapacity, maxAuthors, dispatcherHandler, overflow,
            slowSubscriberTimeout, validator);
    }

    /** Same options with another gap timeout. */
    public SubscriptionOptions withGapTimeout(final Duration timeout)
    {
        return new SubscriptionOptions(fifo, timeout, reorderCapacity, maxAuthors, dispatcherHandler, overflow,
            slowSubscriberTimeout, validator);
    }

    /** Same options with another reorder buffer bound. */
    public SubscriptionOptions withReorderCapacity(final int messages)
    {
        return new SubscriptionOptions(fifo, gapTimeout, messages, maxAuthors, dispatcherHandler, overflow,
            slowSubscriberTimeout, validator);
    }

    /** Same options with another bound on tracked authors. */
    public SubscriptionOptions withMaxAuthors(final int authors)
    {
        return new SubscriptionOptions(fifo, gapTimeout, reorderCapacity, authors, dispatcherHandler, overflow,
            slowSubscriberTimeout, validator);
    }

    /**
     * Same options with events handed to {@code handler} on the dispatcher thread (see the class comment), or
     * buffered for poll and next again when {@code handler} is null.
     */
    public SubscriptionOptions withDispatcherHandler(final GossipHandler handler)
    {
        return new SubscriptionOptions(fifo, gapTimeout, reorderCapacity, maxAuthors, handler, overflow,
            slowSubscriberTimeout, validator);
    }

    /** Same options with another overflow policy. */
    public SubscriptionOptions withOverflow(final OverflowPolicy policy)
    {
        return new SubscriptionOptions(fifo, gapTimeout, reorderCapacity, maxAuthors, dispatcherHandler, policy,
            slowSubscriberTimeout, validator);
    }

    /** Same options with another slow-subscriber timeout (lossless policy only). */
    public SubscriptionOptions withSlowSubscriberTimeout(final Duration timeout)
    {
        return new SubscriptionOptions(fifo, gapTimeout, reorderCapacity, maxAuthors, dispatcherHandler, overflow,
            timeout, validator);
    }

    /**
     * Same options with {@code validator} judging the topic's received messages while this subscription is open
     * (see {@link MessageValidator}), or none when null.
     */
    public SubscriptionOptions withValidator(final MessageValidator validator)
    {
        return new SubscriptionOptions(fifo, gapTimeout, reorderCapacity, maxAuthors, dispatcherHandler, overflow,
            slowSubscriberTimeout, validator);
    }
}
