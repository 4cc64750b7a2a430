package dev.hearsay.perf.bench;

import dev.hearsay.NodeId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks on the overlay formed by the nodes' active views (neighbor sets). */
final class Overlay
{
    private Overlay()
    {
    }

    /** True if every node has a neighbor and the union of the views, taken as undirected, is connected. */
    static boolean connected(final List<Set<NodeId>> views, final Map<NodeId, Integer> indexOf)
    {
        final int n = views.size();
        final boolean[][] edge = edges(views, indexOf);
        for (int i = 0; i < n; i++)
        {
            if (n > 1 && views.get(i).isEmpty())
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
                if (!seen[b] && (edge[a][b] || edge[b][a]))
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
    static boolean symmetric(final List<Set<NodeId>> views, final Map<NodeId, Integer> indexOf)
    {
        final boolean[][] edge = edges(views, indexOf);
        for (int a = 0; a < edge.length; a++)
        {
            for (int b = 0; b < edge.length; b++)
            {
                if (edge[a][b] != edge[b][a])
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** One line per node: {@code node 2: neighbors 0 1 4}. */
    static List<String> describe(final List<Set<NodeId>> views, final Map<NodeId, Integer> indexOf)
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < views.size(); i++)
        {
            final TreeSet<Integer> peers = new TreeSet<>();
            for (final NodeId peer : views.get(i))
            {
                peers.add(indexOf.getOrDefault(peer, -1));
            }
            lines.add(describe(i, peers));
        }
        return lines;
    }

    static String describe(final int node, final Set<Integer> peers)
    {
        final StringBuilder sb = new StringBuilder();
        for (final int p : peers)
        {
            sb.append(sb.length() == 0 ? "" : " ").append(p < 0 ? "?" : String.valueOf(p));
        }
        return sb.toString();
    }

    private static boolean[][] edges(final List<Set<NodeId>> views, final Map<NodeId, Integer> indexOf)
    {
        final int n = views.size();
        final boolean[][] edge = new boolean[n][n];
        for (int a = 0; a < n; a++)
        {
            for (final NodeId peer : views.get(a))
            {
                final Integer b = indexOf.get(peer);
                if (b != null)
                {
                    edge[a][b] = true;
                }
            }
        }
        return edge;
    }
}
