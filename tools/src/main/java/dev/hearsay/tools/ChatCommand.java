package dev.hearsay.tools;

import dev.hearsay.BroadcastResult;
import dev.hearsay.GossipConfig;
import dev.hearsay.GossipEvent;
import dev.hearsay.NodeAddr;
import dev.hearsay.NodeId;
import dev.hearsay.Subscription;
import dev.hearsay.SubscriptionOptions;
import dev.hearsay.TopicId;
import dev.hearsay.engine.NodeCounters;
import dev.hearsay.transport.GossipNode;
import dev.hearsay.transport.TransportOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code chat}: an interactive chat room between terminals. Lines read from stdin are broadcast on the topic;
 * messages received are printed with a short author id. The first terminal prints a ticket (topic, its id and
 * addresses, TLS and signing flags) that others pass to {@code --join}. Ordering is per author (FIFO
 * subscription), so each person's lines appear in the order they were typed; a line lost for good shows as a gap.
 * The node's live counters go to a counters file ({@code stat} shows them) unless {@code --no-counters}.
 */
public final class ChatCommand implements Command
{
    private static final long PRINT_POLL_MILLIS = 100;

    private final InputStream stdin;

    public ChatCommand()
    {
        this(null);
    }

    /** A chat reading its lines from {@code stdin} (tests); null means {@link System#in}. */
    ChatCommand(final InputStream stdin)
    {
        this.stdin = stdin;
    }

    @Override
    public String name()
    {
        return "chat";
    }

    @Override
    public String summary()
    {
        return "interactive chat between terminals (prints a ticket; others --join it)";
    }

    @Override
    public String usage()
    {
        return """
            chat --topic NAME [--bind HOST:PORT] [--tls] [--sign] [--counters-dir D | --no-counters]
            chat --join TICKET [--topic NAME] [--bind HOST:PORT] [--counters-dir D | --no-counters]
              --topic NAME       chat room (required unless --join; if both, must match the ticket)
              --join TICKET      join the room of the terminal that printed TICKET (its TLS/signing too)
              --bind HOST:PORT   listen address (default 0.0.0.0:0, any free port on every interface)
              --tls              encrypt connections (TLS 1.3, bound to the node keys)
              --sign             sign every message and drop unsigned or forged ones
              --counters-dir D   where `stat` finds this node's counters (default %s)
              --no-counters      keep counters in memory only
            stdin lines are sent; end of input (Ctrl-D) leaves the room""".formatted(NodeCounters.defaultDirectory());
    }

    /** Parsed options. */
    private static final class Options
    {
        String topicName;
        ChatTicket ticket;
        InetSocketAddress bind = new InetSocketAddress(0);
        boolean tls;
        boolean sign;
        Path countersDir = NodeCounters.defaultDirectory();
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
            err.println("chat: " + e.getMessage());
            err.println();
            err.println("usage: java -jar hearsay-tools.jar " + usage());
            return Main.EXIT_USAGE;
        }

        final TopicId topic = o.ticket != null ? o.ticket.topic() : TopicId.of(o.topicName);
        final boolean tls = o.ticket != null ? o.ticket.tls() : o.tls;
        final boolean sign = o.ticket != null ? o.ticket.signed() : o.sign;
        final GossipConfig config = GossipConfig.builder().countersDir(o.countersDir)
            .signMessages(sign).verifySignatures(sign).build();
        final GossipNode node;
        try
        {
            node = GossipNode.builder().bindAddress(o.bind).config(config)
                .transportOptions(TransportOptions.defaults().withTls(tls)).start();
        }
        catch (final UncheckedIOException e)
        {
            err.println("chat: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        final Thread hook = stdin == null ? new Thread(node::close, "chat-shutdown") : null;
        if (hook != null)
        {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try
        {
            final ChatTicket mine = new ChatTicket(topic, node.id(), node.addr().addresses(), tls, sign);
            out.println("node:   " + shortId(node.id()) + " (" + node.id() + ")");
            out.println("topic:  " + (o.topicName != null ? o.topicName : topic.toString()));
            out.println("ticket: " + mine.encode());
            out.println("* type a line and press enter to send it; Ctrl-D to leave");
            out.flush();

            final Subscription sub;
            if (o.ticket != null)
            {
                node.addPeer(new NodeAddr(o.ticket.node(), o.ticket.addresses()));
                sub = node.subscribe(topic, List.of(o.ticket.node()), SubscriptionOptions.perAuthorFifo());
            }
            else
            {
                sub = node.subscribe(topic, List.of(), SubscriptionOptions.perAuthorFifo());
            }
            final Thread printer = new Thread(() -> print(sub, out), "chat-printer");
            printer.setDaemon(true);
            printer.start();
            final int code = send(sub, config.maxMessageSize(), out, err);
            sub.close();
            printer.interrupt();
            printer.join(TimeUnit.SECONDS.toMillis(5));
            return code;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
        finally
        {
            node.close();
            if (hook != null)
            {
                try
                {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
                catch (final IllegalStateException e)
                {
                    // Already shutting down: the hook closes the (already closed) node again, harmlessly.
                }
            }
        }
    }

    /** Reads stdin lines and broadcasts them until end of input. */
    private int send(final Subscription sub, final int maxMessageSize, final PrintStream out, final PrintStream err)
    {
        final InputStream in = stdin != null ? stdin : System.in;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (line.isBlank())
                {
                    continue;
                }
                final byte[] payload = line.getBytes(StandardCharsets.UTF_8);
                if (payload.length > maxMessageSize)
                {
                    out.println("* not sent: " + payload.length + " bytes, the limit is " + maxMessageSize);
                    continue;
                }
                long result = sub.broadcast(payload);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (result == BroadcastResult.BACK_PRESSURED && System.nanoTime() < deadline)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    result = sub.broadcast(payload);
                }
                if (result < 0)
                {
                    out.println("* not sent: " + BroadcastResult.describe(result));
                }
            }
            return 0;
        }
        catch (final IOException e)
        {
            err.println("chat: reading stdin: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }

    /** Prints what the room says until interrupted. */
    private static void print(final Subscription sub, final PrintStream out)
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                final GossipEvent e = sub.next(Duration.ofMillis(PRINT_POLL_MILLIS));
                if (e instanceof GossipEvent.Received r)
                {
                    out.println(shortId(r.author()) + ": " + new String(r.content(), StandardCharsets.UTF_8));
                }
                else if (e instanceof GossipEvent.NeighborUp up)
                {
                    out.println("* connected to " + shortId(up.peer()));
                }
                else if (e instanceof GossipEvent.NeighborDown down)
                {
                    out.println("* disconnected from " + shortId(down.peer()));
                }
                else if (e instanceof GossipEvent.Gap gap)
                {
                    final long missed = gap.toSequence() - gap.fromSequence() + 1;
                    out.println("* missed " + missed + " line" + (missed == 1 ? "" : "s") + " from "
                        + shortId(gap.author()));
                }
                else if (e instanceof GossipEvent.Lagged lagged)
                {
                    out.println("* too slow: " + lagged.missed() + " events dropped");
                }
                out.flush();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The first 8 hex digits of an id: enough to tell the people in a room apart. */
    static String shortId(final NodeId id)
    {
        return id.toString().substring(0, 8);
    }

    private static Options parse(final String[] args)
    {
        final Options o = new Options();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--topic" -> o.topicName = value(args, ++i, "--topic");
                case "--join" -> o.ticket = ChatTicket.decode(value(args, ++i, "--join"));
                case "--bind" -> o.bind = address(value(args, ++i, "--bind"));
                case "--tls" -> o.tls = true;
                case "--sign" -> o.sign = true;
                case "--counters-dir" -> o.countersDir = Path.of(value(args, ++i, "--counters-dir"));
                case "--no-counters" -> o.countersDir = null;
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (o.ticket == null && o.topicName == null)
        {
            throw new IllegalArgumentException("--topic NAME or --join TICKET is required");
        }
        if (o.topicName != null && o.topicName.isBlank())
        {
            throw new IllegalArgumentException("--topic: empty name");
        }
        if (o.ticket != null && o.topicName != null && !TopicId.of(o.topicName).equals(o.ticket.topic()))
        {
            throw new IllegalArgumentException("--topic " + o.topicName + " is not the topic of the ticket");
        }
        if (o.ticket != null && (o.tls || o.sign))
        {
            throw new IllegalArgumentException("--tls and --sign come from the ticket when joining");
        }
        return o;
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** HOST:PORT, [V6]:PORT or :PORT. */
    static InetSocketAddress address(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("--bind: '" + text + "' is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("--bind: '" + text.substring(colon + 1) + "' is not a port");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("--bind: port " + port + " is outside [0, 65535]");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
