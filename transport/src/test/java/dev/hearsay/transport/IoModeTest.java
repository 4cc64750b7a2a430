package dev.hearsay.transport;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

@Timeout(30)
class IoModeTest
{
    @Test
    void autoIsEpollWhereItLoadsAndNioElsewhere()
    {
        assertEquals(Epoll.isAvailable() ? IoMode.EPOLL : IoMode.NIO, IoMode.AUTO.resolve());
        assertEquals(IoMode.NIO, IoMode.NIO.resolve());
    }

    @Test
    void aNodeWithTheDefaultModeStartsAndUsesWhatAutoResolvesTo()
    {
        try (GossipNode node = GossipNode.builder()
            .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .start())
        {
            assertEquals(IoMode.AUTO.resolve(), node.transport().ioMode());
        }
    }

    @Test
    void epollRequestedWhereItDoesNotLoadFailsNamingTheCause()
    {
        assumeFalse(Epoll.isAvailable(), "native epoll loads here");
        final IllegalStateException e = assertThrows(IllegalStateException.class, IoMode.EPOLL::resolve);
        assertTrue(e.getMessage().contains("native epoll is unavailable"), e.getMessage());
    }
}
