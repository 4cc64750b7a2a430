package dev.hearsay.tools;

import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeAddr;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.engine.EngineCounter;
import dev.hearsay.engine.EngineSubscription;
import dev.hearsay.transport.GossipNode;
import dev.hearsay.transport.TransportCounters;
import dev.hearsay.transport.TransportOptions;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code node}: one gossip node in its own process, driven by line commands on stdin and reporting on stdout, so
 * that a parent process (the fault suite of the perf module) can start, watch and kill
 * real nodes. The protocol is in {@link #usage()}. End of stdin is a quit, so a node never outlives its parent.
 */
public final class NodeCommand implements Command
{
    /** Held so that the level set on it stays (loggers are weakly referenced). */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.hearsay");

    @Override
    public String name()
    {
        return "node";
    }

    @Override
    public String summary()
    {
        return "one node process driven by line commands on stdin (for the fault suite)";
    }

    @Override
    public String usage()
    {
        return """
            node [--bind HOST:PORT] [--seed S] [--topic NAME] [--peer ID@HOST:PORT]... [--max-park-ms MS]
              --bind HOST:PORT       listen address (default 127.0.0.1:0, any free port)
              --seed S               key seed: the node id is NodeKey.fromSeed(S) (default: a random key)
              --topic NAME           topic to subscribe to (default "faults")
              --peer ID@HOST:PORT    bootstrap peer (repeatable; none: start the topic alone)
              --max-park-ms MS       longest dispatcher idle park (default 1; keeps many nodes off the CPU)
              --join-timeout-ms MS   how long to wait for the first neighbor before reporting ready anyway
                                     (default 20000; a node with no --peer is ready at once)
              --failure-detection-ms MS
                                     silence after which a peer is reported down (default 2000)
              --handshake-timeout-ms MS, --linger-ms MS, --queue-bytes B
                                     transport options (defaults: TransportOptions.defaults())
              --read-limit BYTES_PER_S
                                     read at most this many bytes a second from the sockets, all
                                     connections together: emulates a slow link or host (default: no limit)
              --source-rate PER_S    new connections accepted a second per source address (0: no limit;
                                     default TransportOptions.defaults(), bursts of twice the rate)
              --quiet                log only errors (fuzzed nodes would log one warning per bad connection)
            stdin, one command per line:
              broadcast TEXT         broadcast TEXT (waits up to 5 s while back-pressured)
              join ID@HOST:PORT...   teach addresses and join through these peers
              neighbors              print the active view
              stats                  GC, then print heap, direct memory, threads and file descriptors
              counters               print transport and engine counters
              quit                   leave the topic politely, close the node, exit 0 (so does end of stdin)
            stdout, one event per line:
              ready ID HOST:PORT               subscribed (and joined when peers were given)
              up PEER / down PEER              a neighbor entered / left the active view
              recv AUTHOR HOPS TEXT            a delivery (TEXT with control characters replaced by '?')
              sent TEXT                        the broadcast of TEXT was accepted
              error broadcast CODE TEXT        it was refused (CODE: BroadcastResult)
              lagged N                         the subscription dropped N events
              neighbors N ID...                reply to neighbors
              stats heapUsed=B directUsed=B threads=N fds=N delivered=N neighbors=N channels=N links=N
              counters NAME=VALUE...           reply to counters
              bye                              closed, about to exit""";
    }

    @Override
    public int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options o;
        try
        {
            o = parse(args);
        }
        catch (final IllegalArgumentException e)
        {
            err.println("node: " + e.getMessage());
            err.println();
            err.println("usage: java -jar hearsay-tools.jar " + usage());
            return Main.EXIT_USAGE;
        }
        final GossipConfig.Builder configBuilder = GossipConfig.builder()
            .idleStrategy(new BackoffIdleStrategy(1, 10, 1_000, TimeUnit.MILLISECONDS.toNanos(o.maxParkMs)));
        if (o.failureDetectionMs != null)
        {
            configBuilder.failureDetectionTimeout(Duration.ofMillis(o.failureDetectionMs));
        }
        final GossipConfig config = configBuilder.build();
        final TransportOptions d = TransportOptions.defaults();
        final TransportOptions limited = new TransportOptions(d.ioMode(), d.ioThreads(),
            o.queueBytes != null ? o.queueBytes : d.outboundQueueBytes(), d.connectTimeoutMillis(),
            o.handshakeTimeoutMs != null ? o.handshakeTimeoutMs : d.handshakeTimeoutMillis(),
            d.slowPeerTimeoutMillis(), o.lingerMs != null ? o.lingerMs : d.lingerMillis(), d.maxPeers())
            .withReadLimitBytesPerSecond(o.readLimit);
        final TransportOptions transport = o.sourceRate == null ? limited : limited.withNewConnectionsPerSource(
            o.sourceRate, Math.max(1, 2 * o.sourceRate));
        if (o.quiet)
        {
            QUIET.setLevel(java.util.logging.Level.SEVERE);
        }
        final GossipNode.Builder builder = GossipNode.builder().bindAddress(o.bind).config(config)
            .transportOptions(transport);
        if (o.seed != null)
        {
            builder.key(NodeKey.fromSeed(o.seed));
        }
        final GossipNode node;
        try
        {
            node = builder.start();
        }
        catch (final UncheckedIOException e)
        {
            err.println("node: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        try
        {
            return serve(node, o, out);
        }
        finally
        {
            node.close();
        }
    }

    private static int serve(final GossipNode node, final Options o, final PrintStream out)
    {
        final List<NodeId> bootstrap = new ArrayList<>();
        for (final PeerSpec p : o.peers)
        {
            node.addPeer(new NodeAddr(p.id(), List.of(p.address())));
            bootstrap.add(p.id());
        }
        final EngineSubscription sub = (EngineSubscription)node.subscribe(TopicId.of(o.topic), bootstrap);
        final Thread events = new Thread(() -> pump(node, sub, out), "node-events");
        events.setDaemon(true);
        events.start();
        if (!bootstrap.isEmpty())
        {
            try
            {
                sub.joined().get(o.joinTimeoutMs, TimeUnit.MILLISECONDS);
            }
            catch (final Exception e)
            {
                // Reported as ready all the same: the parent sees from the missing "up" lines that it is alone.
            }
        }
        final InetSocketAddress local = node.localAddress();
        out.println("ready " + node.id() + " " + local.getAddress().getHostAddress() + ":" + local.getPort());
        out.flush();

        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (!command(node, sub, line.strip(), out))
                {
                    break;
                }
            }
        }
        catch (final IOException e)
        {
            // stdin broken: the parent is gone; quit like on end of input.
        }
        sub.close();
        node.close();
        out.println("bye");
        out.flush();
        return 0;
    }

    /** Handles one command line; false on quit. */
    private static boolean command(final GossipNode node, final EngineSubscription sub, final String line,
        final PrintStream out)
    {
        final int space = line.indexOf(' ');
        final String word = space < 0 ? line : line.substring(0, space);
        final String rest = space < 0 ? "" : line.substring(space + 1);
        switch (word)
        {
            case "broadcast" ->
            {
                final long result = sub.broadcast(rest.getBytes(StandardCharsets.UTF_8),
                    new SleepingMillisIdleStrategy(1), Duration.ofSeconds(5));
                out.println(result >= 0 ? "sent " + rest : "error broadcast " + result + " " + rest);
            }
            case "join" ->
            {
                final List<NodeId> ids = new ArrayList<>();
                for (final String s : rest.trim().split("\\s+"))
                {
                    if (!s.isEmpty())
                    {
                        final PeerSpec p = PeerSpec.parse(s);
                        node.addPeer(new NodeAddr(p.id(), List.of(p.address())));
                        ids.add(p.id());
                    }
                }
                sub.joinPeers(ids);
            }
            case "neighbors" ->
            {
                final StringBuilder sb = new StringBuilder("neighbors ").append(sub.neighbors().size());
                for (final NodeId n : sub.neighbors())
                {
                    sb.append(' ').append(n);
                }
                out.println(sb);
            }
            case "stats" -> out.println(stats(node, sub));
            case "counters" -> out.println(counters(node));
            case "quit" ->
            {
                return false;
            }
            case "" ->
            {
                // blank line: ignore
            }
            default -> out.println("error unknown command " + word);
        }
        out.flush();
        return true;
    }

    /** Hands subscription events to stdout until the subscription closes. */
    private static void pump(final GossipNode node, final EngineSubscription sub, final PrintStream out)
    {
        try
        {
            while (!sub.isClosed() && !node.engine().isClosed())
            {
                final GossipEvent e = sub.next(Duration.ofMillis(200));
                if (e instanceof GossipEvent.Received r)
                {
                    out.println("recv " + r.author() + " " + r.hops() + " " + printable(r.content()));
                }
                else if (e instanceof GossipEvent.NeighborUp u)
                {
                    out.println("up " + u.peer());
                }
                else if (e instanceof GossipEvent.NeighborDown d)
                {
                    out.println("down " + d.peer());
                }
                else if (e instanceof GossipEvent.Lagged l)
                {
                    out.println("lagged " + l.missed());
                }
                else
                {
                    continue;
                }
                out.flush();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String printable(final byte[] content)
    {
        final String s = new String(content, StandardCharsets.UTF_8);
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    private static String stats(final GossipNode node, final EngineSubscription sub)
    {
        // Two collections: the first may only queue finalizable or phantom-reachable objects (direct buffers).
        System.gc();
        System.gc();
        final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                direct = pool.getMemoryUsed();
            }
        }
        final String[] fds = new File("/proc/self/fd").list();
        return "stats heapUsed=" + heap + " directUsed=" + direct
            + " threads=" + ManagementFactory.getThreadMXBean().getThreadCount()
            + " fds=" + (fds == null ? -1 : fds.length)
            + " delivered=" + node.counter(EngineCounter.MESSAGES_DELIVERED)
            + " neighbors=" + sub.neighbors().size()
            + " channels=" + node.transport().openChannels()
            + " links=" + node.transport().peerLinks();
    }

    private static String counters(final GossipNode node)
    {
        final TransportCounters c = node.transport().counters();
        final StringBuilder sb = new StringBuilder("counters");
        sb.append(" accepted=").append(c.accepted.get())
            .append(" dialled=").append(c.dialled.get())
            .append(" dialFailures=").append(c.dialFailures.get())
            .append(" handshakes=").append(c.handshakes.get())
            .append(" handshakeFailures=").append(c.handshakeFailures.get())
            .append(" oversizedFrames=").append(c.oversizedFrames.get())
            .append(" badFrames=").append(c.badFrames.get())
            .append(" truncated=").append(c.truncated.get())
            .append(" slowPeerDisconnects=").append(c.slowPeerDisconnects.get())
            .append(" peersConvicted=").append(c.peersConvicted.get())
            .append(" heartbeatsSent=").append(c.heartbeatsSent.get())
            .append(" heartbeatsReceived=").append(c.heartbeatsReceived.get())
            .append(" queueAllocationFailures=").append(c.queueAllocationFailures.get())
            .append(" badInputTotal=").append(c.badInputTotal())
            .append(" connectionsRefused=").append(c.connectionsRefused.get())
            .append(" connectionsRefusedSourceRate=").append(c.connectionsRefusedSourceRate.get())
            .append(" connectionsRefusedUnauthenticated=").append(c.connectionsRefusedUnauthenticated.get())
            .append(" handshakesRefusedBusy=").append(c.handshakesRefusedBusy.get())
            .append(" connectionSourcesForgotten=").append(c.connectionSourcesForgotten.get())
            .append(" refusedTotal=").append(c.connectionsRefusedTotal());
        for (final EngineCounter e : EngineCounter.values())
        {
            sb.append(' ').append(camel(e.name())).append('=').append(node.counter(e));
        }
        return sb.toString();
    }

    private static String camel(final String constant)
    {
        final StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (final char c : constant.toCharArray())
        {
            if (c == '_')
            {
                upper = true;
            }
            else
            {
                sb.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return sb.toString();
    }

    private static Options parse(final String[] args)
    {
        final Options o = new Options();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--bind" -> o.bind = PeerSpec.address(CliArgs.value(args, ++i, arg));
                case "--seed" -> o.seed = CliArgs.longValue(arg, CliArgs.value(args, ++i, arg));
                case "--topic" -> o.topic = CliArgs.value(args, ++i, arg);
                case "--peer" -> o.peers.add(PeerSpec.parse(CliArgs.value(args, ++i, arg)));
                case "--max-park-ms" -> o.maxParkMs = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 1, 1000);
                case "--handshake-timeout-ms" ->
                    o.handshakeTimeoutMs = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 1, 600_000);
                case "--failure-detection-ms" -> o.failureDetectionMs =
                    CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 100, 600_000);
                case "--linger-ms" -> o.lingerMs = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 0, 3_600_000);
                case "--read-limit" ->
                    o.readLimit = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 1, 1 << 30);
                case "--queue-bytes" ->
                    o.queueBytes = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 4096, 1 << 30);
                case "--quiet" -> o.quiet = true;
                case "--source-rate" ->
                    o.sourceRate = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 0, 500_000);
                case "--join-timeout-ms" ->
                    o.joinTimeoutMs = CliArgs.intValue(arg, CliArgs.value(args, ++i, arg), 0, 3_600_000);
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return o;
    }

    private static final class Options
    {
        InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
        Long seed;
        String topic = "faults";
        final List<PeerSpec> peers = new ArrayList<>();
        int maxParkMs = 1;
        int joinTimeoutMs = 20_000;
        Integer handshakeTimeoutMs;
        Integer lingerMs;
        Integer failureDetectionMs;
        Integer queueBytes;
        int readLimit;
        Integer sourceRate;
        boolean quiet;
    }
}
