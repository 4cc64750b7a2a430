package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.DecodeException;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.engine.NetworkEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bounded fuzzing of a node's whole inbound path without sockets: the exact pipeline an accepted connection gets
 * ({@link FrameDecoder}, the handshake, then the authenticated frame handler) on Netty's embedded channel, with
 * frames handed to the engine's {@link MessageDecoder}. Two kinds of input:
 * <ul>
 *     <li>connections: a new unauthenticated connection gets mutated handshake streams or noise, then the client
 *     goes silent (the handshake timeout must fire) or half-closes. The connection must end closed, and, when the
 *     timeout ended it, counted as bad input.</li>
 *     <li>session frames: mutated valid protocol messages (and noise) on a connection that completed a real
 *     handshake. Each frame with a sane length must reach the decoder exactly once, in order; the decoder either
 *     decodes it or rejects it with a {@link DecodeException}; an absurd length must close the connection and
 *     count.</li>
 * </ul>
 * Any other exception, a frame lost or invented, or a connection left open is a failure.
 */
public final class InboundFuzzer
{
    private static final int MAX_SAMPLES = 10;

    /**
     * Outcome of a run.
     *
     * @param connections        unauthenticated connections fuzzed.
     * @param connectionsCounted of those, connections closed and counted as bad input.
     * @param sessions           authenticated sessions opened.
     * @param frames             frames written on sessions.
     * @param framesDecoded      frames the decoder accepted.
     * @param framesRejected     frames the decoder rejected.
     * @param badLengths         sessions ended by an absurd frame length (closed and counted).
     * @param failures           broken expectations (see samples).
     * @param samples            up to ten failure descriptions.
     * @param counters           the transport counters at the end.
     * @param seconds            wall time.
     */
    public record Result(long connections, long connectionsCounted, long sessions, long frames, long framesDecoded,
        long framesRejected, long badLengths, long failures, List<String> samples, String counters, double seconds)
    {
        /** Connections plus session frames. */
        public long inputs()
        {
            return connections + frames;
        }

        /** No failure. */
        public boolean passed()
        {
            return failures == 0;
        }

        @Override
        public String toString()
        {
            return String.format(java.util.Locale.ROOT, "in-process fuzz: %,d inputs (%,d connections, %d counted "
                    + "as bad input; %,d frames on %,d authenticated sessions: %,d decoded, %,d rejected by the "
                    + "decoder, %d bad lengths) in %.1f s, %d failures%s",
                inputs(), connections, connectionsCounted, frames, sessions, framesDecoded, framesRejected, badLengths,
                seconds, failures, samples.isEmpty() ? "" : " " + samples);
        }
    }

    private final NettyTransport transport;
    private final NodeKey nodeKey;
    private final FuzzInputs inputs;
    private final MessageDecoder decoder;
    private final NodeKey[] sessionKeys = new NodeKey[4];
    private final Sink sink = new Sink();
    private final List<String> samples = new ArrayList<>();
    private final int maxFrame;
    private long failures;
    /** Session frames that were hold signals (consumed by the transport, never decoded). */
    private long holdSignals;

    /** A fuzzer with default protocol limits, seeded. */
    public InboundFuzzer(final long seed)
    {
        final GossipConfig config = GossipConfig.defaults();
        this.nodeKey = NodeKey.fromSeed(seed);
        this.maxFrame = MessageEncoder.maxEncodedLength(config.maxMessageSize(), config.maxPeerDataSize());
        this.transport = new NettyTransport(nodeKey, TransportOptions.defaults(), maxFrame, config.maxPeerDataSize());
        this.transport.contactData(ContactAddresses.encode(List.of()));
        this.transport.bind(sink);
        this.decoder = new MessageDecoder(config);
        this.inputs = new FuzzInputs(seed, config.maxMessageSize(), config.maxPeerDataSize(), TopicId.of("fuzz"));
        for (int i = 0; i < sessionKeys.length; i++)
        {
            sessionKeys[i] = NodeKey.fromSeed(seed * 31 + i + 1);
        }
    }

    /** Feeds {@code count} inputs (a fiftieth of them connections, the rest session frames). */
    public Result run(final long count)
    {
        final long start = System.nanoTime();
        // One warning per closed connection is right for a node, not for millions of fuzzed ones: counters tell.
        final Logger quiet = Logger.getLogger(NettyTransport.class.getName());
        final Level before = quiet.getLevel();
        quiet.setLevel(Level.SEVERE);
        long connections = 0;
        long counted = 0;
        long sessions = 0;
        long frames = 0;
        long badLengths = 0;
        EmbeddedChannel session = null;
        try
        {
            long done = 0;
            while (done < count)
            {
                if (inputs.random().nextInt(50) == 0)
                {
                    connections++;
                    done++;
                    if (connection())
                    {
                        counted++;
                    }
                    continue;
                }
                if (session == null || !session.isOpen())
                {
                    session = openSession();
                    sessions++;
                    if (session == null)
                    {
                        continue;
                    }
                }
                final long written = sessionFrames(session, Math.min(count - done, 1 + inputs.random().nextInt(8)));
                if (written < 0)
                {
                    badLengths++;
                    frames += -written;
                    done += -written;
                    session = null;
                }
                else
                {
                    frames += written;
                    done += written;
                }
            }
            if (session != null)
            {
                session.finishAndReleaseAll();
            }
        }
        finally
        {
            quiet.setLevel(before);
        }
        if (sink.frames != frames - badLengths - holdSignals)
        {
            fail("frames written " + (frames - badLengths - holdSignals) + " with sane lengths (besides "
                + holdSignals + " hold signals) but " + sink.frames + " reached the decoder");
        }
        return new Result(connections, counted, sessions, frames, sink.decoded, sink.rejected, badLengths, failures,
            List.copyOf(samples), transport.counters().toString(), (System.nanoTime() - start) / 1e9);
    }

    private EmbeddedChannel newChannel()
    {
        final EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<Channel>()
        {
            @Override
            protected void initChannel(final Channel c)
            {
                transport.initPipeline(c, null, false);
            }
        });
        ch.freezeTime();
        return ch;
    }

    /** One unauthenticated connection; true when it ended counted as bad input. */
    private boolean connection()
    {
        final TransportCounters c = transport.counters();
        final long badBefore = c.badInputTotal();
        final EmbeddedChannel ch = newChannel();
        try
        {
            final byte[] stream = inputs.handshakeStream(nodeKey.id());
            writeInChunks(ch, stream);
            final boolean silent = inputs.random().nextBoolean();
            if (ch.isOpen())
            {
                if (silent)
                {
                    ch.advanceTimeBy(transport.handshakeTimeoutMillis() + 1, TimeUnit.MILLISECONDS);
                    ch.runScheduledPendingTasks();
                }
                else
                {
                    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                }
                ch.runPendingTasks();
            }
            ch.checkException();
            final boolean countedNow = c.badInputTotal() > badBefore;
            if (ch.isOpen())
            {
                fail("connection left open after " + (silent ? "the handshake timeout" : "end of input") + ": "
                    + hex(stream));
            }
            else if (silent && !countedNow)
            {
                fail("connection closed by the timeout but not counted: " + hex(stream));
            }
            return countedNow;
        }
        catch (final Throwable t)
        {
            fail("exception escaped the pipeline: " + trace(t));
            return false;
        }
        finally
        {
            ch.finishAndReleaseAll();
        }
    }

    /** A connection that completes a real handshake as one of the session keys; null (and a failure) if not. */
    private EmbeddedChannel openSession()
    {
        final EmbeddedChannel ch = newChannel();
        final NodeKey key = sessionKeys[inputs.random().nextInt(sessionKeys.length)];
        final long connectedBefore = sink.connected;
        try
        {
            final ByteBuf theirs = ch.readOutbound();
            theirs.skipBytes(FrameDecoder.PREFIX);
            final Handshake.Hello hello = Handshake.readHello(theirs, transport.maxPeerData());
            theirs.release();
            final byte[] nonce = new byte[Handshake.NONCE_LENGTH];
            inputs.random().nextBytes(nonce);
            final ByteBuf out = Unpooled.buffer();
            Handshake.writeHello(out, key.id(), nonce, inputs.random().nextLong(), new byte[0]);
            Handshake.writeProof(out, key, hello.id(), nonce, hello.nonce());
            ch.writeInbound(out);
            ch.runPendingTasks();
            final ByteBuf proof = ch.readOutbound();
            proof.skipBytes(FrameDecoder.PREFIX);
            Handshake.verifyProof(proof, hello.id(), key.id(), hello.nonce(), nonce, null);
            proof.release();
            ch.checkException();
            if (sink.connected != connectedBefore + 1 || !ch.isOpen())
            {
                fail("honest handshake did not establish the session");
                ch.finishAndReleaseAll();
                return null;
            }
            return ch;
        }
        catch (final Throwable t)
        {
            fail("honest handshake failed: " + t);
            ch.finishAndReleaseAll();
            return null;
        }
    }

    /**
     * Writes up to {@code max} frames on {@code ch}. Returns how many were written, or minus that when the last had
     * an absurd length (the session must then be closed and counted).
     */
    private long sessionFrames(final EmbeddedChannel ch, final long max)
    {
        final TransportCounters c = transport.counters();
        final long framesBefore = sink.frames;
        final byte[][] bodies = new byte[(int)max][];
        int total = 0;
        boolean badLength = false;
        for (int i = 0; i < max; i++)
        {
            bodies[i] = inputs.sessionFrame();
            if (i == max - 1 && inputs.random().nextInt(20_000) == 0)
            {
                badLength = true;
            }
            total += FrameDecoder.PREFIX + bodies[i].length;
        }
        final byte[] stream = new byte[total];
        int p = 0;
        for (int i = 0; i < max; i++)
        {
            final byte[] f = FuzzInputs.prefixed(bodies[i]);
            if (badLength && i == max - 1)
            {
                // Over the maximum. (A length of 0 is a heartbeat, which an authenticated connection may send.)
                final int length = maxFrame + 1 + inputs.random().nextInt(1 << 20);
                f[0] = (byte)(length >>> 24);
                f[1] = (byte)(length >>> 16);
                f[2] = (byte)(length >>> 8);
                f[3] = (byte)length;
            }
            System.arraycopy(f, 0, stream, p, f.length);
            p += f.length;
        }
        final long oversizedBefore = c.oversizedFrames.get();
        try
        {
            writeInChunks(ch, stream);
            ch.checkException();
        }
        catch (final Throwable t)
        {
            fail("exception escaped the session pipeline: " + t);
            ch.finishAndReleaseAll();
            return -max;
        }
        // A body of HoldSignal.LENGTH is a hold signal, which the transport consumes.
        long signals = 0;
        for (int i = 0; i < (badLength ? max - 1 : max); i++)
        {
            if (bodies[i].length == HoldSignal.LENGTH)
            {
                signals++;
            }
        }
        holdSignals += signals;
        final long sane = (badLength ? max - 1 : max) - signals;
        if (sink.frames - framesBefore != sane)
        {
            fail("wrote " + sane + " frames, " + (sink.frames - framesBefore) + " reached the decoder");
        }
        if (badLength)
        {
            if (ch.isOpen() || c.oversizedFrames.get() != oversizedBefore + 1)
            {
                fail("absurd frame length: open " + ch.isOpen() + ", oversized counted "
                    + (c.oversizedFrames.get() - oversizedBefore));
            }
            ch.finishAndReleaseAll();
            return -max;
        }
        if (!ch.isOpen())
        {
            fail("session closed on frames with sane lengths");
            return -max;
        }
        return max;
    }

    private void writeInChunks(final EmbeddedChannel ch, final byte[] stream)
    {
        int p = 0;
        while (p < stream.length && ch.isOpen())
        {
            final int n = inputs.random().nextInt(4) == 0 ? 1 + inputs.random().nextInt(stream.length - p) :
                stream.length - p;
            ch.writeInbound(Unpooled.wrappedBuffer(stream, p, n));
            p += n;
        }
        ch.runPendingTasks();
        // The node's own writes (HELLO, PROOF) are of no interest here.
        Object o;
        while ((o = ch.readOutbound()) != null)
        {
            io.netty.util.ReferenceCountUtil.release(o);
        }
    }

    private void fail(final String what)
    {
        failures++;
        if (samples.size() < MAX_SAMPLES)
        {
            samples.add(what.length() > 2000 ? what.substring(0, 2000) + "..." : what);
        }
    }

    private static String trace(final Throwable t)
    {
        final StringBuilder sb = new StringBuilder(t.toString());
        final StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(st.length, 12); i++)
        {
            sb.append(" <- ").append(st[i]);
        }
        return sb.toString();
    }

    private static String hex(final byte[] b)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++)
        {
            sb.append(String.format("%02x", b[i]));
        }
        return sb.append(b.length > 64 ? "... (" + b.length + " bytes)" : "").toString();
    }

    /** Stands in for the engine's ring: decodes each frame as the dispatcher would. */
    private final class Sink implements NetworkEvents
    {
        long frames;
        long decoded;
        long rejected;
        long connected;
        long disconnected;

        @Override
        public boolean onFrame(final NodeId peer, final DirectBuffer buffer, final int offset, final int length)
        {
            frames++;
            try
            {
                decoder.decode(buffer, offset, length);
                decoded++;
            }
            catch (final DecodeException e)
            {
                rejected++;
            }
            catch (final RuntimeException e)
            {
                fail("decoder threw " + e);
            }
            return true;
        }

        @Override
        public boolean onPeerConnected(final NodeId peer)
        {
            connected++;
            return true;
        }

        @Override
        public boolean onPeerDisconnected(final NodeId peer)
        {
            disconnected++;
            return true;
        }

        @Override
        public boolean onDialFailed(final NodeId peer)
        {
            return true;
        }
    }
}
