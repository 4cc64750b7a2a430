package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;

/**
 * Latency histograms (nanoseconds) gathered over a run: the same series as {@link LatencyRecorders}, accumulated
 * from their interval histograms, possibly from several processes.
 */
final class Latencies
{
    /** Series names, in the order of {@link #all()}. */
    static final String[] NAMES = {"maxRate", "rateCorrected", "rateUncorrected", "rateOneHop", "pacingLag",
        "rttCorrected", "rttUncorrected"};

    final Histogram maxRate = LatencyRecorders.histogram();
    final Histogram rateCorrected = LatencyRecorders.histogram();
    final Histogram rateUncorrected = LatencyRecorders.histogram();
    final Histogram rateOneHop = LatencyRecorders.histogram();
    final Histogram pacingLag = LatencyRecorders.histogram();
    final Histogram rttCorrected = LatencyRecorders.histogram();
    final Histogram rttUncorrected = LatencyRecorders.histogram();

    Histogram[] all()
    {
        return new Histogram[] {maxRate, rateCorrected, rateUncorrected, rateOneHop, pacingLag, rttCorrected,
            rttUncorrected};
    }

    /** Moves what the recorders hold into these histograms (the recorders start a new interval). */
    void takeFrom(final LatencyRecorders recorders)
    {
        maxRate.add(recorders.maxRate.getIntervalHistogram());
        rateCorrected.add(recorders.rateCorrected.getIntervalHistogram());
        rateUncorrected.add(recorders.rateUncorrected.getIntervalHistogram());
        rateOneHop.add(recorders.rateOneHop.getIntervalHistogram());
        pacingLag.add(recorders.pacingLag.getIntervalHistogram());
        rttCorrected.add(recorders.rttCorrected.getIntervalHistogram());
        rttUncorrected.add(recorders.rttUncorrected.getIntervalHistogram());
    }

    void add(final Latencies other)
    {
        final Histogram[] mine = all();
        final Histogram[] theirs = other.all();
        for (int i = 0; i < mine.length; i++)
        {
            mine[i].add(theirs[i]);
        }
    }

    /** One line of text: each series compressed and base64-encoded, separated by spaces (child to parent). */
    String encode()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Histogram h : all())
        {
            final ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            final int length = h.encodeIntoCompressedByteBuffer(buffer);
            if (sb.length() > 0)
            {
                sb.append(' ');
            }
            sb.append(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
        }
        return sb.toString();
    }

    /** Adds the series of a line made by {@link #encode()}. */
    void addEncoded(final String line)
    {
        final String[] parts = line.trim().split(" ");
        final Histogram[] mine = all();
        if (parts.length != mine.length)
        {
            throw new IllegalArgumentException("expected " + mine.length + " histograms, got " + parts.length);
        }
        for (int i = 0; i < mine.length; i++)
        {
            try
            {
                mine[i].add(Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(parts[i])), 0));
            }
            catch (final DataFormatException ex)
            {
                throw new IllegalArgumentException("bad histogram " + NAMES[i], ex);
            }
        }
    }
}
