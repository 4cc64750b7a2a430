package dev.hearsay.perf.bench;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of a bench message: the timestamps and identity a receiver needs to measure latency and count deliveries,
 * followed by filler up to the configured size. Both timestamps are {@link System#nanoTime()} of the publishing
 * process, so one-way latency is only computed in the process that published (in-process cluster), and round trips
 * otherwise.
 */
final class Payload
{
    /** When the publisher meant to send (fixed-rate schedule, or its first attempt at max rate). */
    static final int INTENDED_OFFSET = 0;
    /** When the publisher called broadcast for the first time for this message. */
    static final int SENT_OFFSET = 8;
    /** Publisher's sequence number, from 0 per phase. */
    static final int SEQUENCE_OFFSET = 16;
    /** Index of the publishing node. */
    static final int PUBLISHER_OFFSET = 24;
    /** {@link Tag} of the phase that sent it. */
    static final int TAG_OFFSET = 28;
    /** Node asked to echo it back (multi-process round trips), or -1. */
    static final int ECHO_OFFSET = 29;
    /** Smallest payload that holds the fields above. */
    static final int MIN_SIZE = 32;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private Payload()
    {
    }

    static void write(final MutableDirectBuffer buffer, final long intended, final long sent, final long sequence,
        final int publisher, final int tag, final int echo)
    {
        buffer.putLong(INTENDED_OFFSET, intended, ORDER);
        buffer.putLong(SENT_OFFSET, sent, ORDER);
        buffer.putLong(SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putInt(PUBLISHER_OFFSET, publisher, ORDER);
        buffer.putByte(TAG_OFFSET, (byte)tag);
        buffer.putByte(ECHO_OFFSET, (byte)echo);
    }

    static long intended(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + INTENDED_OFFSET, ORDER);
    }

    static long sent(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SENT_OFFSET, ORDER);
    }

    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ORDER);
    }

    static int publisher(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PUBLISHER_OFFSET, ORDER);
    }

    static int tag(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TAG_OFFSET);
    }

    static int echo(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + ECHO_OFFSET);
    }
}
