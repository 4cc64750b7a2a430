package dev.hearsay.transport;

import dev.hearsay.engine.DispatcherHost;
import dev.hearsay.engine.HostedDispatcher;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * An event loop's I/O handler (epoll or NIO) that also runs the engine's dispatcher, so that one thread reads the
 * sockets, handles what they bring and writes what that sends ({@link TransportOptions#dispatcherOnEventLoop()}).
 * Each turn of the loop: one dispatcher duty cycle (whose flush writes what it sent to the sockets on the spot),
 * then the I/O of ready sockets (without waiting when the dispatcher did work or has events on its ring), then the
 * loop's tasks.
 *
 * <p>Sleeping: the loop waits in {@code epoll_wait} (or {@code select}) only if, after the delegate announced the
 * wait (Netty's own wake-up flag), the ring is still empty; a publish on the ring calls {@link #wake()}, which ends
 * such a wait. Netty's handler reads the flag, then asks {@link IoHandlerContext#canBlock()} once more before it
 * waits; that second look at the ring pairs with the publisher's look at the flag. The wait ends by the
 * dispatcher's next deadline ({@link HostedDispatcher#deadlineNanos()}) at the latest: the delegate's delay and
 * deadline are the earlier of the loop's next scheduled task and that, so an idle loop sleeps until its next timer
 * instead of waking on a fixed tick.
 */
final class DispatchingIoHandler implements IoHandler, DispatcherHost
{
    private final IoHandler io;
    private final ThreadAwareExecutor executor;
    private final View view = new View();
    private volatile HostedDispatcher offered;
    private volatile Thread thread;
    private HostedDispatcher dispatcher;
    private boolean dispatcherDone;

    private DispatchingIoHandler(final IoHandler io, final ThreadAwareExecutor executor)
    {
        this.io = io;
        this.executor = executor;
    }

    /** A factory of handlers that delegate to {@code io}'s; the transport picks one of them as the host. */
    static Factory factory(final IoHandlerFactory io)
    {
        return new Factory(io);
    }

    // ------------------------------------------------------------------------ DispatcherHost

    @Override
    public Thread host(final HostedDispatcher hostedDispatcher)
    {
        if (offered != null)
        {
            throw new IllegalStateException("this event loop already hosts a dispatcher");
        }
        offered = hostedDispatcher;
        final Thread t = thread;
        wake();
        return t;
    }

    @Override
    public void wake()
    {
        io.wakeup();
    }

    // ------------------------------------------------------------------------ IoHandler

    @Override
    public void initialize()
    {
        thread = Thread.currentThread();
        io.initialize();
    }

    @Override
    public int run(final IoHandlerContext context)
    {
        HostedDispatcher d = dispatcher;
        if (d == null)
        {
            d = offered;
            if (d == null || dispatcherDone)
            {
                return io.run(context);
            }
            dispatcher = d;
            d.start();
        }
        final int work = d.doWork();
        if (work < 0)
        {
            dispatcher = null;
            dispatcherDone = true;
            return io.run(context);
        }
        view.outer = context;
        view.dispatcher = d;
        view.worked = work > 0;
        return io.run(view);
    }

    @Override
    public void prepareToDestroy()
    {
        // The loop shuts down (the transport closes): a dispatcher still running stops here, on its thread.
        final HostedDispatcher d = dispatcher != null ? dispatcher : offered;
        if (d != null && !dispatcherDone)
        {
            dispatcherDone = true;
            dispatcher = null;
            d.stop();
        }
        io.prepareToDestroy();
    }

    @Override
    public void destroy()
    {
        io.destroy();
    }

    @Override
    public IoRegistration register(final IoHandle handle) throws Exception
    {
        return io.register(handle);
    }

    @Override
    public void wakeup()
    {
        io.wakeup();
    }

    @Override
    public boolean isCompatible(final Class<? extends IoHandle> handleType)
    {
        return io.isCompatible(handleType);
    }

    /** The loop's context as the delegate sees it: no wait while the dispatcher has work. */
    private static final class View implements IoHandlerContext
    {
        IoHandlerContext outer;
        HostedDispatcher dispatcher;
        boolean worked;

        @Override
        public boolean canBlock()
        {
            return !worked && outer.canBlock() && !dispatcher.hasWork();
        }

        @Override
        public long delayNanos(final long currentTimeNanos)
        {
            // Both in System.nanoTime()'s time base, as the delegates pass it.
            return Math.max(0, Math.min(outer.delayNanos(currentTimeNanos),
                dispatcher.deadlineNanos() - currentTimeNanos));
        }

        @Override
        public long deadlineNanos()
        {
            // The delegate compares deadlines only with its previous one (to keep or re-arm its timer) and takes the
            // wait itself from delayNanos: a deadline of either time base works, as long as it changes when the wait
            // does.
            final long now = System.nanoTime();
            final long ours = dispatcher.deadlineNanos();
            return ours - now < outer.delayNanos(now) ? ours : outer.deadlineNanos();
        }

        @Override
        public void reportActiveIoTime(final long activeNanos)
        {
            outer.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime()
        {
            return outer.shouldReportActiveIoTime();
        }
    }

    /** Makes a {@link DispatchingIoHandler} per event loop and remembers them, to pick the host among them. */
    static final class Factory implements IoHandlerFactory
    {
        private final IoHandlerFactory io;
        private final java.util.List<DispatchingIoHandler> handlers = new java.util.concurrent.CopyOnWriteArrayList<>();

        private Factory(final IoHandlerFactory io)
        {
            this.io = io;
        }

        @Override
        public IoHandler newHandler(final ThreadAwareExecutor executor)
        {
            final DispatchingIoHandler handler = new DispatchingIoHandler(io.newHandler(executor), executor);
            handlers.add(handler);
            return handler;
        }

        /** The handler of the event loop {@code loop}, or null if this factory did not make it. */
        DispatchingIoHandler handlerOf(final Object loop)
        {
            for (final DispatchingIoHandler handler : handlers)
            {
                if (handler.executor == loop)
                {
                    return handler;
                }
            }
            return null;
        }
    }
}
