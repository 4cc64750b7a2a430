package dev.hearsay.perf.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --report DIR}: one HdrHistogram percentile file ({@code .hgrm}, microseconds) per latency series, and
 * {@code report.html}: the text report and an inline SVG latency-by-percentile plot, no script and no external
 * resource, so it opens offline.
 */
final class HtmlReport
{
    private static final int WIDTH = 860;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;
    /** The x axis ends at 99.999%: five nines. */
    private static final double MAX_NINES = 5;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#7f7f7f", "#17becf"};

    private HtmlReport()
    {
    }

    /** A named latency series (nanoseconds), scaled by {@code scale} when plotted (0.5 for RTT/2). */
    private record Series(String file, String label, Histogram histogram, double scale)
    {
    }

    static void write(final Path dir, final BenchResult r, final List<Goals.Goal> goals) throws IOException
    {
        Files.createDirectories(dir);
        final List<Series> series = series(r);
        for (final Series s : series)
        {
            if (s.scale != 1)
            {
                continue; // the same histogram as another file, only plotted halved
            }
            try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve(s.file + ".hgrm")), false,
                StandardCharsets.UTF_8))
            {
                s.histogram.outputPercentileDistribution(out, 1000.0);
            }
        }
        Files.writeString(dir.resolve("report.html"), html(r, goals, series), StandardCharsets.UTF_8);
    }

    private static List<Series> series(final BenchResult r)
    {
        final List<Series> all = new ArrayList<>();
        final Latencies l = r.latencies;
        add(all, "engine-rate-corrected", "engine one-way, every receiver (corrected)", l.rateCorrected, 1);
        add(all, "engine-rate-one-hop", "engine one-way, one hop (corrected)", l.rateOneHop, 1);
        add(all, "engine-rate-uncorrected", "engine one-way, uncorrected", l.rateUncorrected, 1);
        add(all, "engine-rtt-corrected", "engine round trip (corrected)", l.rttCorrected, 1);
        add(all, "engine-rtt-uncorrected", "engine round trip, uncorrected", l.rttUncorrected, 1);
        add(all, "engine-max-rate", "engine one-way at max rate", l.maxRate, 1);
        add(all, "netty-rtt", "Netty ping-pong RTT", r.nettyRtt, 1);
        add(all, "netty-rtt-half", "Netty RTT/2", r.nettyRtt, 0.5);
        add(all, "netty-rtt-paced-half", "Netty RTT/2 at the fixed rate (from the slot)", r.nettyRttPaced, 0.5);
        add(all, "handoff", r.handoffs + " thread hand-offs, no work", r.handoff, 1);
        add(all, "pacing-lag", "publisher pacing lag", l.pacingLag, 1);
        return all;
    }

    private static void add(final List<Series> all, final String file, final String label, final Histogram h,
        final double scale)
    {
        if (h.getTotalCount() > 0)
        {
            all.add(new Series(file, label, h, scale));
        }
    }

    private static String html(final BenchResult r, final List<Goals.Goal> goals, final List<Series> series)
    {
        final StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hearsay bench</title>\n")
            .append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}pre{font-size:12px;")
            .append("background:#f6f6f6;padding:1em;overflow-x:auto}.met{color:#2ca02c}.notmet{color:#d62728}")
            .append("</style></head><body>\n<h1>Hearsay bench</h1>\n<p><code>")
            .append(escape(r.options.commandLine())).append("</code></p>\n<h2>Goals</h2>\n<ul>\n");
        for (final Goals.Goal g : goals)
        {
            final String css = g.verdict() == Goals.Verdict.MET ? "met" :
                g.verdict() == Goals.Verdict.NOT_MET ? "notmet" : "";
            sb.append("<li><b class=\"").append(css).append("\">").append(escape(g.verdict().label)).append("</b> ")
                .append(escape(g.text())).append(": ").append(escape(g.measured())).append("</li>\n");
        }
        sb.append("</ul>\n<h2>Latency by percentile</h2>\n");
        svg(sb, series);
        sb.append("<p>Files: ");
        for (final Series s : series)
        {
            if (s.scale == 1)
            {
                sb.append("<a href=\"").append(s.file).append(".hgrm\">").append(s.file).append(".hgrm</a> ");
            }
        }
        sb.append("(HdrHistogram percentile distributions, microseconds)</p>\n<h2>Report</h2>\n<pre>")
            .append(escape(BenchReport.text(r, goals))).append("</pre>\n</body></html>\n");
        return sb.toString();
    }

    private static void svg(final StringBuilder sb, final List<Series> series)
    {
        double maxMicros = 1;
        double minMicros = Double.MAX_VALUE;
        for (final Series s : series)
        {
            maxMicros = Math.max(maxMicros, s.histogram.getMaxValue() * s.scale / 1e3);
            minMicros = Math.min(minMicros, Math.max(1, s.histogram.getValueAtPercentile(0) * s.scale / 1e3));
        }
        final double yLow = Math.floor(Math.log10(Math.max(1, minMicros)));
        final double yHigh = Math.max(yLow + 1, Math.ceil(Math.log10(maxMicros)));
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        final int height = HEIGHT + 20 * series.size();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height, WIDTH, height));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" "
            + "stroke=\"#999\"/>%n", LEFT, TOP, plotW, plotH));
        final String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i <= MAX_NINES; i++)
        {
            final double x = LEFT + plotW * i / MAX_NINES;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP, x, TOP + plotH, x,
                TOP + plotH + 15, xLabels[i]));
        }
        for (double e = yLow; e <= yHigh; e++)
        {
            final double y = TOP + plotH - plotH * (e - yLow) / (yHigh - yLow);
            final double value = Math.pow(10, e);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotW, y, LEFT - 5,
                y + 4, value >= 1000 ? String.format(Locale.ROOT, "%,.0f", value) : String.valueOf((long)value)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotW / 2, TOP + plotH + 35));
        sb.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" "
            + "text-anchor=\"middle\">latency (us, log scale)</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        int index = 0;
        for (final Series s : series)
        {
            final String color = COLORS[index % COLORS.length];
            final StringBuilder points = new StringBuilder();
            for (final HistogramIterationValue v : s.histogram.percentiles(5))
            {
                final double p = Math.min(v.getPercentileLevelIteratedTo() / 100.0, 1 - Math.pow(10, -MAX_NINES));
                final double nines = -Math.log10(1 - p);
                final double micros = Math.max(Math.pow(10, yLow), s.histogram.highestEquivalentValue(
                    v.getValueIteratedTo()) * s.scale / 1e3);
                final double x = LEFT + plotW * Math.min(nines, MAX_NINES) / MAX_NINES;
                final double y = TOP + plotH - plotH * (Math.log10(micros) - yLow) / (yHigh - yLow);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
                + "points=\"%s\"/>%n", color, points.toString().trim()));
            final int ly = HEIGHT + 20 * index;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s (%,d samples; p99 %s us)</text>%n", LEFT, ly,
                LEFT + 30, ly, color, LEFT + 38, ly + 4, escape(s.label), s.histogram.getTotalCount(),
                BenchReport.us(s.histogram.getValueAtPercentile(99) * s.scale)));
            index++;
        }
        sb.append("</svg>\n");
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
