package dev.hearsay.tools;

import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.transport.ContactAddresses;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * What one chat terminal prints and another passes to {@code --join}: the topic, the inviting node's id and
 * addresses, and whether the room uses TLS and signed messages, as one copy-pasteable string.
 * <p>
 * Binary layout: version (1 byte, {@value #VERSION}), flags (bit 0 TLS, bit 1 signed), topic id (32), node id (32),
 * addresses ({@link ContactAddresses} encoding: count, then family, address, port), CRC-32 of everything before
 * (4 bytes, big-endian). Text: lowercase base32 (RFC 4648 alphabet) without padding, so the ticket is one word of
 * letters and digits that a double-click selects whole.
 *
 * @param topic     the chat room.
 * @param node      the inviting node.
 * @param addresses where it listens.
 * @param tls       whether the room's connections use TLS.
 * @param signed    whether the room's messages are signed and verified.
 */
record ChatTicket(TopicId topic, NodeId node, List<InetSocketAddress> addresses, boolean tls, boolean signed)
{
    /** The only layout version written and read. */
    static final int VERSION = 1;

    private static final int FLAG_TLS = 1;
    private static final int FLAG_SIGNED = 2;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    ChatTicket
    {
        addresses = List.copyOf(addresses);
    }

    /** The ticket as text. */
    String encode()
    {
        final byte[] contact = ContactAddresses.encode(addresses);
        final ByteBuffer out = ByteBuffer.allocate(2 + TopicId.LENGTH + NodeId.LENGTH + contact.length + 4);
        out.put((byte)VERSION);
        out.put((byte)((tls ? FLAG_TLS : 0) | (signed ? FLAG_SIGNED : 0)));
        out.put(topic.toBytes());
        out.put(node.toBytes());
        out.put(contact);
        final CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putInt((int)crc.getValue());
        return base32(out.array());
    }

    /** Parses a ticket; {@link IllegalArgumentException} with a message saying what is wrong. */
    static ChatTicket decode(final String text)
    {
        final String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty())
        {
            throw new IllegalArgumentException("ticket: empty");
        }
        final byte[] bytes = fromBase32(trimmed);
        final int minimum = 2 + TopicId.LENGTH + NodeId.LENGTH + 1 + 4;
        if (bytes.length < minimum)
        {
            throw new IllegalArgumentException("ticket: too short (" + bytes.length + " bytes): truncated?");
        }
        final int body = bytes.length - 4;
        final CRC32 crc = new CRC32();
        crc.update(bytes, 0, body);
        if ((int)crc.getValue() != ByteBuffer.wrap(bytes, body, 4).getInt())
        {
            throw new IllegalArgumentException("ticket: checksum mismatch: mistyped or truncated?");
        }
        if (bytes[0] != VERSION)
        {
            throw new IllegalArgumentException("ticket: version " + (bytes[0] & 0xFF) + " is not supported (this "
                + "build reads version " + VERSION + ")");
        }
        final int flags = bytes[1] & 0xFF;
        if ((flags & ~(FLAG_TLS | FLAG_SIGNED)) != 0)
        {
            throw new IllegalArgumentException("ticket: unknown flags 0x" + Integer.toHexString(flags));
        }
        final TopicId topic = TopicId.fromBytes(Arrays.copyOfRange(bytes, 2, 2 + TopicId.LENGTH));
        final int nodeAt = 2 + TopicId.LENGTH;
        final NodeId node = NodeId.fromBytes(Arrays.copyOfRange(bytes, nodeAt, nodeAt + NodeId.LENGTH));
        final List<InetSocketAddress> addresses =
            ContactAddresses.decode(Arrays.copyOfRange(bytes, nodeAt + NodeId.LENGTH, body));
        if (addresses.isEmpty())
        {
            throw new IllegalArgumentException("ticket: no usable address in it");
        }
        return new ChatTicket(topic, node, addresses, (flags & FLAG_TLS) != 0, (flags & FLAG_SIGNED) != 0);
    }

    static String base32(final byte[] data)
    {
        final StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (final byte b : data)
        {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5)
            {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    static byte[] fromBase32(final String text)
    {
        final ByteBuffer out = ByteBuffer.allocate(text.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = Character.toLowerCase(text.charAt(i));
            final int v = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0)
            {
                throw new IllegalArgumentException("ticket: character '" + text.charAt(i) + "' at position " + i
                    + " is not base32 (a-z, 2-7)");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                out.put((byte)(buffer >>> (bits - 8)));
                bits -= 8;
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }
}
