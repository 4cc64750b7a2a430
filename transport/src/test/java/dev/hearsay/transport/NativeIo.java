package dev.hearsay.transport;

import io.netty.channel.epoll.Epoll;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that ask for an I/O mode by name: {@link IoMode#EPOLL} runs only where Netty's native epoll loads (Linux on
 * x86_64 or aarch64, without {@code -Dio.netty.transport.noNative=true}); elsewhere the test is skipped with the reason.
 */
final class NativeIo
{
    private NativeIo()
    {
    }

    static void assumeAvailable(final IoMode mode)
    {
        assumeTrue(mode != IoMode.EPOLL || Epoll.isAvailable(),
            () -> "native epoll is unavailable here: " + Epoll.unavailabilityCause());
    }
}
