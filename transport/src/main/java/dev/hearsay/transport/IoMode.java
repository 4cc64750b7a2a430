package dev.hearsay.transport;

import io.netty.channel.epoll.Epoll;

/** Which Netty I/O implementation a node uses. */
public enum IoMode
{
    /** Native epoll when {@link Epoll#isAvailable()}, NIO otherwise. */
    AUTO,
    /** Native epoll (Linux); fails at start if unavailable. */
    EPOLL,
    /** Java NIO selectors: portable. */
    NIO;

    /** The concrete mode this one resolves to on this machine. */
    public IoMode resolve()
    {
        if (this == AUTO)
        {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        if (this == EPOLL && !Epoll.isAvailable())
        {
            throw new IllegalStateException("ioMode: EPOLL requested but native epoll is unavailable: "
                + Epoll.unavailabilityCause());
        }
        return this;
    }
}
