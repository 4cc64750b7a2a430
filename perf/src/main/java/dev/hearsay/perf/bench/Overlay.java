package dev.hearsay.perf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Checks on the overlay formed by the nodes' active views, as sets of node indexes. */
final class Overlay
{
    private Overlay()
    {
    }

    /**
     * Polls {@code views} every {@code pollNanos} until the overlay is connected and symmetric, or the timeout
     * passes; returns whether it is connected at the end.
     */
    static boolean await(final Supplier<List<Set<Integer>>> views, final long timeoutNanos, final long pollNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true)
        {
            final List<Set<Integer>> now = views.get();
            final boolean connected = connected(now);
            if ((connected && symmetric(now)) || System.nanoTime() - deadline > 0)
            {
                return connected;
            }
            LockSupport.parkNanos(pollNanos);
        }
    }

    /** One line per node: its neighbors (see {@link #describe}). */
    static List<String> describeAll(final List<Set<Integer>> views)
    {
        final List<String> lines = new ArrayList<>();
        for (final Set<Integer> view : views)
        {
            lines.add(describe(view));
        }
        return lines;
    }

    /** True if every node has a neighbor and the union of the views, taken as undirected, is connected. */
    static boolean connected(final List<Set<Integer>> views)
    {
        final int n = views.size();
        for (final Set<Integer> view : views)
        {
            if (n > 1 && view.isEmpty())
            {
                return false;
            }
        }
        final boolean[] seen = new boolean[n];
        final int[] stack = new int[n];
        int top = 0;
        stack[top++] = 0;
        seen[0] = true;
        int reached = 1;
        while (top > 0)
        {
            final int a = stack[--top];
            for (int b = 0; b < n; b++)
            {
                if (!seen[b] && (edge(views, a, b) || edge(views, b, a)))
                {
                    seen[b] = true;
                    reached++;
                    stack[top++] = b;
                }
            }
        }
        return reached == n;
    }

    /** True if every neighbor relation is mutual (no handshake in progress). */
    static boolean symmetric(final List<Set<Integer>> views)
    {
        for (int a = 0; a < views.size(); a++)
        {
            for (int b = 0; b < views.size(); b++)
            {
                if (edge(views, a, b) != edge(views, b, a))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** The neighbors of one node as text: {@code 0 1 4}. */
    static String describe(final Set<Integer> view)
    {
        final StringBuilder sb = new StringBuilder();
        view.stream().sorted().forEach(p -> sb.append(sb.length() == 0 ? "" : " ").append(p < 0 ? "?" : p));
        return sb.toString();
    }

    private static boolean edge(final List<Set<Integer>> views, final int a, final int b)
    {
        return views.get(a).contains(b);
    }
}
