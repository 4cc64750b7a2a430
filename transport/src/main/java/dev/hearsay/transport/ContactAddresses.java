package dev.hearsay.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The contact data a node attaches to its id in membership messages: its dialable socket addresses. Layout: count
 * (1 byte), then per address a family byte (4 or 6), the 4 or 16 address bytes and a big-endian 16-bit port.
 * Decoding is defensive: malformed data yields an empty list, never an exception.
 */
public final class ContactAddresses
{
    /** Most addresses encoded. */
    public static final int MAX_ADDRESSES = 8;

    private ContactAddresses()
    {
    }

    /** Encodes up to {@link #MAX_ADDRESSES} resolved addresses. */
    public static byte[] encode(final List<InetSocketAddress> addresses)
    {
        final List<InetSocketAddress> usable = new ArrayList<>();
        for (final InetSocketAddress a : addresses)
        {
            if (a != null && a.getAddress() != null && usable.size() < MAX_ADDRESSES)
            {
                usable.add(a);
            }
        }
        int size = 1;
        for (final InetSocketAddress a : usable)
        {
            size += 1 + a.getAddress().getAddress().length + 2;
        }
        final byte[] out = new byte[size];
        out[0] = (byte)usable.size();
        int p = 1;
        for (final InetSocketAddress a : usable)
        {
            final byte[] ip = a.getAddress().getAddress();
            out[p++] = (byte)(ip.length == 4 ? 4 : 6);
            System.arraycopy(ip, 0, out, p, ip.length);
            p += ip.length;
            out[p++] = (byte)(a.getPort() >>> 8);
            out[p++] = (byte)a.getPort();
        }
        return out;
    }

    /** Decodes; returns an empty list for anything malformed. */
    public static List<InetSocketAddress> decode(final byte[] data)
    {
        if (data == null || data.length < 1)
        {
            return List.of();
        }
        final int count = data[0] & 0xFF;
        if (count > MAX_ADDRESSES)
        {
            return List.of();
        }
        final List<InetSocketAddress> out = new ArrayList<>(count);
        int p = 1;
        try
        {
            for (int i = 0; i < count; i++)
            {
                if (p >= data.length)
                {
                    return List.of();
                }
                final int family = data[p++];
                final int length = family == 4 ? 4 : family == 6 ? 16 : -1;
                if (length < 0 || p + length + 2 > data.length)
                {
                    return List.of();
                }
                final byte[] ip = new byte[length];
                System.arraycopy(data, p, ip, 0, length);
                p += length;
                final int port = ((data[p] & 0xFF) << 8) | (data[p + 1] & 0xFF);
                p += 2;
                if (port == 0)
                {
                    return List.of();
                }
                out.add(new InetSocketAddress(InetAddress.getByAddress(ip), port));
            }
        }
        catch (final UnknownHostException e)
        {
            return List.of();
        }
        return p == data.length ? out : List.of();
    }
}
