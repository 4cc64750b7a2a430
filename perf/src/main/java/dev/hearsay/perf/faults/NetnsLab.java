package dev.hearsay.perf.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A private network of Linux network namespaces: one namespace per node, each with one veth whose other end is a
 * port of a bridge in a switch namespace. Nothing is created in the host's namespace, and the addresses (a /24 of
 * 10.213.0.0/16) exist only inside these namespaces. Each node's outgoing traffic is impaired: with {@code netem}
 * when the kernel has it (delay and random loss); without it, loss only, by a u32 filter that sends packets whose
 * IP id ends in one of three non-zero 6-bit patterns (3 in 64, about 4.7%) to a queue that holds nothing; the
 * kernel's TCP retransmits them as it would real losses. A partition moves some bridge ports to a second bridge;
 * healing moves them back. Needs root and iproute2; {@link #availability()} says whether and how it can run.
 */
public final class NetnsLab implements AutoCloseable
{
    /** What this machine supports. */
    public enum Support
    {
        /** Namespaces and netem: delay and loss. */
        NETEM,
        /** Namespaces and htb/u32/pfifo but no netem: loss only, no delay. */
        LOSS_ONLY,
        /** Namespaces only: no impairment. */
        PLAIN,
        /** No namespaces (not root, no iproute2, or not allowed). */
        NONE
    }

    private final String prefix;
    private final int nodes;
    private final int subnet;
    private final Support support;
    private final int delayMs;
    private final double lossPercent;
    private final Consumer<String> log;
    private final List<String> created = new ArrayList<>();
    private Thread cleanupHook;

    private NetnsLab(final int nodes, final Support support, final int delayMs, final double lossPercent,
        final Consumer<String> log)
    {
        final long pid = ProcessHandle.current().pid();
        this.prefix = "hsf" + Long.toString(pid % 100_000, 36) + Long.toString(System.nanoTime() % 1296, 36);
        this.nodes = nodes;
        this.subnet = (int)(pid % 250);
        this.support = support;
        this.delayMs = delayMs;
        this.lossPercent = lossPercent;
        this.log = log;
    }

    /** Probes this machine once: can it create namespaces, and impair links with netem or the fallback? */
    public static Support availability()
    {
        if (run(List.of("ip", "-V")) != 0)
        {
            return Support.NONE;
        }
        final String probe = "hsfprobe" + ProcessHandle.current().pid();
        if (run(List.of("ip", "netns", "add", probe)) != 0)
        {
            return Support.NONE;
        }
        try
        {
            if (run(List.of("ip", "-n", probe, "link", "add", "hsa", "type", "veth", "peer", "name", "hsb")) != 0
                || run(List.of("ip", "-n", probe, "link", "set", "hsa", "up")) != 0)
            {
                return Support.NONE;
            }
            if (run(List.of("tc", "-V")) != 0)
            {
                return Support.PLAIN;
            }
            if (run(List.of("tc", "-n", probe, "qdisc", "add", "dev", "hsa", "root", "netem", "delay", "1ms")) == 0)
            {
                return Support.NETEM;
            }
            return run(List.of("tc", "-n", probe, "qdisc", "add", "dev", "hsa", "root", "handle", "1:", "htb")) == 0
                && run(List.of("tc", "-n", probe, "class", "add", "dev", "hsa", "parent", "1:", "classid", "1:20",
                "htb", "rate", "1gbit")) == 0
                && run(List.of("tc", "-n", probe, "qdisc", "add", "dev", "hsa", "parent", "1:20", "pfifo", "limit",
                "0")) == 0
                && run(List.of("tc", "-n", probe, "filter", "add", "dev", "hsa", "parent", "1:", "protocol", "ip",
                "prio", "1", "u32", "match", "u16", "0x0015", "0x003f", "at", "4", "flowid", "1:20")) == 0
                ? Support.LOSS_ONLY : Support.PLAIN;
        }
        finally
        {
            run(List.of("ip", "netns", "del", probe));
        }
    }

    /**
     * Creates the namespaces, the switch and the links.
     *
     * @param nodes       node namespaces.
     * @param support     from {@link #availability()} (not NONE).
     * @param delayMs     one-way delay added to each node's outgoing packets (netem only).
     * @param lossPercent loss of each node's outgoing packets (netem: this rate; fallback: about 4.7%).
     * @param log         progress and the commands' failures.
     */
    public static NetnsLab create(final int nodes, final Support support, final int delayMs, final double lossPercent,
        final Consumer<String> log)
    {
        if (support == Support.NONE)
        {
            throw new IllegalStateException("network namespaces are not available here");
        }
        final NetnsLab lab = new NetnsLab(nodes, support, delayMs, lossPercent, log);
        // Namespaces outlive the process that made them: remove them even if this JVM is stopped mid-run.
        final Thread cleanup = new Thread(lab::close, "netns-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        lab.cleanupHook = cleanup;
        try
        {
            lab.build();
            return lab;
        }
        catch (final RuntimeException e)
        {
            lab.close();
            throw e;
        }
    }

    private void build()
    {
        final String sw = switchNs();
        must("ip", "netns", "add", sw);
        created.add(sw);
        must("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
        must("ip", "-n", sw, "link", "add", "br1", "type", "bridge");
        must("ip", "-n", sw, "link", "set", "br0", "up");
        must("ip", "-n", sw, "link", "set", "br1", "up");
        for (int i = 0; i < nodes; i++)
        {
            final String ns = namespace(i);
            must("ip", "netns", "add", ns);
            created.add(ns);
            must("ip", "-n", ns, "link", "set", "lo", "up");
            must("ip", "-n", sw, "link", "add", port(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
            must("ip", "-n", sw, "link", "set", port(i), "master", "br0");
            must("ip", "-n", sw, "link", "set", port(i), "up");
            must("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            must("ip", "-n", ns, "link", "set", "eth0", "up");
            impair(ns);
        }
        log.accept("netns: " + nodes + " namespaces " + prefix + "-n*, " + describeImpairment());
    }

    private void impair(final String ns)
    {
        switch (support)
        {
            case NETEM -> must("tc", "-n", ns, "qdisc", "add", "dev", "eth0", "root", "netem", "delay",
                delayMs + "ms", "loss", lossPercent + "%");
            case LOSS_ONLY ->
            {
                must("tc", "-n", ns, "qdisc", "add", "dev", "eth0", "root", "handle", "1:", "htb", "default", "10");
                must("tc", "-n", ns, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:10", "htb", "rate",
                    "1gbit");
                must("tc", "-n", ns, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:20", "htb", "rate",
                    "1gbit");
                // A queue of length 0 drops all it is given: the u32 matches below pick the "lost" packets. Id 0 is
                // not among them: packets sent without a full socket (SYN-ACK, resets) all carry id 0.
                must("tc", "-n", ns, "qdisc", "add", "dev", "eth0", "parent", "1:20", "handle", "20:", "pfifo",
                    "limit", "0");
                for (final String pattern : List.of("0x0015", "0x002a", "0x003f"))
                {
                    must("tc", "-n", ns, "filter", "add", "dev", "eth0", "parent", "1:", "protocol", "ip", "prio",
                        "1", "u32", "match", "u16", pattern, "0x003f", "at", "4", "flowid", "1:20");
                }
            }
            default ->
            {
                // No impairment available.
            }
        }
    }

    /** What the links do to packets. */
    public String describeImpairment()
    {
        return switch (support)
        {
            case NETEM -> "netem delay " + delayMs + " ms, loss " + lossPercent + "% on each node's egress";
            case LOSS_ONLY -> "no netem in this kernel: loss about 4.7% on each node's egress (u32 on the IP id), "
                + "no added delay";
            default -> "no impairment (neither netem nor htb/u32 in this kernel)";
        };
    }

    public Support support()
    {
        return support;
    }

    /** Name of node {@code i}'s namespace. */
    public String namespace(final int i)
    {
        return prefix + "-n" + i;
    }

    private String switchNs()
    {
        return prefix + "-sw";
    }

    private static String port(final int i)
    {
        return "v" + i;
    }

    /** Node {@code i}'s address (inside its namespace only). */
    public String address(final int i)
    {
        return "10.213." + subnet + "." + (i + 1);
    }

    /** Cuts nodes {@code side} off from the others (each side still reaches itself). */
    public void partition(final Collection<Integer> side)
    {
        for (final int i : side)
        {
            must("ip", "-n", switchNs(), "link", "set", port(i), "master", "br1");
        }
    }

    /** Undoes {@link #partition}. */
    public void heal(final Collection<Integer> side)
    {
        for (final int i : side)
        {
            must("ip", "-n", switchNs(), "link", "set", port(i), "master", "br0");
        }
    }

    /** Packets dropped by the impairment on node {@code i}'s egress so far (from {@code tc -s}), -1 if unknown. */
    public long dropped(final int i)
    {
        final String out = output(List.of("tc", "-s", "-n", namespace(i), "qdisc", "show", "dev", "eth0"));
        long total = 0;
        boolean found = false;
        for (final String line : out.split("\n"))
        {
            final int at = line.indexOf("(dropped ");
            if (at >= 0)
            {
                final int end = line.indexOf(',', at);
                total += Long.parseLong(line.substring(at + 9, end).trim());
                found = true;
            }
        }
        return found ? total : -1;
    }

    /** Deletes every namespace it created (their links go with them). Kill the processes inside first. */
    @Override
    public synchronized void close()
    {
        final Thread hook = cleanupHook;
        if (hook != null && Thread.currentThread() != hook)
        {
            cleanupHook = null;
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException e)
            {
                // Shutting down already: the hook runs this too (and finds nothing left).
            }
        }
        for (int i = created.size() - 1; i >= 0; i--)
        {
            if (run(List.of("ip", "netns", "del", created.get(i))) != 0)
            {
                log.accept("netns: could not delete " + created.get(i));
            }
        }
        created.clear();
    }

    private void must(final String... cmd)
    {
        final List<String> c = List.of(cmd);
        final int code = run(c);
        if (code != 0)
        {
            throw new IllegalStateException("command failed (" + code + "): " + String.join(" ", c));
        }
    }

    private static int run(final List<String> cmd)
    {
        try
        {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        }
        catch (final IOException e)
        {
            return -1;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String output(final List<String> cmd)
    {
        try
        {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        }
        catch (final IOException e)
        {
            return "";
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
