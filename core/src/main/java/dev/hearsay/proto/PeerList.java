package dev.hearsay.proto;

import dev.hearsay.NodeId;

import java.util.LinkedHashSet;
import java.util.SplittableRandom;
import java.util.Set;

/**
 * A small bounded set of peers in an array (views are a handful to a few dozen peers, where a linear scan beats
 * hashing and keeps iteration order deterministic).
 */
final class PeerList
{
    private final NodeId[] peers;
    private int size;

    PeerList(final int capacity)
    {
        peers = new NodeId[capacity];
    }

    /** Copies the peers other than {@code except} (null: none excluded) into {@code out}; returns how many. */
    int copyTo(final NodeId[] out, final NodeId except)
    {
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            if (except == null || !peers[i].equals(except))
            {
                out[n++] = peers[i];
            }
        }
        return n;
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return peers.length;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    boolean isFull()
    {
        return size == peers.length;
    }

    NodeId get(final int i)
    {
        return peers[i];
    }

    boolean contains(final NodeId peer)
    {
        return indexOf(peer) >= 0;
    }

    int indexOf(final NodeId peer)
    {
        for (int i = 0; i < size; i++)
        {
            if (peers[i].equals(peer))
            {
                return i;
            }
        }
        return -1;
    }

    /** Adds if absent and not full; true if added. */
    boolean add(final NodeId peer)
    {
        if (size == peers.length || contains(peer))
        {
            return false;
        }
        peers[size++] = peer;
        return true;
    }

    /** Removes if present; true if removed. Keeps the order of the others. */
    boolean remove(final NodeId peer)
    {
        final int i = indexOf(peer);
        if (i < 0)
        {
            return false;
        }
        removeAt(i);
        return true;
    }

    NodeId removeAt(final int i)
    {
        final NodeId removed = peers[i];
        System.arraycopy(peers, i + 1, peers, i, size - i - 1);
        peers[--size] = null;
        return removed;
    }

    /** A uniformly random member other than {@code exclude1} and {@code exclude2} (either may be null), or null. */
    NodeId random(final SplittableRandom random, final NodeId exclude1, final NodeId exclude2)
    {
        int candidates = 0;
        for (int i = 0; i < size; i++)
        {
            if (!peers[i].equals(exclude1) && !peers[i].equals(exclude2))
            {
                candidates++;
            }
        }
        if (candidates == 0)
        {
            return null;
        }
        int pick = random.nextInt(candidates);
        for (int i = 0; i < size; i++)
        {
            if (!peers[i].equals(exclude1) && !peers[i].equals(exclude2) && pick-- == 0)
            {
                return peers[i];
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Adds up to {@code count} distinct random members (not {@code exclude}) to {@code out}. */
    void sample(final SplittableRandom random, final int count, final NodeId exclude, final ContactList out,
        final ContactSource data)
    {
        final int n = size;
        if (n == 0 || count <= 0)
        {
            return;
        }
        // Partial Fisher-Yates over an index permutation held in a scratch array of the view's own size.
        final int[] order = scratch(n);
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        int taken = 0;
        for (int i = 0; i < n && taken < count; i++)
        {
            final int j = i + random.nextInt(n - i);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
            final NodeId peer = peers[order[i]];
            if (!peer.equals(exclude) && out.add(peer, data.contactData(peer)))
            {
                taken++;
            }
        }
    }

    private int[] scratch;

    private int[] scratch(final int n)
    {
        if (scratch == null || scratch.length < n)
        {
            scratch = new int[peers.length];
        }
        return scratch;
    }

    Set<NodeId> snapshot()
    {
        final Set<NodeId> out = new LinkedHashSet<>();
        for (int i = 0; i < size; i++)
        {
            out.add(peers[i]);
        }
        return out;
    }

    void clear()
    {
        for (int i = 0; i < size; i++)
        {
            peers[i] = null;
        }
        size = 0;
    }

    /** Looks up the contact data to send along with a peer id. */
    interface ContactSource
    {
        byte[] contactData(NodeId peer);
    }
}
