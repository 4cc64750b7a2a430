package dev.hearsay.tools;

import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code chat} end to end: two chat commands in this JVM, driven through their stdin and stdout. */
class ChatCommandTest
{
    /** Collects what a command prints, line by line, for waiting on. */
    private static final class Lines extends OutputStream
    {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void write(final int b)
        {
            if (b == '\n')
            {
                lines.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            }
            else
            {
                current.write(b);
            }
        }

        synchronized List<String> snapshot()
        {
            return new ArrayList<>(lines);
        }

        String await(final Predicate<String> match, final String what)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline)
            {
                for (final String line : snapshot())
                {
                    if (match.test(line))
                    {
                        return line;
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            fail("no line " + what + " in " + snapshot());
            return null;
        }
    }

    /** A running chat command: its stdin to write to, its stdout lines, its exit code. */
    private static final class Chat
    {
        final PipedOutputStream stdin = new PipedOutputStream();
        final Lines out = new Lines();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> exit;

        Chat(final String... args) throws IOException
        {
            final PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
            final PrintStream printOut = new PrintStream(out, true, StandardCharsets.UTF_8);
            final PrintStream printErr = new PrintStream(err, true, StandardCharsets.UTF_8);
            exit = CompletableFuture.supplyAsync(() -> new ChatCommand(in).run(args, printOut, printErr));
        }

        void say(final String line) throws IOException
        {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        String ticket()
        {
            return out.await(l -> l.startsWith("ticket: "), "ticket").substring("ticket: ".length());
        }

        String id()
        {
            return out.await(l -> l.startsWith("node: "), "node").substring("node:   ".length(), "node:   ".length()
                + 8);
        }

        int leave() throws Exception
        {
            stdin.close();
            return exit.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void twoTerminalsTalkThroughATicket(@TempDir final Path counters) throws Exception
    {
        final String dir = counters.toString();
        final Chat alice = new Chat("--topic", "lobby", "--bind", "127.0.0.1:0", "--counters-dir", dir);
        final String ticket = alice.ticket();
        assertTrue(ticket.matches("[a-z2-7]+"), "one base32 word: " + ticket);
        final Chat bob = new Chat("--join", ticket, "--bind", "127.0.0.1:0", "--counters-dir", dir);
        final String a = alice.id();
        final String b = bob.id();
        bob.out.await(l -> l.equals("* connected to " + a), "bob connected");
        alice.out.await(l -> l.equals("* connected to " + b), "alice connected");
        assertEquals("topic:  " + TopicId.of("lobby"), bob.out.await(l -> l.startsWith("topic:"), "topic"));

        bob.say("hello from bob");
        bob.say("second line, \u00e9t\u00e9 included");
        alice.out.await(l -> l.equals(b + ": hello from bob"), "bob's line at alice");
        alice.out.await(l -> l.equals(b + ": second line, \u00e9t\u00e9 included"), "bob's second line");
        alice.say("hi bob");
        bob.out.await(l -> l.equals(a + ": hi bob"), "alice's line at bob");
        assertFalse(bob.out.snapshot().contains(b + ": hello from bob"), "no echo of one's own lines");
        try (var files = Files.list(counters))
        {
            assertEquals(2, files.count(), "both chats write counters for `stat`");
        }

        assertEquals(0, bob.leave());
        alice.out.await(l -> l.equals("* disconnected from " + b), "bob left");
        assertEquals(0, alice.leave());
        try (var files = Files.list(counters))
        {
            assertEquals(0, files.count());
        }
    }

    @Test
    @Timeout(60)
    void aTicketCarriesTlsAndSigningToTheJoiner() throws Exception
    {
        final Chat alice = new Chat("--topic", "secure", "--bind", "127.0.0.1:0", "--tls", "--sign", "--no-counters");
        final ChatTicket parsed = ChatTicket.decode(alice.ticket());
        assertTrue(parsed.tls() && parsed.signed());
        final Chat bob = new Chat("--join", alice.ticket(), "--bind", "127.0.0.1:0", "--no-counters");
        bob.say("encrypted and signed");
        alice.out.await(l -> l.endsWith(": encrypted and signed"), "bob's line over TLS, signed");
        assertEquals(0, bob.leave());
        assertEquals(0, alice.leave());
    }

    private static MainResult main(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new MainResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record MainResult(int code, String out, String err)
    {
    }

    @Test
    @Timeout(30)
    void invalidTicketsAndArgumentsExitTwoWithAClearError()
    {
        final String good = new ChatTicket(TopicId.of("t"), NodeKey.fromSeed(1L).id(),
            List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000)), false, false).encode();
        final String[][] bad = {
            {"--join", "not a ticket!"},
            {"--join", good.substring(0, good.length() - 3)},
            {"--join", good.substring(0, 10) + (good.charAt(10) == 'a' ? 'b' : 'a') + good.substring(11)},
            {"--join", ""},
            {"--join", good, "--topic", "another"},
            {"--join", good, "--tls"},
            {},
            {"--topic"},
            {"--topic", "t", "--bind", "nowhere"},
            {"--topic", "t", "--bind", "127.0.0.1:70000"},
            {"--topic", "t", "--what"},
        };
        for (final String[] args : bad)
        {
            final String[] full = new String[args.length + 1];
            full[0] = "chat";
            System.arraycopy(args, 0, full, 1, args.length);
            final MainResult r = main(full);
            assertEquals(Main.EXIT_USAGE, r.code, String.join(" ", args) + ": " + r.err);
            assertTrue(r.err.startsWith("chat: ") && r.err.contains("usage:"), r.err);
            assertEquals("", r.out);
        }
        assertTrue(main("chat", "--join", "not a ticket!").err.contains("ticket: character ' '"));
        assertTrue(main("chat", "--join", good.substring(0, 10) + (good.charAt(10) == 'a' ? 'b' : 'a')
            + good.substring(11)).err.contains("ticket: checksum mismatch"));
    }

    @Test
    @Timeout(10)
    void ticketsRoundTripAndRejectOtherVersions()
    {
        final NodeId node = NodeKey.fromSeed(9L).id();
        final List<InetSocketAddress> addresses = List.of(new InetSocketAddress("127.0.0.1", 7000),
            new InetSocketAddress("::1", 7001));
        final ChatTicket ticket = new ChatTicket(TopicId.of("x"), node, addresses, true, false);
        final ChatTicket back = ChatTicket.decode(ticket.encode().toUpperCase());
        assertEquals(ticket, back);
        final byte[] raw = ChatTicket.fromBase32(ticket.encode());
        raw[0] = 2;
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(raw, 0, raw.length - 4);
        java.nio.ByteBuffer.wrap(raw, raw.length - 4, 4).putInt((int)crc.getValue());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ChatTicket.decode(ChatTicket.base32(raw)));
        assertTrue(e.getMessage().contains("version 2 is not supported"), e.getMessage());
    }
}
