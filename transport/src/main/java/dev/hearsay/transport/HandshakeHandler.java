package dev.hearsay.transport;

import dev.hearsay.NodeId;
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
            transport.badInput(ctx.channel(), hello == null ? expected : hello.id(),
                new BadInputException("handshake: not completed within " + transport.handshakeTimeoutMillis()
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
                final ByteBuf out = ctx.alloc().buffer(Handshake.PROOF_LENGTH + FrameDecoder.PREFIX);
                Handshake.writeProof(out, transport.key(), h.id(), nonce, h.nonce(), binding(ctx, true));
                ctx.writeAndFlush(out);
            }
            else
            {
                Handshake.verifyProof(frame, hello.id(), transport.id(), hello.nonce(), nonce, binding(ctx, false));
                if (timeout != null)
                {
                    timeout.cancel(false);
                }
                final InboundFrameHandler inbound = transport.established(ctx.channel(), hello, dialer);
                if (inbound != null)
                {
                    ctx.pipeline().replace(this, "frames", inbound);
                    final FrameDecoder framing = ctx.pipeline().get(FrameDecoder.class);
                    if (framing != null)
                    {
                        framing.sink(inbound);
                    }
                }
            }
        }
        finally
        {
            frame.release();
        }
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
        transport.badInput(ctx.channel(), hello == null ? expected : hello.id(), cause);
    }
}
