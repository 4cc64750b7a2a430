package dev.hearsay.tools;

import dev.hearsay.NodeId;

import java.net.InetSocketAddress;

/**
 * A peer on a command line: {@code ID@HOST:PORT}, the 64-hex-digit node id and a numeric address.
 *
 * @param id      the node id.
 * @param address where it listens.
 */
public record PeerSpec(NodeId id, InetSocketAddress address)
{
    /** Parses {@code ID@HOST:PORT}; {@link IllegalArgumentException} naming the text otherwise. */
    public static PeerSpec parse(final String text)
    {
        final int at = text.indexOf('@');
        if (at < 0)
        {
            throw new IllegalArgumentException("peer '" + text + "' is not ID@HOST:PORT");
        }
        final NodeId id;
        try
        {
            id = NodeId.parse(text.substring(0, at));
        }
        catch (final RuntimeException e)
        {
            throw new IllegalArgumentException("peer '" + text + "': bad node id (" + e.getMessage() + ")");
        }
        return new PeerSpec(id, address(text.substring(at + 1)));
    }

    /** Parses {@code HOST:PORT} with a literal host (no name lookup). */
    public static InetSocketAddress address(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("address '" + text + "' is not HOST:PORT");
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("address '" + text + "': bad port");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("address '" + text + "': port out of range");
        }
        final String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString()
    {
        return id + "@" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
