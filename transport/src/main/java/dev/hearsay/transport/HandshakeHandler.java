package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.util.concurrent.TimeUnit;

/**
 * First handler after the frame decoder on every connection: runs the {@link Handshake} and, once the peer has
 * proved its id, hands the connection to the transport and replaces itself with an {@link InboundFrameHandler}.
 * A dialler that expected a particular id rejects any other. Any failure, or no completion within the timeout,
 * closes the connection.
 *
 * <p>Event loop of the connection; the signatures are made and checked on the transport's
 * {@link HandshakeExecutor}, whose results come back to the event loop: a flood of handshakes waits there, not in
 * front of the established connections' frames on the same event loop. While the peer's PROOF is being checked the
 * frame decoder holds what follows it, and the connection does not read. The connection is the peer's once this
 * side's PROOF is written and the peer's checked out, in either order.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NettyTransport transport;
    private final NodeId expected;
    private final boolean dialer;
    private final byte[] nonce = new byte[Handshake.NONCE_LENGTH];
    private Handshake.Hello hello;
    private ScheduledFuture<?> timeout;
    /** This side's PROOF is written. */
    private boolean proofSent;
    /** The peer's PROOF arrived (and is being checked, or was). */
    private boolean proofReceived;
    /** The peer's PROOF checked out. */
    private boolean peerVerified;
    /** The handshake failed or the connection closed: results still coming from the executor are ignored. */
    private boolean over;

    HandshakeHandler(final NettyTransport transport, final NodeId expected, final boolean dialer)
    {
        this.transport = transport;
        this.expected = expected;
        this.dialer = dialer;
        RANDOM.nextBytes(nonce);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        final ByteBuf out = ctx.alloc().buffer();
        Handshake.writeHello(out, transport.id(), nonce, transport.instance(), transport.contactData());
        ctx.writeAndFlush(out);
        timeout = ctx.executor().schedule(() ->
            fail(ctx, new BadInputException("handshake: not completed within " + transport.handshakeTimeoutMillis()
                + " ms")), transport.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            if (hello == null)
            {
                onHello(ctx, frame);
            }
            else if (!proofReceived)
            {
                onProof(ctx, frame);
            }
            else
            {
                // The decoder holds every frame after the PROOF until the handshake is over.
                throw new BadInputException("handshake: frame before the handshake completed");
            }
        }
        finally
        {
            frame.release();
        }
    }

    private void onHello(final ChannelHandlerContext ctx, final ByteBuf frame)
    {
        final Handshake.Hello h = Handshake.readHello(frame, transport.maxPeerData());
        if (h.id().equals(transport.id()))
        {
            throw new BadInputException("handshake: peer claims this node's own id");
        }
        if (expected != null && !expected.equals(h.id()))
        {
            throw new BadInputException("handshake: dialled " + expected.shortString() + " but "
                + h.id().shortString() + " answered");
        }
        hello = h;
        final byte[] binding = binding(ctx, true);
        final NodeKey key = transport.key();
        submit(ctx, () ->
        {
            if (!ctx.channel().isOpen())
            {
                return; // gone while queued: no work for it
            }
            final byte[] signature = Handshake.sign(key, h.id(), nonce, h.nonce(), binding);
            onLoop(ctx, () -> sendProof(ctx, signature));
        });
    }

    private void onProof(final ChannelHandlerContext ctx, final ByteBuf frame)
    {
        final byte[] signature = Handshake.readProof(frame);
        proofReceived = true;
        final FrameDecoder framing = ctx.pipeline().get(FrameDecoder.class);
        if (framing != null)
        {
            framing.hold();
        }
        final Handshake.Hello h = hello;
        final byte[] theirs = binding(ctx, false);
        final NodeId me = transport.id();
        submit(ctx, () ->
        {
            if (!ctx.channel().isOpen())
            {
                return;
            }
            final boolean valid = Handshake.verify(signature, h.id(), me, h.nonce(), nonce, theirs);
            onLoop(ctx, () ->
            {
                if (!valid)
                {
                    fail(ctx, Handshake.badSignature(h.id(), theirs != null));
                    return;
                }
                peerVerified = true;
                establishIfDone(ctx);
            });
        });
    }

    /** Event loop: writes this side's PROOF. */
    private void sendProof(final ChannelHandlerContext ctx, final byte[] signature)
    {
        if (over || !ctx.channel().isActive())
        {
            return;
        }
        final ByteBuf out = ctx.alloc().buffer(Handshake.PROOF_LENGTH + FrameDecoder.PREFIX);
        Handshake.writeProof(out, signature);
        ctx.writeAndFlush(out);
        proofSent = true;
        establishIfDone(ctx);
    }

    /**
     * Event loop: once this side's PROOF is written and the peer's checked out, the connection is the peer's: frames
     * then go to an {@link InboundFrameHandler}, starting with those the decoder held.
     */
    private void establishIfDone(final ChannelHandlerContext ctx)
    {
        if (over || !proofSent || !peerVerified || !ctx.channel().isActive())
        {
            return;
        }
        over = true;
        if (timeout != null)
        {
            timeout.cancel(false);
        }
        final FrameDecoder framing = ctx.pipeline().get(FrameDecoder.class);
        // Reading resumes before the inbound handler joins: relay flow control may hold it again as it joins.
        ctx.channel().config().setAutoRead(true);
        final InboundFrameHandler inbound = transport.established(ctx.channel(), hello, dialer);
        if (inbound != null)
        {
            ctx.pipeline().replace(this, "frames", inbound);
            if (framing != null)
            {
                framing.sink(inbound);
                framing.release();
            }
        }
    }

    /** Hands {@code job} to the handshake threads; a full queue closes the connection (counted). */
    private void submit(final ChannelHandlerContext ctx, final Runnable job)
    {
        if (!transport.handshakeExecutor().submit(job))
        {
            transport.counters().handshakesRefusedBusy.incrementAndGet();
            over = true;
            ctx.close();
        }
    }

    /** Runs {@code task} on the connection's event loop: now if already there, else as a task. */
    private static void onLoop(final ChannelHandlerContext ctx, final Runnable task)
    {
        if (ctx.executor().inEventLoop())
        {
            task.run();
            return;
        }
        try
        {
            ctx.executor().execute(task);
        }
        catch (final java.util.concurrent.RejectedExecutionException e)
        {
            // The event loop is shutting down with the transport: the connection goes with it.
        }
    }

    /** Event loop: the handshake failed (bad input, timeout): counted and closed, once. */
    private void fail(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (over)
        {
            return;
        }
        over = true;
        transport.badInput(ctx.channel(), hello == null ? expected : hello.id(), cause);
    }

    /**
     * The TLS channel binding as one side signs it: SHA-256 of the signer's certificate, then of the certificate
     * it received. {@code mine}: this side signs (own certificate first); otherwise the peer signs (the peer's
     * certificate as received here first). Null without TLS.
     */
    private byte[] binding(final ChannelHandlerContext ctx, final boolean mine)
    {
        final SelfSignedCertificate own = transport.tlsCertificate();
        if (own == null)
        {
            return null;
        }
        final SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        final byte[] peer;
        try
        {
            final Certificate[] chain = ssl == null ? null : ssl.engine().getSession().getPeerCertificates();
            if (chain == null || chain.length == 0)
            {
                throw new BadInputException("handshake: the TLS peer presented no certificate");
            }
            peer = SelfSignedCertificate.sha256(chain[0].getEncoded());
        }
        catch (final SSLPeerUnverifiedException | CertificateEncodingException e)
        {
            throw new BadInputException("handshake: no usable TLS peer certificate: " + e.getMessage());
        }
        final byte[] binding = new byte[Handshake.BINDING_LENGTH];
        final byte[] first = mine ? own.sha256() : peer;
        final byte[] second = mine ? peer : own.sha256();
        System.arraycopy(first, 0, binding, 0, 32);
        System.arraycopy(second, 0, binding, 32, 32);
        return binding;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent)
        {
            // The peer stopped sending before proving its id: nothing useful can follow.
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        over = true;
        if (timeout != null)
        {
            timeout.cancel(false);
        }
        if (dialer && expected != null)
        {
            transport.handshakeAborted(expected);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        over = true;
        transport.badInput(ctx.channel(), hello == null ? expected : hello.id(), cause);
    }
}
