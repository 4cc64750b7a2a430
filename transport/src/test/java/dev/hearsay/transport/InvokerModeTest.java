package dev.hearsay.transport;

import dev.hearsay.GossipEvent;
import dev.hearsay.Subscription;
import dev.hearsay.ThreadingMode;
import dev.hearsay.TopicId;
import dev.hearsay.engine.DispatcherInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ThreadingMode.INVOKER: the application's thread runs the dispatcher, and only that thread. */
@Timeout(60)
class InvokerModeTest
{
    @RepeatedTest(3)
    void anApplicationThreadRunsTheDispatcherUntilTheNodeCloses() throws Exception
    {
        final TopicId topic = TopicId.of("invoker");
        try (GossipNode publisher = ClusterTest.loopback(IoMode.AUTO).start())
        {
            final GossipNode node = ClusterTest.loopback(IoMode.AUTO).threadingMode(ThreadingMode.INVOKER).start();
            final DispatcherInvoker invoker = node.invoker();
            final AtomicReference<Thread> loopThread = new AtomicReference<>();
            final CompletableFuture<Long> loop = CompletableFuture.supplyAsync(() ->
            {
                loopThread.set(Thread.currentThread());
                final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
                long cycles = 0;
                int work;
                while ((work = invoker.invoke()) >= 0)
                {
                    cycles++;
                    idle.idle(work);
                }
                return cycles;
            });
            node.addPeer(publisher.addr());
            final Subscription reader = node.subscribe(topic, List.of(publisher.id()));
            final Subscription writer = publisher.subscribe(topic, List.of());
            reader.joined().get(10, TimeUnit.SECONDS);
            writer.joined().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++)
            {
                while (writer.broadcast(("m" + i).getBytes(StandardCharsets.UTF_8)) < 0)
                {
                    Thread.onSpinWait();
                }
            }
            for (int i = 0; i < 100; i++)
            {
                final GossipEvent e = nextMessage(reader);
                assertEquals("m" + i, new String(((GossipEvent.Received)e).content(), StandardCharsets.UTF_8));
            }
            assertThrows(IllegalStateException.class, invoker::invoke, "a second thread is refused");
            node.close();
            assertTrue(loop.get(20, TimeUnit.SECONDS) > 0, "the loop ends once the node has closed");
            assertTrue(invoker.isClosed());
            assertTrue(loopThread.get() != Thread.currentThread());
        }
    }

    @Test
    void aNodeClosedBeforeAnyInvokeClosesCleanly() throws Exception
    {
        final GossipNode node = ClusterTest.loopback(IoMode.AUTO).threadingMode(ThreadingMode.INVOKER).start();
        node.subscribe(TopicId.of("never-invoked"), List.of());
        node.close();
        assertTrue(node.invoker().isClosed());
        assertEquals(-1, node.invoker().invoke(), "the closing thread took the dispatcher over and stopped it");
    }

    @Test
    void anotherModeHasNoInvoker()
    {
        try (GossipNode node = ClusterTest.loopback(IoMode.AUTO).start())
        {
            assertThrows(IllegalStateException.class, node::invoker);
        }
    }

    private static GossipEvent nextMessage(final Subscription sub) throws InterruptedException
    {
        while (true)
        {
            final GossipEvent e = sub.next(Duration.ofSeconds(10));
            if (e == null || e instanceof GossipEvent.Received)
            {
                return assertInstanceOf(GossipEvent.Received.class, e);
            }
        }
    }
}
