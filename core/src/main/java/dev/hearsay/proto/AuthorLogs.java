package dev.hearsay.proto;

import dev.hearsay.NodeId;

import org.agrona.collections.Object2ObjectHashMap;

import java.util.Iterator;
import java.util.Map;

/**
 * The {@link AuthorLog}s of one topic, by author (then epoch). Bounded: at most {@code maxAuthors} logs; a new
 * author beyond that replaces the least recently heard one (counted). Logs of authors silent for the id
 * retention are dropped by {@link #evictIdle}.
 *
 * <p>An Agrona map, not a {@link java.util.HashMap}: its iterators are reused, so the periodic scans of
 * {@link #evictIdle} allocate nothing (a HashMap allocates an iterator per scan).
 */
final class AuthorLogs
{
    private final Object2ObjectHashMap<NodeId, AuthorLog> byAuthor = new Object2ObjectHashMap<>();
    private final int maxAuthors;
    private int size;
    long evictedEarly;

    AuthorLogs(final int maxAuthors)
    {
        this.maxAuthors = maxAuthors;
    }

    int size()
    {
        return size;
    }

    /** The log of (author, epoch), or null. */
    AuthorLog find(final NodeId author, final int epoch)
    {
        AuthorLog log = byAuthor.get(author);
        while (log != null && log.epoch != epoch)
        {
            log = log.nextEpoch;
        }
        return log;
    }

    /** True if message (author, epoch, sequence) was seen. */
    boolean seen(final NodeId author, final int epoch, final long sequence)
    {
        final AuthorLog log = find(author, epoch);
        return log != null && log.seen(sequence);
    }

    /** The log of (author, epoch), created (for a stream first seen at {@code sequence}) if absent. */
    AuthorLog getOrCreate(final NodeId author, final int epoch, final long sequence, final long now)
    {
        final AuthorLog first = byAuthor.get(author);
        AuthorLog log = first;
        while (log != null && log.epoch != epoch)
        {
            log = log.nextEpoch;
        }
        if (log != null)
        {
            return log;
        }
        if (size >= maxAuthors)
        {
            evictLeastRecent();
        }
        log = new AuthorLog(author, epoch, sequence, now);
        final AuthorLog head = byAuthor.get(author);
        log.nextEpoch = head;
        byAuthor.put(author, log);
        size++;
        return log;
    }

    /** Drops the logs not heard from since {@code cutoff}. */
    void evictIdle(final long cutoff)
    {
        final Iterator<Map.Entry<NodeId, AuthorLog>> it = byAuthor.entrySet().iterator();
        while (it.hasNext())
        {
            final Map.Entry<NodeId, AuthorLog> e = it.next();
            AuthorLog head = e.getValue();
            while (head != null && head.lastSeenNanos <= cutoff)
            {
                head = head.nextEpoch;
                size--;
            }
            AuthorLog prev = head;
            while (prev != null && prev.nextEpoch != null)
            {
                if (prev.nextEpoch.lastSeenNanos <= cutoff)
                {
                    prev.nextEpoch = prev.nextEpoch.nextEpoch;
                    size--;
                }
                else
                {
                    prev = prev.nextEpoch;
                }
            }
            if (head == null)
            {
                it.remove();
            }
            else if (head != e.getValue())
            {
                e.setValue(head);
            }
        }
    }

    private void evictLeastRecent()
    {
        AuthorLog oldest = null;
        for (final AuthorLog head : byAuthor.values())
        {
            for (AuthorLog log = head; log != null; log = log.nextEpoch)
            {
                if (oldest == null || log.lastSeenNanos < oldest.lastSeenNanos)
                {
                    oldest = log;
                }
            }
        }
        if (oldest != null)
        {
            evictedEarly++;
            evictIdle(oldest.lastSeenNanos);
        }
    }

    void clear()
    {
        byAuthor.clear();
        size = 0;
    }
}
