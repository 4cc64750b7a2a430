package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.Version;
import org.jgroups.View;
import org.jgroups.protocols.BaseBundler;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.util.DefaultThreadFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The peer baseline of {@code bench --peer jgroups}: JGroups, a reliable group messaging library, doing what the
 * bench asks of the engine. As many {@link JChannel} members as the bench has nodes, in this JVM, form one cluster
 * over TCP on 127.0.0.1 with the stack of {@value #STACK_RESOURCE} (JGroups' own {@code tcp.xml}: TCPPING discovery
 * with every member's port, NAKACK2 and UNICAST3 retransmission, STABLE, GMS, MFC and UFC credit flow control, FRAG4;
 * TCP_NODELAY on, the transfer-queue bundler). The bench's first {@code publishers} members multicast bench
 * payloads of the bench's size to the group ({@code DONT_LOOPBACK}: a member does not deliver its own), and every
 * member delivers through its {@link Receiver} callback on JGroups' own threads, where it counts and records.
 * <ul>
 * <li>Max rate: the publishers send as fast as {@link JChannel#send} returns (MFC blocks them while a receiver has
 * not granted credits); deliveries per second summed over the receivers, in a window after a ramp, as the engine's
 * are measured.</li>
 * <li>Fixed rate: the publishers keep the engine's schedule (the total rate split over them, staggered, paced like
 * the engine's publishers), and every receiver records one-way latency from each message's slot (coordinated
 * omission corrected) and from its send.</li>
 * </ul>
 * Every message carries its publisher's sequence number, continuing across phases: a member that delivers one out of
 * order, twice or after a gap counts it ({@link #outOfOrder()}). Threads: JGroups' (named {@code bench-jgroups-*},
 * the bench's baseline group) and one publisher thread per publisher for each phase.
 */
final class JGroupsBaseline implements AutoCloseable
{
    /** Value of {@code --peer}. */
    static final String NAME = "jgroups";
    /** The protocol stack, a resource next to this class. */
    static final String STACK_RESOURCE = "jgroups-tcp.xml";
    /** The stack in one line, for the report. */
    static final String STACK = "TCP on 127.0.0.1 (TCP_NODELAY, transfer-queue bundler), TCPPING, MERGE3, FD_SOCK2, "
        + "FD_ALL3, VERIFY_SUSPECT2, BARRIER, NAKACK2, UNICAST3, STABLE, GMS, MFC and UFC (2 MB credits), FRAG4";
    private static final String CLUSTER = "hearsay-bench";
    private static final String THREAD_PREFIX = "bench-jgroups-";
    /** FD_SOCK2 listens at a member's port plus this, or one of the next {@link #FD_SOCK_RANGE} ports. */
    private static final int FD_SOCK_OFFSET = 100;
    private static final int FD_SOCK_RANGE = 3;
    private static final long DRAIN_QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, Payload.ORDER);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, Payload.ORDER);
    /** JGroups logs through java.util.logging here: its INFO lines (addresses, ports) would interleave the report. */
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("org.jgroups");

    static
    {
        LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final int size;
    private final int publishers;
    private final long rate;
    private final JChannel[] channels;
    private final Member[] members;
    private final Sender[] senders;
    /** Deliveries by member and counted tag: {@code [member * Tag.COUNT + tag]}. */
    private final AtomicLongArray delivered;
    private final AtomicLong outOfOrder = new AtomicLong();
    private final long[] expected = new long[Tag.COUNT];
    private final double setupSeconds;

    /** One-way at max rate, from the publisher's call to send (queueing behind flow control included). */
    final Recorder maxRate = LatencyRecorders.recorder();
    /** One-way at the fixed rate, from the slot (corrected for coordinated omission). */
    final Recorder rateCorrected = LatencyRecorders.recorder();
    /** One-way at the fixed rate, from the call to send. */
    final Recorder rateUncorrected = LatencyRecorders.recorder();
    /** How late the publisher called send against its slot. */
    final Recorder pacingLag = LatencyRecorders.recorder();

    /**
     * Starts {@code members} members and waits until each has a view of all of them.
     *
     * @param members    cluster size (at least 2)
     * @param publishers members that publish (at least 1, at most {@code members})
     * @param size       payload bytes (at least {@link Payload#MIN_SIZE})
     * @param rate       messages per second, all publishers together, in {@link #fixedRate}
     */
    JGroupsBaseline(final int members, final int publishers, final int size, final long rate,
        final long joinTimeoutNanos)
    {
        if (members < 2 || publishers < 1 || publishers > members || size < Payload.MIN_SIZE || rate < 1)
        {
            throw new IllegalArgumentException("members " + members + ", publishers " + publishers + ", size " + size
                + ", rate " + rate);
        }
        final long t0 = System.nanoTime();
        this.size = size;
        this.publishers = publishers;
        this.rate = rate;
        this.channels = new JChannel[members];
        this.members = new Member[members];
        this.senders = new Sender[publishers];
        this.delivered = new AtomicLongArray(members * Tag.COUNT);
        final String template = stackTemplate();
        final ServerSocket[] reserved = reservePorts(members);
        final StringBuilder hosts = new StringBuilder();
        for (final ServerSocket s : reserved)
        {
            hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1[").append(s.getLocalPort()).append(']');
        }
        try
        {
            for (int i = 0; i < members; i++)
            {
                this.members[i] = new Member(i);
                final int port = reserved[i].getLocalPort();
                close(reserved[i]);
                final String xml = template.replace("@BIND_PORT@", Integer.toString(port))
                    .replace("@INITIAL_HOSTS@", hosts);
                try (InputStream in = new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                {
                    final JChannel channel = new JChannel(in);
                    channels[i] = channel;
                    channel.name("member-" + i);
                    channel.getProtocolStack().getTransport().setThreadFactory(new Threads());
                    channel.setReceiver(this.members[i]);
                    channel.connect(CLUSTER);
                }
            }
            final long deadline = System.nanoTime() + joinTimeoutNanos;
            for (final Member m : this.members)
            {
                if (!m.joined.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    throw new IllegalStateException("JGroups: member " + m.index + " has no view of all " + members
                        + " members after " + TimeUnit.NANOSECONDS.toMillis(joinTimeoutNanos) + " ms: "
                        + channels[m.index].getViewAsString());
                }
            }
        }
        catch (final Exception ex)
        {
            for (final ServerSocket s : reserved)
            {
                close(s);
            }
            close();
            if (ex instanceof RuntimeException re)
            {
                throw re;
            }
            throw new IllegalStateException("JGroups baseline failed to start: " + ex, ex);
        }
        for (int p = 0; p < publishers; p++)
        {
            senders[p] = new Sender(p);
        }
        setupSeconds = (System.nanoTime() - t0) / 1e9;
    }

    /** JGroups' version, e.g. {@code 5.5.2.Final}. */
    static String version()
    {
        final String d = Version.description;
        final int space = d.indexOf(' ');
        return space < 0 ? d : d.substring(0, space);
    }

    int members()
    {
        return channels.length;
    }

    int publishers()
    {
        return publishers;
    }

    /** Seconds from the constructor's start until every member had the full view. */
    double setupSeconds()
    {
        return setupSeconds;
    }

    /** Messages delivered out of their publisher's order, twice, or after a gap, so far (0 when reliable). */
    long outOfOrder()
    {
        return outOfOrder.get();
    }

    /** Retransmission requests the members sent for multicasts they missed (NAKACK2), so far. */
    long retransmissionRequests()
    {
        long n = 0;
        for (final JChannel c : channels)
        {
            final NAKACK2 nakack = c.getProtocolStack().findProtocol(NAKACK2.class);
            n += nakack == null ? 0 : nakack.getXmitRequestsSent();
        }
        return n;
    }

    /**
     * Messages the members' bundlers dropped for a full queue so far (NAKACK2 or UNICAST3 retransmit them); -1 where
     * JGroups does not let the count be read (it has no accessor: this reads the bundler's field).
     */
    long bundlerDrops()
    {
        try
        {
            final java.lang.reflect.Field field = BaseBundler.class.getDeclaredField("num_drops_on_full_queue");
            field.setAccessible(true);
            long n = 0;
            for (final JChannel c : channels)
            {
                if (c.getProtocolStack().getTransport().getBundler() instanceof BaseBundler bundler)
                {
                    n += ((java.util.concurrent.atomic.LongAdder)field.get(bundler)).sum();
                }
            }
            return n;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return -1;
        }
    }

    /** Result of one phase: what was sent and delivered, and the measured window. */
    record Phase(long sent, long expected, long delivered, long windowDeliveries, long windowNanos, long sendNanos)
    {
        /** Deliveries per second in the window, all receivers together. */
        double deliveriesPerSecond()
        {
            return windowNanos == 0 ? 0 : windowDeliveries * 1e9 / windowNanos;
        }
    }

    /**
     * The publishers send as fast as JGroups takes their messages: {@code rampNanos} unmeasured, {@code nanos}
     * measured; then they stop and the receivers are drained.
     *
     * @param warmup counted as warm-up traffic
     */
    Phase maxRate(final long rampNanos, final long nanos, final boolean warmup)
    {
        final int tag = warmup ? Tag.MAX | Tag.WARM : Tag.MAX;
        final int counted = Tag.counted(tag);
        final long start = System.nanoTime();
        for (final Sender s : senders)
        {
            s.start(tag, 0, 0);
        }
        LockSupport.parkNanos(rampNanos);
        final long d0 = delivered(counted);
        final long t0 = System.nanoTime();
        LockSupport.parkNanos(nanos);
        final long d1 = delivered(counted);
        final long t1 = System.nanoTime();
        return finish(counted, start, d1 - d0, t1 - t0);
    }

    /**
     * The publishers send {@link #rate} messages per second in all for {@code nanos}, on the engine publishers'
     * schedule; then they stop and the receivers are drained.
     */
    Phase fixedRate(final long nanos, final boolean warmup)
    {
        final int tag = warmup ? Tag.RATE | Tag.WARM : Tag.RATE;
        final int counted = Tag.counted(tag);
        final long interval = TimeUnit.SECONDS.toNanos(1) * publishers / rate;
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        for (int p = 0; p < publishers; p++)
        {
            // Staggered over one interval so that the total rate is even, as the engine's publishers are.
            senders[p].start(tag, interval, start + (interval / publishers) * p);
        }
        final long d0 = delivered(counted);
        final long t0 = System.nanoTime();
        LockSupport.parkNanos(nanos);
        final long d1 = delivered(counted);
        return finish(counted, start, d1 - d0, System.nanoTime() - t0);
    }

    /** Drops what the latency recorders hold (after warm-up phases). */
    void resetLatency()
    {
        maxRate.reset();
        rateCorrected.reset();
        rateUncorrected.reset();
        pacingLag.reset();
    }

    /** Moves what the latency recorders hold into the given histograms. */
    void takeLatency(final Histogram max, final Histogram corrected, final Histogram uncorrected, final Histogram lag)
    {
        max.add(maxRate.getIntervalHistogram());
        corrected.add(rateCorrected.getIntervalHistogram());
        uncorrected.add(rateUncorrected.getIntervalHistogram());
        lag.add(pacingLag.getIntervalHistogram());
    }

    private Phase finish(final int counted, final long start, final long windowDeliveries, final long windowNanos)
    {
        long sent = 0;
        for (final Sender s : senders)
        {
            sent += s.stop();
        }
        final long sendNanos = System.nanoTime() - start;
        final long expect = sent * (channels.length - 1);
        expected[counted] += expect;
        final long before = expected[counted] - expect;
        final long total = drain(counted, expected[counted]);
        return new Phase(sent, expect, total - before, windowDeliveries, windowNanos, sendNanos);
    }

    /** Deliveries of {@code tag} at every member so far. */
    long delivered(final int tag)
    {
        long n = 0;
        for (int i = 0; i < channels.length; i++)
        {
            n += delivered.get(i * Tag.COUNT + tag);
        }
        return n;
    }

    /** Waits until {@code expected} deliveries of {@code tag}, or until none came for a while; returns them. */
    private long drain(final int tag, final long expected)
    {
        final long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true)
        {
            final long d = delivered(tag);
            final long now = System.nanoTime();
            if (d >= expected)
            {
                return d;
            }
            if (d != last)
            {
                last = d;
                lastChange = now;
            }
            else if (now - lastChange > DRAIN_QUIET_NANOS || now - start > DRAIN_MAX_NANOS)
            {
                return d;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @Override
    public void close()
    {
        for (final Sender s : senders)
        {
            if (s != null)
            {
                s.stop();
            }
        }
        // Others first, the coordinator last: each leaves a cluster that still has a coordinator to install the view.
        for (int i = channels.length - 1; i >= 0; i--)
        {
            if (channels[i] != null)
            {
                channels[i].close();
            }
        }
    }

    private static String stackTemplate()
    {
        try (InputStream in = JGroupsBaseline.class.getResourceAsStream(STACK_RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + STACK_RESOURCE + " missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Binds {@code n} listening sockets on 127.0.0.1 to ports the system picks, none of them where another member's
     * FD_SOCK2 will listen, and keeps them open: each is closed right before its member binds the port.
     */
    private static ServerSocket[] reservePorts(final int n)
    {
        final List<ServerSocket> kept = new ArrayList<>();
        final List<ServerSocket> rejected = new ArrayList<>();
        try
        {
            final InetAddress loopback = InetAddress.getByName("127.0.0.1");
            while (kept.size() < n)
            {
                final ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(loopback, 0));
                if (clashes(s.getLocalPort(), kept))
                {
                    rejected.add(s);
                }
                else
                {
                    kept.add(s);
                }
                if (rejected.size() > 100)
                {
                    throw new IllegalStateException("no free ports on 127.0.0.1 for the JGroups baseline");
                }
            }
            return kept.toArray(new ServerSocket[0]);
        }
        catch (final IOException ex)
        {
            kept.forEach(JGroupsBaseline::close);
            throw new UncheckedIOException("cannot reserve ports on 127.0.0.1 for the JGroups baseline", ex);
        }
        finally
        {
            rejected.forEach(JGroupsBaseline::close);
        }
    }

    private static boolean clashes(final int port, final List<ServerSocket> kept)
    {
        for (final ServerSocket s : kept)
        {
            final int other = s.getLocalPort();
            final int d1 = port - (other + FD_SOCK_OFFSET);
            final int d2 = other - (port + FD_SOCK_OFFSET);
            if ((d1 >= 0 && d1 <= FD_SOCK_RANGE) || (d2 >= 0 && d2 <= FD_SOCK_RANGE))
            {
                return true;
            }
        }
        return false;
    }

    private static void close(final ServerSocket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException ignored)
        {
            // Nothing to do: it was only holding a port.
        }
    }

    /** One member's delivery callback: counts, checks each publisher's order and records latency. */
    private final class Member implements Receiver
    {
        final int index;
        final CountDownLatch joined = new CountDownLatch(1);
        /** The sequence number expected next from each publisher; written by one delivering thread at a time. */
        private final long[] next = new long[publishers];

        Member(final int index)
        {
            this.index = index;
        }

        @Override
        public void viewAccepted(final View view)
        {
            if (view.size() == channels.length)
            {
                joined.countDown();
            }
        }

        @Override
        public void receive(final Message msg)
        {
            final long now = System.nanoTime();
            if (msg.getLength() < Payload.MIN_SIZE)
            {
                return;
            }
            final byte[] a = msg.getArray();
            final int off = msg.getOffset();
            final long intended = (long)LONG.get(a, off + Payload.INTENDED_OFFSET);
            final long sent = (long)LONG.get(a, off + Payload.SENT_OFFSET);
            final long sequence = (long)LONG.get(a, off + Payload.SEQUENCE_OFFSET);
            final int publisher = (int)INT.get(a, off + Payload.PUBLISHER_OFFSET);
            final int tag = a[off + Payload.TAG_OFFSET];
            final int phase = tag & ~Tag.WARM;
            if (phase == Tag.MAX)
            {
                LatencyRecorders.record(maxRate, now - intended);
            }
            else if (phase == Tag.RATE)
            {
                LatencyRecorders.record(rateCorrected, now - intended);
                LatencyRecorders.record(rateUncorrected, now - sent);
            }
            // JGroups delivers one sender's messages one at a time and in order (its default message processing
            // policy), so next[publisher] has one writer at a time, and the hand-over between its threads orders them.
            if (publisher >= 0 && publisher < next.length)
            {
                if (sequence != next[publisher])
                {
                    outOfOrder.incrementAndGet();
                }
                next[publisher] = sequence + 1;
            }
            delivered.incrementAndGet(index * Tag.COUNT + Tag.counted(tag));
        }
    }

    /**
     * A publisher: for each phase a thread of its own sends bench payloads on its member's channel, as fast as
     * send returns or on a schedule (the engine publishers' pacing: park, then spin to the slot).
     */
    private final class Sender
    {
        private final int index;
        private final AtomicLong sent = new AtomicLong();
        private final TimerSlack slack = new TimerSlack();
        /** Continues across phases, so a receiver checks one publisher's order over the whole run. */
        private long sequence;
        private volatile boolean running;
        private volatile Exception failure;
        private Thread thread;

        Sender(final int index)
        {
            this.index = index;
        }

        void start(final int tag, final long interval, final long start)
        {
            if (thread != null)
            {
                throw new IllegalStateException("publisher busy");
            }
            sent.set(0);
            running = true;
            thread = new Thread(() -> run(tag, interval, start), THREAD_PREFIX + "publisher-" + index);
            thread.setDaemon(true);
            thread.start();
        }

        /** Stops, waits for the thread, returns the messages sent since {@link #start}. */
        long stop()
        {
            final Thread t = thread;
            if (t == null)
            {
                return sent.get();
            }
            running = false;
            try
            {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive())
            {
                throw new IllegalStateException("JGroups publisher " + index + " did not stop within 30 s");
            }
            thread = null;
            if (failure != null)
            {
                throw new IllegalStateException("JGroups publisher " + index + ": send failed", failure);
            }
            return sent.get();
        }

        private void run(final int tag, final long interval, final long start)
        {
            final JChannel channel = channels[index];
            long k = 0;
            try
            {
                if (interval == 0)
                {
                    while (running)
                    {
                        final long now = System.nanoTime();
                        send(channel, now, now, tag);
                    }
                }
                else
                {
                    slack.onPacingThread();
                    while (true)
                    {
                        final long intended = start + k * interval;
                        if (!slack.awaitDeadline(intended, () -> running))
                        {
                            break;
                        }
                        final long now = System.nanoTime();
                        LatencyRecorders.record(pacingLag, now - intended);
                        send(channel, intended, now, tag);
                        k++;
                    }
                }
            }
            catch (final Exception ex)
            {
                failure = ex;
            }
        }

        /** One message: JGroups keeps the array until every member has it (retransmission), so a new one each time. */
        private void send(final JChannel channel, final long intended, final long now, final int tag) throws Exception
        {
            final byte[] payload = new byte[size];
            LONG.set(payload, Payload.INTENDED_OFFSET, intended);
            LONG.set(payload, Payload.SENT_OFFSET, now);
            LONG.set(payload, Payload.SEQUENCE_OFFSET, sequence);
            INT.set(payload, Payload.PUBLISHER_OFFSET, index);
            payload[Payload.TAG_OFFSET] = (byte)tag;
            payload[Payload.ECHO_OFFSET] = (byte)-1;
            channel.send(new BytesMessage(null, payload).setFlag(Message.TransientFlag.DONT_LOOPBACK));
            sequence++;
            sent.lazySet(sent.get() + 1);
        }
    }

    /** JGroups' threads, named {@code bench-jgroups-...} so that the bench counts them as a baseline's. */
    private static final class Threads extends DefaultThreadFactory
    {
        Threads()
        {
            super("bench-jgroups", true, true);
        }

        @Override
        public Thread newThread(final Runnable r, final String name)
        {
            return super.newThread(r, prefixed(name));
        }

        @Override
        public void renameThread(final String base, final Thread thread)
        {
            super.renameThread(prefixed(base), thread);
        }

        @Override
        public void renameThread(final String base, final Thread thread, final String address, final String cluster)
        {
            super.renameThread(prefixed(base), thread, address, cluster);
        }

        private static String prefixed(final String name)
        {
            return name == null || name.startsWith(THREAD_PREFIX) ? name : THREAD_PREFIX + name;
        }
    }
}
