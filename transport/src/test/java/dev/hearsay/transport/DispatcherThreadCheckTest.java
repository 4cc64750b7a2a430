package dev.hearsay.transport;

import dev.hearsay.NodeKey;
import dev.hearsay.ThreadingMode;
import dev.hearsay.engine.DispatcherInvoker;
import dev.hearsay.engine.DispatcherThread;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The debug check of the threading rule (on with assertions, as the tests run): the transport methods reserved for the
 * dispatcher refuse any other thread once the dispatcher runs, and accept its own.
 */
@Timeout(60)
class DispatcherThreadCheckTest
{
    @Test
    void dispatcherOnlyTransportMethodsRefuseOtherThreads() throws Exception
    {
        assumeTrue(DispatcherThread.ENABLED, "checks are off: run with -ea or -Dhearsay.checkThreads=true");
        try (GossipNode node = ClusterTest.loopback(IoMode.AUTO).threadingMode(ThreadingMode.INVOKER).start())
        {
            final DispatcherInvoker invoker = node.invoker();
            final NettyTransport transport = node.nettyTransport();
            final String me = Thread.currentThread().getName();
            // This thread runs a duty cycle: it is the dispatcher thread from now on, and may flush.
            invoker.invoke();
            transport.flush();
            transport.inboundHeld();

            final CompletableFuture<Void> elsewhere = CompletableFuture.runAsync(() ->
                transport.send(NodeKey.fromSeed(9).id(), new UnsafeBuffer(new byte[8]), 0, 8));
            final ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> elsewhere.get(10, TimeUnit.SECONDS));
            final IllegalStateException refused = assertInstanceOf(IllegalStateException.class, thrown.getCause());
            assertTrue(refused.getMessage().startsWith("send is for the dispatcher thread (" + me + ") only"),
                refused.getMessage());
            assertEquals(0, node.transport().pendingDials(), "the refused send dialled nobody");
            assertEquals(0, node.transport().peerLinks());
        }
    }
}
