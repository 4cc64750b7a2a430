package dev.hearsay.perf.bench;

import dev.hearsay.NodeAddr;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.TopicId;
import dev.hearsay.transport.GossipNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One node of a multi-process bench ({@code bench --processes}): a {@link GossipNode} on loopback with its receiver
 * and publisher threads, driven by the parent over stdin/stdout, one command and one reply per line. The protocol
 * is private to the bench (see {@link ProcessCluster}); diagnostics go to stderr.
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp hearsay-perf.jar
 * dev.hearsay.perf.bench.BenchChild INDEX [bench options]}.
 */
public final class BenchChild
{
    private final int index;
    private final BenchOptions options;
    private final GossipNode node;
    private final LatencyRecorders latency = new LatencyRecorders();
    private final ThreadMeter meter = new ThreadMeter();
    private final Map<NodeId, Integer> indexOf = new HashMap<>();
    private Subscription subscription;
    private Receiver receiver;
    private Publisher publisher;

    private BenchChild(final int index, final BenchOptions options)
    {
        this.index = index;
        this.options = options;
        this.node = GossipNode.builder()
            .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .config(LocalCluster.config(options))
            .transportOptions(options.transportOptions())
            .start();
    }

    /** Entry point of a child JVM. */
    public static void main(final String[] args) throws IOException
    {
        final int index = Integer.parseInt(args[0]);
        final BenchOptions options = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final LogLimiter logs = LogLimiter.install();
        final BenchChild child = new BenchChild(index, options);
        out.println("ready " + child.node.id() + " " + child.node.localAddress().getPort());
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        try
        {
            while ((line = in.readLine()) != null)
            {
                final String reply = child.handle(line.trim().split(" "));
                if (reply == null)
                {
                    break;
                }
                out.println(reply);
            }
        }
        finally
        {
            child.close();
            logs.summarize(System.err);
        }
        System.exit(0);
    }

    private String handle(final String[] words)
    {
        switch (words[0])
        {
            case "peer":
            {
                final int peerIndex = Integer.parseInt(words[1]);
                final NodeId id = NodeId.parse(words[2]);
                indexOf.put(id, peerIndex);
                if (peerIndex != index)
                {
                    node.addPeer(new NodeAddr(id, List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        Integer.parseInt(words[3])))));
                }
                return "ok";
            }
            case "join":
            {
                final List<NodeId> bootstrap = new ArrayList<>();
                if (!"-".equals(words[1]))
                {
                    for (final String hex : words[1].split(","))
                    {
                        bootstrap.add(NodeId.parse(hex));
                    }
                }
                subscription = node.subscribe(TopicId.of(options.topic), bootstrap,
                    options.validating(dev.hearsay.SubscriptionOptions.defaults().withOverflow(options.overflow)));
                receiver = new Receiver(new Subscription[] {subscription}, new int[] {index},
                    options.receiverIdle().createForReceiver(), latency, false, options.size).start("bench-receiver");
                return "ok";
            }
            case "neighbors":
            {
                final StringJoiner joiner = new StringJoiner(" ", "neighbors ", "");
                for (final NodeId peer : subscription.neighbors())
                {
                    joiner.add(String.valueOf(indexOf.getOrDefault(peer, -1)));
                }
                return joiner.toString();
            }
            case "start":
            {
                if (publisher == null)
                {
                    publisher = new Publisher(subscription, index, options.nodes, options.size, latency);
                }
                final long interval = Long.parseLong(words[2]);
                publisher.start(Integer.parseInt(words[1]), interval, System.nanoTime() + Long.parseLong(words[3]),
                    interval > 0);
                return "ok";
            }
            case "stop":
                return "stopped " + (publisher == null ? 0 : publisher.stop());
            case "snapshot":
                return snapshot();
            case "delivered":
                return "delivered " + (receiver == null ? 0 : receiver.delivered(0, Integer.parseInt(words[1])));
            case "latency":
            {
                final Latencies taken = new Latencies();
                taken.takeFrom(latency);
                return "latency " + taken.encode();
            }
            case "reset":
                // After the warm-up (see LocalCluster.takeLatency): its stragglers are neither echoed nor recorded.
                if (receiver != null)
                {
                    receiver.warmupOver();
                }
                latency.reset();
                return "ok";
            case "quit":
                return null;
            default:
                return "error unknown command " + words[0];
        }
    }

    /** {@code snapshot NANOS DELIVERED[tags] THREADS[fields x groups] GC_COUNT GC_MILLIS BACK_PRESSURED COUNTERS}. */
    private String snapshot()
    {
        final StringBuilder sb = new StringBuilder("snapshot ");
        final long now = System.nanoTime();
        sb.append(now);
        for (int tag = 0; tag < Tag.COUNT; tag++)
        {
            sb.append(' ').append(receiver == null ? 0 : receiver.delivered(0, tag));
        }
        for (final long value : meter.read())
        {
            sb.append(' ').append(value);
        }
        sb.append(' ').append(ThreadMeter.gcCount()).append(' ').append(ThreadMeter.gcMillis());
        sb.append(' ').append(publisher == null ? 0 : publisher.backPressured());
        final Map<String, Long> counters = new LinkedHashMap<>();
        NodeCounters.addTo(node, counters);
        for (final String name : NodeCounters.NAMES)
        {
            sb.append(' ').append(counters.get(name));
        }
        return sb.toString();
    }

    private void close()
    {
        if (publisher != null)
        {
            publisher.close();
        }
        if (receiver != null)
        {
            receiver.close();
        }
        node.close();
    }
}
