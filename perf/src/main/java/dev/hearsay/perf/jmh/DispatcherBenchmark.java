package dev.hearsay.perf.jmh;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.hearsay.GossipConfig;
import dev.hearsay.GossipHandler;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.codec.WireFormat;
import dev.hearsay.engine.EngineCounter;
import dev.hearsay.engine.GossipEngine;
import dev.hearsay.engine.NetworkEvents;
import dev.hearsay.engine.Transport;
import dev.hearsay.proto.Gossip;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the single dispatcher for received frames, next to the raw Disruptor it is built on, in one run.
 * <ul>
 * <li>{@code engineFrameToSubscriber}: the benchmark thread plays a transport I/O thread, publishing Gossip frames
 * (each a new message id) with {@link NetworkEvents#onFrame}; the dispatcher decodes each, runs PlumTree (dedupe,
 * payload cache) and delivers into a subscription buffer, which the benchmark thread drains with the zero-copy
 * {@code poll}. One op = one frame accepted onto the ring.</li>
 * <li>{@code engineFrameUnknownTopic}: the same path for frames of a topic the node has not joined: ring, decode
 * and dispatch only (the protocol just counts them), which separates the engine's own cost from PlumTree's.</li>
 * <li>{@code rawDisruptorBaseline}: the same producer copying the same frame bytes into a multi-producer ring with
 * a busy-spinning consumer that reads them through an {@code EventPoller}; no decoding, no protocol.</li>
 * </ul>
 * Both consumers busy-spin, so the two threads use both vCPUs. Allocation: run with {@code -prof gc} for the
 * whole-VM rate; the engine state also prints, per iteration, the bytes allocated by the dispatcher thread per
 * message (from the JVM's per-thread allocation counter), which is the steady-state claim being checked.
 * <p>
 * Run: {@code java -cp perf/target/hearsay-perf.jar org.openjdk.jmh.Main Dispatcher -prof gc}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g"})
public class DispatcherBenchmark
{
    private static final TopicId TOPIC = TopicId.of("jmh");

    /** An engine with a transport that accepts every send (nothing is sent for frames from a non-neighbor). */
    @State(Scope.Benchmark)
    public static class EngineState
    {
        @Param({"64"})
        public int payloadSize;

        GossipEngine engine;
        NetworkEvents events;
        Subscription subscription;
        NodeId peer;
        UnsafeBuffer frame;
        UnsafeBuffer unknownTopicFrame;
        int frameLength;
        int sequenceOffset;
        long sequence;
        long delivered;
        final GossipHandler handler = (topic, buffer, offset, length, author, from, hops) -> delivered++;

        private Thread dispatcher;
        private long allocatedAtStart;
        private long messagesAtStart;

        @Setup(Level.Trial)
        public void setUp()
        {
            final GossipConfig config = GossipConfig.builder().idleStrategy(new BusySpinIdleStrategy()).build();
            engine = new GossipEngine(NodeKey.fromSeed(1), config, new NullTransport(), 7, 1).start();
            events = engine.networkEvents();
            subscription = engine.subscribe(TOPIC, List.of());
            peer = NodeKey.fromSeed(2).id();

            final Gossip gossip = new Gossip();
            gossip.set(peer, 1, 1, 0, false).payload(new UnsafeBuffer(new byte[payloadSize]), 0, payloadSize)
                .topic(TOPIC);
            frameLength = MessageEncoder.encodedLength(gossip);
            frame = new UnsafeBuffer(new byte[frameLength]);
            new MessageEncoder().encode(gossip, frame, 0);
            unknownTopicFrame = new UnsafeBuffer(new byte[frameLength]);
            new MessageEncoder().encode(gossip.topic(TopicId.of("not joined")), unknownTopicFrame, 0);
            // Patch the sequence in place per op instead of re-encoding (see docs/wire-format.md, GOSSIP).
            sequenceOffset = WireFormat.HEADER_LENGTH + 1 + NodeId.LENGTH + 4;
            frame.putLong(sequenceOffset, 12345L, WireFormat.BYTE_ORDER);
            final Gossip check = (Gossip)new MessageDecoder(config).decode(frame, 0, frameLength);
            if (check.sequence() != 12345L)
            {
                throw new IllegalStateException("sequence offset is wrong: the wire format changed");
            }
            dispatcher = engine.dispatcherThread();
        }

        @Setup(Level.Iteration)
        public void mark()
        {
            allocatedAtStart = allocatedBytes(dispatcher);
            messagesAtStart = messages();
        }

        @TearDown(Level.Iteration)
        public void report()
        {
            final long messages = messages() - messagesAtStart;
            final long bytes = allocatedBytes(dispatcher) - allocatedAtStart;
            System.out.printf("%n  dispatcher thread: %d ring events, %.3f bytes allocated per event, %d dropped "
                + "(subscriber lagged)%n", messages, messages == 0 ? 0.0 : (double)bytes / messages,
                engine.counter(EngineCounter.SUBSCRIBER_DROPPED));
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            engine.close();
        }

        private long messages()
        {
            return engine.counter(EngineCounter.EVENTS_DISPATCHED);
        }
    }

    /** A multi-producer ring of byte slots and one busy-polling consumer: the Disruptor alone. */
    @State(Scope.Benchmark)
    public static class RawState
    {
        @Param({"64"})
        public int payloadSize;

        RingBuffer<RawSlot> ring;
        UnsafeBuffer frame;
        int frameLength;
        private Thread consumer;
        private volatile boolean running;
        /** Consumer-side tallies, padded away from the fields the producer reads (no false sharing). */
        final long[] tallies = new long[32];

        @Setup(Level.Trial)
        public void setUp()
        {
            frameLength = WireFormat.HEADER_LENGTH + WireFormat.GOSSIP_FIXED_LENGTH + payloadSize;
            frame = new UnsafeBuffer(new byte[frameLength]);
            ring = RingBuffer.createMultiProducer(RawSlot::new, GossipConfig.defaults().ringSize(),
                new BusySpinWaitStrategy());
            final EventPoller<RawSlot> poller = ring.newPoller();
            ring.addGatingSequences(poller.getSequence());
            final EventPoller.Handler<RawSlot> handler = (slot, sequence, endOfBatch) ->
            {
                tallies[16] += slot.buffer.getLong(0) + slot.length;
                tallies[17]++;
                return true;
            };
            running = true;
            consumer = new Thread(() ->
            {
                try
                {
                    while (running)
                    {
                        if (poller.poll(handler) != EventPoller.PollState.PROCESSING)
                        {
                            Thread.onSpinWait();
                        }
                    }
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, "raw-consumer");
            consumer.setDaemon(true);
            consumer.start();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            running = false;
            consumer.join();
        }
    }

    @Benchmark
    public long engineFrameToSubscriber(final EngineState s)
    {
        final UnsafeBuffer frame = s.frame;
        frame.putLong(s.sequenceOffset, ++s.sequence, WireFormat.BYTE_ORDER);
        while (!s.events.onFrame(s.peer, frame, 0, s.frameLength))
        {
            s.subscription.poll(s.handler, 256);
            Thread.onSpinWait();
        }
        s.subscription.poll(s.handler, 256);
        return s.delivered;
    }

    @Benchmark
    public long engineFrameUnknownTopic(final EngineState s)
    {
        while (!s.events.onFrame(s.peer, s.unknownTopicFrame, 0, s.frameLength))
        {
            Thread.onSpinWait();
        }
        return s.sequence;
    }

    @Benchmark
    public long rawDisruptorBaseline(final RawState s)
    {
        final RingBuffer<RawSlot> ring = s.ring;
        long sequence;
        while (true)
        {
            try
            {
                sequence = ring.tryNext();
                break;
            }
            catch (final InsufficientCapacityException ex)
            {
                Thread.onSpinWait();
            }
        }
        final RawSlot slot = ring.get(sequence);
        slot.buffer.putBytes(0, s.frame, 0, s.frameLength);
        slot.length = s.frameLength;
        ring.publish(sequence);
        return sequence;
    }

    static long allocatedBytes(final Thread thread)
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
            .getThreadAllocatedBytes(thread.getId());
    }

    /** Slot of the baseline ring: a preallocated frame buffer. */
    static final class RawSlot
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        int length;
    }

    /** Accepts every send and drops it: the benchmark measures the receive path. */
    static final class NullTransport implements Transport
    {
        @Override
        public void bind(final NetworkEvents events)
        {
        }

        @Override
        public boolean send(final NodeId peer, final DirectBuffer frame, final int offset, final int length)
        {
            return true;
        }

        @Override
        public void disconnect(final NodeId peer)
        {
        }

        @Override
        public void close()
        {
        }
    }
}
