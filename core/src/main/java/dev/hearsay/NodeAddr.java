package dev.hearsay;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A node's identity and the socket addresses it can be dialled on.
 *
 * @param id        the node's identity.
 * @param addresses where it listens; may be empty when only the id is known.
 */
public record NodeAddr(NodeId id, List<InetSocketAddress> addresses)
{
    /** Validates and copies the address list. */
    public NodeAddr
    {
        if (id == null)
        {
            throw new IllegalArgumentException("id: null");
        }
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }
}
