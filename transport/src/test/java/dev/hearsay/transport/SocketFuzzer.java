package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.DecodeException;
import dev.hearsay.codec.MessageDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded fuzzing of a live node over TCP. Each connection is one of:
 * <ul>
 *     <li>a mutated handshake stream or noise, after which the client half-closes or goes silent;</li>
 *     <li>a real handshake under a fresh identity, then mutated protocol frames. If one of them is invalid (the
 *     fuzzer decodes them itself to know) the client stays silent and the node must drop it on its own;
 *     otherwise the client half-closes.</li>
 * </ul>
 * In every case the node must close the connection within the close timeout. The caller checks the node's
 * counters and its honest peers.
 */
public final class SocketFuzzer
{
    /**
     * Outcome.
     *
     * @param connections   connections made.
     * @param handshakes    of those, handshakes completed under a fresh identity.
     * @param frames        frames sent after a handshake.
     * @param invalidFrames of those, frames the decoder rejects.
     * @param closedByNode  connections the node closed (or reset).
     * @param leftOpen      connections still open at the close timeout: failures.
     * @param errors        unexpected errors (a refused connection, a failed honest handshake): failures.
     * @param samples       up to ten failure descriptions.
     * @param seconds       wall time.
     */
    public record Result(long connections, long handshakes, long frames, long invalidFrames, long closedByNode,
        long leftOpen, long errors, List<String> samples, double seconds)
    {
        /** Every connection closed by the node, no error. */
        public boolean passed()
        {
            return leftOpen == 0 && errors == 0 && closedByNode == connections;
        }

        @Override
        public String toString()
        {
            return String.format(java.util.Locale.ROOT, "socket fuzz: %,d connections (%,d authenticated, %,d "
                    + "frames, %,d of them invalid) in %.1f s: %,d closed by the node, %d left open, %d errors%s",
                connections, handshakes, frames, invalidFrames, seconds, closedByNode, leftOpen, errors,
                samples.isEmpty() ? "" : " " + samples);
        }
    }

    private final InetSocketAddress target;
    private final NodeId targetId;
    private final long seed;
    private final TopicId topic;
    private final AtomicLong handshakes = new AtomicLong();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicLong leftOpen = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<String> samples = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param target   the node's listening address.
     * @param targetId the node's id (a HELLO claiming it must be refused).
     * @param topic    a topic the node has joined, so that some frames reach its protocol.
     * @param seed     seed of every input.
     */
    public SocketFuzzer(final InetSocketAddress target, final NodeId targetId, final TopicId topic, final long seed)
    {
        this.target = target;
        this.targetId = targetId;
        this.topic = topic;
        this.seed = seed;
    }

    /**
     * Makes {@code connections} connections, {@code parallelism} at a time, each given {@code closeTimeout} to be
     * closed by the node after the client is done.
     */
    public Result run(final int connections, final int parallelism, final Duration closeTimeout)
    {
        final long start = System.nanoTime();
        final ExecutorService pool = Executors.newFixedThreadPool(parallelism, r ->
        {
            final Thread t = new Thread(r, "socket-fuzzer");
            t.setDaemon(true);
            return t;
        });
        try
        {
            final List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < parallelism; w++)
            {
                final int worker = w;
                futures.add(pool.submit(() ->
                {
                    final GossipConfig config = GossipConfig.defaults();
                    final FuzzInputs inputs = new FuzzInputs(seed * 1_000 + worker, config.maxMessageSize(),
                        config.maxPeerDataSize(), topic);
                    final MessageDecoder decoder = new MessageDecoder(config);
                    for (int i = worker; i < connections; i += parallelism)
                    {
                        connection(inputs, decoder, closeTimeout);
                    }
                }));
            }
            for (final Future<?> f : futures)
            {
                f.get();
            }
        }
        catch (final Exception e)
        {
            errors.incrementAndGet();
            sample("fuzzer failed: " + e);
        }
        finally
        {
            pool.shutdownNow();
        }
        return new Result(connections, handshakes.get(), frames.get(), invalid.get(), closed.get(), leftOpen.get(),
            errors.get(), List.copyOf(samples), (System.nanoTime() - start) / 1e9);
    }

    private void connection(final FuzzInputs inputs, final MessageDecoder decoder, final Duration closeTimeout)
    {
        final boolean authenticated = inputs.random().nextInt(10) < 3;
        String what = "?";
        try (Socket s = new Socket())
        {
            s.setSoLinger(true, 0);
            s.connect(target, 5_000);
            s.setSoTimeout((int)closeTimeout.toMillis());
            final OutputStream out = s.getOutputStream();
            final DataInputStream in = new DataInputStream(s.getInputStream());
            boolean halfClose;
            try
            {
                if (authenticated)
                {
                    what = "session";
                    halfClose = !session(inputs, decoder, in, out);
                }
                else
                {
                    final byte[] stream = inputs.handshakeStream(targetId);
                    what = "stream of " + stream.length + " bytes";
                    out.write(stream);
                    out.flush();
                    halfClose = inputs.random().nextInt(10) > 0;
                }
                if (halfClose)
                {
                    s.shutdownOutput();
                }
            }
            catch (final IOException e)
            {
                // The node closed while we wrote: that is the expected outcome for bad input.
                closed.incrementAndGet();
                return;
            }
            if (awaitClose(in))
            {
                closed.incrementAndGet();
            }
            else
            {
                leftOpen.incrementAndGet();
                sample("node left a connection open (" + what + ")");
            }
        }
        catch (final IOException e)
        {
            errors.incrementAndGet();
            sample("connect failed: " + e);
        }
    }

    /** Handshake as a fresh identity, then frames; true if one of them was invalid (client stays silent). */
    private boolean session(final FuzzInputs inputs, final MessageDecoder decoder, final DataInputStream in,
        final OutputStream out) throws IOException
    {
        final NodeKey key = NodeKey.fromSeed(inputs.random().nextLong());
        final byte[] helloBody = new byte[in.readInt()];
        in.readFully(helloBody);
        final Handshake.Hello hello = Handshake.readHello(Unpooled.wrappedBuffer(helloBody), 1 << 16);
        final byte[] nonce = new byte[Handshake.NONCE_LENGTH];
        inputs.random().nextBytes(nonce);
        final ByteBuf b = Unpooled.buffer();
        Handshake.writeHello(b, key.id(), nonce, inputs.random().nextLong(), new byte[0]);
        Handshake.writeProof(b, key, hello.id(), nonce, hello.nonce());
        // The engine drops a peer at its invalid frame, but a valid Join after it is a fresh start (the node
        // answers, and keeps the connection): so an invalid frame, if any, goes last.
        final int count = 1 + inputs.random().nextInt(40);
        byte[] lastInvalid = null;
        for (int i = 0; i < count; i++)
        {
            byte[] frame = inputs.sessionFrame();
            while (!harmless(decoder, frame))
            {
                frame = inputs.sessionFrame();
            }
            if (!valid(decoder, frame))
            {
                invalid.incrementAndGet();
                if (lastInvalid != null)
                {
                    b.writeBytes(FuzzInputs.prefixed(lastInvalid));
                }
                lastInvalid = frame;
            }
            else
            {
                b.writeBytes(FuzzInputs.prefixed(frame));
            }
        }
        final boolean anyInvalid = lastInvalid != null;
        if (anyInvalid)
        {
            b.writeBytes(FuzzInputs.prefixed(lastInvalid));
        }
        final byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        out.write(bytes);
        out.flush();
        handshakes.incrementAndGet();
        frames.addAndGet(count);
        return anyInvalid;
    }

    /** Invalid, or valid without any dialable contact address (see {@link FuzzInputs#teachesNoAddress}). */
    private static boolean harmless(final MessageDecoder decoder, final byte[] frame)
    {
        try
        {
            return FuzzInputs.teachesNoAddress(decoder.decode(new UnsafeBuffer(frame), 0, frame.length));
        }
        catch (final DecodeException e)
        {
            return true;
        }
    }

    private static boolean valid(final MessageDecoder decoder, final byte[] frame)
    {
        try
        {
            decoder.decode(new UnsafeBuffer(frame), 0, frame.length);
            return true;
        }
        catch (final DecodeException e)
        {
            return false;
        }
    }

    /** Reads (and drops) until the node closes; false if it is still open at the socket timeout. */
    private static boolean awaitClose(final InputStream in)
    {
        final byte[] sink = new byte[8192];
        try
        {
            while (in.read(sink) >= 0)
            {
                // What the node says is of no interest; only that it ends.
            }
            return true;
        }
        catch (final SocketTimeoutException e)
        {
            return false;
        }
        catch (final IOException e)
        {
            return true; // reset: closed too
        }
    }

    private void sample(final String s)
    {
        if (samples.size() < 10)
        {
            samples.add(s);
        }
    }
}
