package dev.hearsay.perf.bench;

import dev.hearsay.transport.IoMode;
import dev.hearsay.transport.TransportOptions;

import java.nio.file.Path;
import java.util.Locale;

/** Parsed command line of {@code bench}. Bad values throw {@link IllegalArgumentException} with a clear message. */
final class BenchOptions
{
    static final String USAGE = """
        bench [options]                (the default command: runs with no arguments)
          --nodes N              gossip nodes on loopback (default 5)
          --size BYTES           payload size, at least 32 (default 64)
          --rate MSGS            broadcasts per second, all publishers together, in the latency phase
                                 (default 10000)
          --publishers P         nodes that publish (default 1)
          --duration SECONDS     measured time, all phases together (default 8)
          --warmup SECONDS       unmeasured warm-up first, in rounds like the measured ones, so that the JIT
                                 has compiled every phase (default 10); unless 0, its first round publishes
                                 on until the nodes' bounded caches are full (steady state)
          --no-cache-fill        do not wait for the caches to fill (allocation then counts their growth)
          --preallocate          allocate the nodes' per-topic tables at their bounds at subscribe
                                 (GossipConfig.preallocate, about 77 MiB per node) instead of letting them grow
                                 up to their bounds as load requires (the engine's default, under which
                                 allocation at max rate counts their growth whenever a backlog reaches a new
                                 high-water mark)
          --transport MODE       epoll | nio (default: epoll when available); baselines use the same
          --idle MODE            busy | backoff | timed | sleep: what the dispatchers do when idle (default
                                 backoff, the engine's: spin, yield, park until an event wakes them; timed:
                                 Agrona's backoff, timed parks of 1-100 us that no event shortens)
          --receiver-idle MODE   the same for the bench's receiver thread (default: as --idle)
          --delivery MODE        poll | dispatcher: how the nodes hand messages to the bench (default poll:
                                 into subscription buffers that one receiver thread polls; dispatcher: to a
                                 handler each node's dispatcher thread calls, SubscriptionOptions.
                                 dispatcherHandler, one thread hand-off less; one JVM only)
          --dispatcher WHERE     thread | event-loop: each node's dispatcher on a thread of its own (default),
                                 or on the node's Netty event loop (TransportOptions.dispatcherOnEventLoop:
                                 one thread per node for the ring and the sockets, two hand-offs fewer a hop)
          --processes            run each node in its own JVM (latency is then a round trip)
          --window N             in one JVM only: at max rate, also hold publishers back while more than N
                                 broadcasts are not yet delivered everywhere (application flow control on top
                                 of the engine's back-pressure; default 0: none)
          --subscriber-threads   one reader thread per node polling its subscription (poll(handler, 256), parked
                                 with wakeOnEvents when empty), as applications read, instead of one bench
                                 receiver for all nodes; the subscription buffer is then the engine's default
                                 (2048) unless --subscription-capacity is given
          --overflow POLICY      lossless | drop: what a full subscription buffer does (default lossless, the
                                 engine's: hold the node's flow until the reader makes room; drop: drop and
                                 report Lagged)
          --subscription-capacity EVENTS
                                 subscription buffer of each node (default 65536)
          --outbound-queue BYTES per-peer outbound queue of the transport; publishers are held back above half
                                 of it (default: the transport's, 4194304)
          --slow-peer            scenario instead of the default run: the last node's socket reads are
                                 limited (TransportOptions.readLimitBytesPerSecond) to 10% of the frame
                                 bytes a second it received unthrottled, measured first in a cluster of
                                 its own; reports the other nodes' deliveries/s against that unloaded run
                                 (goal: at least 80%), the slow node's, and how often it was cut or dropped
          --slow-subscriber      scenario instead of the default run (implies --subscriber-threads): the last
                                 node's reader polls at 10% of its unloaded rate (rounds alternate unloaded
                                 and slow; a slow window lasts at least 8 timeouts), then stops for the slow-subscriber timeout plus 1 s and
                                 resumes; reports the others' deliveries/s against unloaded (goal: at least
                                 80%), whether the slow reader lost anything before its cut-over, and its
                                 Lagged events against the gap in the sequence numbers it received
          --slow-subscriber-timeout MS
                                 SubscriptionOptions.slowSubscriberTimeout of the nodes' subscriptions
                                 (default: 1000 with --slow-subscriber, else the engine's, 2000)
          --peer NAME            also measure a peer library in the same run, interleaved with the engine in
                                 every round (same nodes, payload, publishers, schedule and phase lengths), and
                                 print it beside the engine with the ratios (JSON: "peer"). NAME: jgroups (JGroups
                                 members in this JVM over TCP on 127.0.0.1, TCP_NODELAY, transfer-queue bundler,
                                 the reliable stack of JGroups' tcp.xml; adds about 0.5 x --duration plus
                                 0.75 x --warmup plus a few seconds) or none (default); one JVM only
          --validate             every node's subscription carries a MessageValidator that accepts every
                                 message (SubscriptionOptions.withValidator): the cost of validation on the
                                 I/O threads, to compare with a run without it
          --sign                 also measure a cluster whose nodes sign every message and verify every one
                                 they receive (GossipConfig.signMessages, verifySignatures; the GossipNode
                                 default scheme, BouncyCastle Ed25519), at max rate right after the plain
                                 cluster in every round, for as long; printed beside it with the ratio
                                 (JSON: "secure"); one JVM only
          --signature-linger US  with --sign: how long the signing nodes' dispatchers may wait for a run of
                                 messages to sign at once (GossipConfig.signatureLinger; default 0)
          --tls                  the same for a cluster with TLS 1.3 on every connection
                                 (TransportOptions.withTls); with --sign, both are measured
          --verbose              the full text report (setup, per node, CPU, GC, protocol counters, round
                                 by round, what each goal measured) instead of the one-screen summary
          --json                 print exactly one JSON object on stdout
          --report DIR           also write HdrHistogram .hgrm files and report.html (offline SVG plot)
          --quiet                no progress line on stderr""";

    int nodes = 5;
    int size = 64;
    long rate = 10_000;
    int publishers = 1;
    double durationSeconds = 8;
    double warmupSeconds = 10;
    IoMode ioMode = IoMode.AUTO;
    IdleMode idle = IdleMode.BACKOFF;
    IdleMode receiverIdle;
    /** Deliveries handed over on the dispatcher threads (SubscriptionOptions.dispatcherHandler), not polled. */
    boolean dispatcherDelivery;
    /** Each node's dispatcher runs on its event loop (TransportOptions.dispatcherOnEventLoop). */
    boolean dispatcherOnEventLoop;
    /** One reader thread per node, as an application has, instead of one bench receiver for all. */
    boolean subscriberThreads;
    /** What the nodes' subscription buffers do when full. */
    dev.hearsay.OverflowPolicy overflow = dev.hearsay.OverflowPolicy.LOSSLESS;
    boolean processes;
    long window;
    int subscriptionCapacity = 65_536;
    private boolean subscriptionCapacitySet;
    int outboundQueueBytes = TransportOptions.defaults().outboundQueueBytes();
    boolean json;
    /** The full text report instead of the one-screen summary. */
    boolean verbose;
    Path reportDir;
    boolean quiet;
    boolean cacheFill = true;
    boolean preallocate;
    /** The peer baseline to measure beside the engine ({@code --peer}), or null. */
    String peer;
    /** Every node's subscription validates with a trivial accepting validator ({@code --validate}). */
    boolean validate;
    /** Also measure a signing and verifying cluster ({@code --sign}). */
    boolean sign;
    /** With --sign: GossipConfig.signatureLinger of the signing cluster, microseconds (0: the default). */
    long signatureLingerMicros;
    /** Also measure a TLS cluster ({@code --tls}). */
    boolean tls;
    String topic = "hearsay-bench";
    /** Scenario: the last node's socket reads throttled (see {@link SlowScenarioRun}). */
    boolean slowPeer;
    /** Scenario: the last node's reader slow, then stalled (see {@link SlowScenarioRun}). */
    boolean slowSubscriber;
    /** SubscriptionOptions.slowSubscriberTimeout of the subscriptions polled by threads; 0: the engine's. */
    int slowSubscriberTimeoutMillis;
    private boolean slowSubscriberTimeoutSet;

    /** {@code o} with the bench's trivial accepting validator when {@code --validate} is on. */
    dev.hearsay.SubscriptionOptions validating(final dev.hearsay.SubscriptionOptions o)
    {
        return validate ? o.withValidator((topic, buffer, offset, length, author, from, hops) ->
            length >= 0 ? dev.hearsay.Validation.ACCEPT : dev.hearsay.Validation.REJECT) : o;
    }

    static BenchOptions parse(final String[] args)
    {
        final BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--nodes" -> o.nodes = (int)longValue(arg, value(args, ++i, arg), 2, 64);
                case "--size" -> o.size = (int)longValue(arg, value(args, ++i, arg), Payload.MIN_SIZE, 4096);
                case "--rate" -> o.rate = longValue(arg, value(args, ++i, arg), 1, 10_000_000);
                case "--publishers" -> o.publishers = (int)longValue(arg, value(args, ++i, arg), 1, 64);
                case "--duration" -> o.durationSeconds = doubleValue(arg, value(args, ++i, arg), 0.1, 86_400);
                case "--warmup" -> o.warmupSeconds = doubleValue(arg, value(args, ++i, arg), 0, 86_400);
                case "--transport" ->
                {
                    final String v = value(args, ++i, arg);
                    o.ioMode = switch (v)
                    {
                        case "epoll" -> IoMode.EPOLL;
                        case "nio" -> IoMode.NIO;
                        default -> throw new IllegalArgumentException("--transport: '" + v + "' is not epoll or nio");
                    };
                }
                case "--idle" ->
                {
                    final String v = value(args, ++i, arg);
                    o.idle = IdleMode.fromCliName(v);
                    if (o.idle == null)
                    {
                        throw new IllegalArgumentException("--idle: '" + v + "' is not busy, backoff, timed or sleep");
                    }
                }
                case "--receiver-idle" ->
                {
                    final String v = value(args, ++i, arg);
                    o.receiverIdle = IdleMode.fromCliName(v);
                    if (o.receiverIdle == null)
                    {
                        throw new IllegalArgumentException("--receiver-idle: '" + v
                            + "' is not busy, backoff, timed or sleep");
                    }
                }
                case "--delivery" ->
                {
                    final String v = value(args, ++i, arg);
                    o.dispatcherDelivery = switch (v)
                    {
                        case "poll" -> false;
                        case "dispatcher" -> true;
                        default -> throw new IllegalArgumentException("--delivery: '" + v
                            + "' is not poll or dispatcher");
                    };
                }
                case "--dispatcher" ->
                {
                    final String v = value(args, ++i, arg);
                    o.dispatcherOnEventLoop = switch (v)
                    {
                        case "thread" -> false;
                        case "event-loop" -> true;
                        default -> throw new IllegalArgumentException("--dispatcher: '" + v
                            + "' is not thread or event-loop");
                    };
                }
                case "--processes" -> o.processes = true;
                case "--sign" -> o.sign = true;
                case "--signature-linger" -> o.signatureLingerMicros = longValue(arg, value(args, ++i, arg), 0, 100_000);
                case "--validate" -> o.validate = true;
                case "--tls" -> o.tls = true;
                case "--window" -> o.window = longValue(arg, value(args, ++i, arg), 0, 1 << 30);
                case "--subscription-capacity" ->
                {
                    o.subscriptionCapacity = (int)longValue(arg, value(args, ++i, arg), 16, 1 << 24);
                    o.subscriptionCapacitySet = true;
                }
                case "--subscriber-threads" -> o.subscriberThreads = true;
                case "--overflow" ->
                {
                    final String v = value(args, ++i, arg);
                    o.overflow = switch (v)
                    {
                        case "lossless" -> dev.hearsay.OverflowPolicy.LOSSLESS;
                        case "drop" -> dev.hearsay.OverflowPolicy.DROP;
                        default -> throw new IllegalArgumentException("--overflow: lossless or drop, not '" + v + "'");
                    };
                }
                case "--outbound-queue" ->
                    o.outboundQueueBytes = (int)longValue(arg, value(args, ++i, arg), 4096, 1 << 30);
                case "--slow-peer" -> o.slowPeer = true;
                case "--slow-subscriber" -> o.slowSubscriber = true;
                case "--slow-subscriber-timeout" ->
                {
                    o.slowSubscriberTimeoutMillis = (int)longValue(arg, value(args, ++i, arg), 1, 3_600_000);
                    o.slowSubscriberTimeoutSet = true;
                }
                case "--peer" ->
                {
                    final String v = value(args, ++i, arg);
                    o.peer = switch (v)
                    {
                        case JGroupsBaseline.NAME -> JGroupsBaseline.NAME;
                        case "none" -> null;
                        default -> throw new IllegalArgumentException("--peer: '" + v + "' is not jgroups or none");
                    };
                }
                case "--json" -> o.json = true;
                case "--report" -> o.reportDir = Path.of(value(args, ++i, arg));
                case "--quiet" -> o.quiet = true;
                case "--verbose" -> o.verbose = true;
                case "--no-cache-fill" -> o.cacheFill = false;
                case "--preallocate" -> o.preallocate = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (o.slowPeer && o.slowSubscriber)
        {
            throw new IllegalArgumentException("--slow-peer and --slow-subscriber are two runs: give one");
        }
        if ((o.slowPeer || o.slowSubscriber) && (o.processes || o.dispatcherDelivery))
        {
            throw new IllegalArgumentException("--slow-peer and --slow-subscriber run the nodes in one JVM, read by "
                + "polling (no --processes, no --delivery dispatcher)");
        }
        if ((o.slowPeer || o.slowSubscriber) && o.publishers >= o.nodes)
        {
            throw new IllegalArgumentException("--publishers: the slow node (the last) must not publish: at most "
                + (o.nodes - 1) + " of --nodes " + o.nodes);
        }
        if ((o.slowPeer || o.slowSubscriber) && (o.reportDir != null || o.window > 0))
        {
            throw new IllegalArgumentException("--report and --window apply to the default run, not to --slow-peer "
                + "or --slow-subscriber");
        }
        if (o.slowSubscriber)
        {
            if (o.overflow != dev.hearsay.OverflowPolicy.LOSSLESS)
            {
                throw new IllegalArgumentException("--slow-subscriber measures the lossless subscription's cut-over "
                    + "(no --overflow drop)");
            }
            o.subscriberThreads = true;
            if (!o.slowSubscriberTimeoutSet)
            {
                o.slowSubscriberTimeoutMillis = SlowScenarioRun.SLOW_SUBSCRIBER_TIMEOUT_MILLIS;
            }
        }
        if (o.slowSubscriberTimeoutSet && !o.subscriberThreads)
        {
            throw new IllegalArgumentException("--slow-subscriber-timeout applies to subscriptions polled by "
                + "threads (--subscriber-threads or --slow-subscriber)");
        }
        if (o.subscriberThreads && (o.dispatcherDelivery || o.processes))
        {
            throw new IllegalArgumentException("--subscriber-threads polls in one JVM (no --processes, no "
                + "--delivery dispatcher)");
        }
        if (o.subscriberThreads && !o.subscriptionCapacitySet)
        {
            // As an application runs it: the engine's own subscription buffer.
            o.subscriptionCapacity = dev.hearsay.GossipConfig.defaults().subscriptionCapacity();
        }
        if (o.dispatcherDelivery && o.processes)
        {
            // A child echoes fixed-rate messages by broadcasting, which must not wait inside a dispatcher.
            throw new IllegalArgumentException("--delivery dispatcher needs the nodes in one JVM (no --processes)");
        }
        if (o.window > 0 && o.processes)
        {
            throw new IllegalArgumentException("--window needs the nodes in one JVM (no --processes)");
        }
        if (o.peer != null && o.processes)
        {
            // The peer's one-way latency is taken on one clock; across JVMs the engine's is a round trip.
            throw new IllegalArgumentException("--peer runs beside nodes in one JVM (no --processes)");
        }
        if (o.publishers > o.nodes)
        {
            throw new IllegalArgumentException("--publishers: " + o.publishers + " is more than --nodes " + o.nodes);
        }
        if (o.signatureLingerMicros > 0 && !o.sign)
        {
            throw new IllegalArgumentException("--signature-linger applies to the --sign cluster; add --sign");
        }
        if ((o.sign || o.tls) && (o.processes || o.slowPeer || o.slowSubscriber))
        {
            throw new IllegalArgumentException("--sign and --tls measure a second cluster beside the default run's, in "
                + "one JVM (no --processes, --slow-peer or --slow-subscriber)");
        }
        return o;
    }

    /** The secure configurations to measure beside the plain one, in report order. */
    java.util.List<SecureVariant> secureVariants()
    {
        final java.util.List<SecureVariant> variants = new java.util.ArrayList<>();
        if (sign)
        {
            variants.add(SecureVariant.SIGN);
        }
        if (tls)
        {
            variants.add(SecureVariant.TLS);
        }
        return variants;
    }

    /** What the receiver thread does when idle. */
    IdleMode receiverIdle()
    {
        return receiverIdle != null ? receiverIdle : idle;
    }

    /** Transport settings of the bench's nodes: the defaults with the chosen I/O mode, queue bound and dispatcher place. */
    TransportOptions transportOptions()
    {
        return TransportOptions.defaults().withIoMode(ioMode).withOutboundQueueBytes(outboundQueueBytes)
            .withDispatcherOnEventLoop(dispatcherOnEventLoop);
    }

    /** The command line that reproduces these options (for the report). */
    String commandLine()
    {
        final StringBuilder sb = new StringBuilder("java -jar perf/target/hearsay-perf.jar bench");
        sb.append(" --nodes ").append(nodes).append(" --size ").append(size).append(" --rate ").append(rate)
            .append(" --publishers ").append(publishers)
            .append(" --duration ").append(seconds(durationSeconds))
            .append(" --warmup ").append(seconds(warmupSeconds))
            .append(" --idle ").append(idle.cliName());
        if (receiverIdle != null && receiverIdle != idle)
        {
            sb.append(" --receiver-idle ").append(receiverIdle.cliName());
        }
        if (ioMode != IoMode.AUTO)
        {
            sb.append(" --transport ").append(ioMode.name().toLowerCase(Locale.ROOT));
        }
        if (dispatcherDelivery)
        {
            sb.append(" --delivery dispatcher");
        }
        if (dispatcherOnEventLoop)
        {
            sb.append(" --dispatcher event-loop");
        }
        if (processes)
        {
            sb.append(" --processes");
        }
        if (!cacheFill)
        {
            sb.append(" --no-cache-fill");
        }
        if (preallocate)
        {
            sb.append(" --preallocate");
        }
        if (window > 0)
        {
            sb.append(" --window ").append(window);
        }
        if (subscriberThreads && !slowSubscriber)
        {
            sb.append(" --subscriber-threads");
        }
        if (overflow != dev.hearsay.OverflowPolicy.LOSSLESS)
        {
            sb.append(" --overflow drop");
        }
        if (subscriptionCapacitySet)
        {
            sb.append(" --subscription-capacity ").append(subscriptionCapacity);
        }
        if (slowPeer)
        {
            sb.append(" --slow-peer");
        }
        if (slowSubscriber)
        {
            sb.append(" --slow-subscriber");
        }
        if (slowSubscriberTimeoutSet)
        {
            sb.append(" --slow-subscriber-timeout ").append(slowSubscriberTimeoutMillis);
        }
        if (outboundQueueBytes != TransportOptions.defaults().outboundQueueBytes())
        {
            sb.append(" --outbound-queue ").append(outboundQueueBytes);
        }
        if (sign)
        {
            sb.append(" --sign");
        }
        if (signatureLingerMicros > 0)
        {
            sb.append(" --signature-linger ").append(signatureLingerMicros);
        }
        if (tls)
        {
            sb.append(" --tls");
        }
        if (peer != null)
        {
            sb.append(" --peer ").append(peer);
        }
        return sb.toString();
    }

    private static String seconds(final double s)
    {
        return s == Math.rint(s) ? String.valueOf((long)s) : String.valueOf(s);
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length || args[index].startsWith("--"))
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static long longValue(final String option, final String value, final long min, final long max)
    {
        final long v;
        try
        {
            v = Long.parseLong(value.replace("_", ""));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not an integer");
        }
        if (v < min || v > max)
        {
            throw new IllegalArgumentException(option + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    private static double doubleValue(final String option, final String value, final double min, final double max)
    {
        final double v;
        try
        {
            v = Double.parseDouble(value);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a number");
        }
        if (!(v >= min && v <= max))
        {
            throw new IllegalArgumentException(option + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }
}
