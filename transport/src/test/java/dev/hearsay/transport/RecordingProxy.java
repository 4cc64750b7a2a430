package dev.hearsay.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A loopback TCP relay for tests that records every byte it forwards, per direction. Optionally the two legs are
 * wrapped (for example in TLS sockets of a man in the middle), in which case what it records is what it could read.
 */
final class RecordingProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Function<Socket, Socket> wrapAccepted;
    private final Function<InetSocketAddress, Socket> dial;
    private final ByteArrayOutputStream toTarget = new ByteArrayOutputStream();
    private final ByteArrayOutputStream fromTarget = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    /** A plain relay to {@code target}. */
    RecordingProxy(final InetSocketAddress target) throws IOException
    {
        this(target, s -> s, address ->
        {
            try
            {
                return new Socket(address.getAddress(), address.getPort());
            }
            catch (final IOException e)
            {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A relay whose accepted and dialled sockets are made by the given functions. */
    RecordingProxy(final InetSocketAddress target, final Function<Socket, Socket> wrapAccepted,
        final Function<InetSocketAddress, Socket> dial) throws IOException
    {
        this.target = target;
        this.wrapAccepted = wrapAccepted;
        this.dial = dial;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "recording-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address()
    {
        return (InetSocketAddress)server.getLocalSocketAddress();
    }

    /** Bytes relayed from the dialler towards the target so far. */
    byte[] toTarget()
    {
        synchronized (toTarget)
        {
            return toTarget.toByteArray();
        }
    }

    /** Bytes relayed from the target back to the dialler so far. */
    byte[] fromTarget()
    {
        synchronized (fromTarget)
        {
            return fromTarget.toByteArray();
        }
    }

    private void accept()
    {
        while (!closed)
        {
            try
            {
                final Socket accepted = wrapAccepted.apply(server.accept());
                final Socket out = dial.apply(target);
                synchronized (sockets)
                {
                    sockets.add(accepted);
                    sockets.add(out);
                }
                pump(accepted, out, toTarget);
                pump(out, accepted, fromTarget);
            }
            catch (final IOException | RuntimeException e)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    private static void pump(final Socket from, final Socket to, final ByteArrayOutputStream record)
    {
        final Thread t = new Thread(() ->
        {
            final byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int n;
                while ((n = in.read(buffer)) > 0)
                {
                    synchronized (record)
                    {
                        record.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            catch (final IOException e)
            {
                // Connection over.
            }
            finally
            {
                try
                {
                    from.close();
                    to.close();
                }
                catch (final IOException e)
                {
                    // Nothing left to do.
                }
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    static boolean contains(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        synchronized (sockets)
        {
            for (final Socket s : sockets)
            {
                s.close();
            }
        }
    }
}
