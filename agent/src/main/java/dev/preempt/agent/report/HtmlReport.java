package dev.preempt.agent.report;

import dev.preempt.runtime.profile.ProfileSnapshot;
import dev.preempt.runtime.profile.LatencyHistogram;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a profile as one self-contained HTML file: the page ({@code report.html}, a resource holding its
 * CSS and the script that draws inline SVG) with the profile embedded as JSON. No network, no CDN: the file
 * opens from disk anywhere, and can be mailed.
 *
 * <p>The timeline embeds at most {@link #MAX_TIMELINE_SLICES} slices (the earliest), and the thread tables
 * the threads in those plus the {@link #MAX_THREADS} that used the most CPU, so a long run or a server with
 * many threads still opens quickly; the page says what it left out. Totals and distributions count everything.
 */
public final class HtmlReport {
    static final int MAX_TIMELINE_SLICES = 20_000;
    static final int MAX_SITES = 25;
    /** Threads embedded beyond those in the timeline: the most CPU first (a server may have started 100,000). */
    static final int MAX_THREADS = 2_000;
    private static final String DATA_MARK = "/*PREEMPT_DATA*/null";

    private HtmlReport() {}

    public static void write(ProfileSnapshot p, String title, Writer out) throws IOException {
        String page = template();
        int at = page.indexOf(DATA_MARK);
        out.write(page, 0, at);
        writeData(p, title, out);
        out.write(page, at + DATA_MARK.length(), page.length() - at - DATA_MARK.length());
    }

    private static String template() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("report.html")) {
            if (in == null) {
                throw new IllegalStateException("report.html missing from the agent jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeData(ProfileSnapshot p, String title, Writer out) throws IOException {
        out.write("{\"title\":" + Json.quote(title) + ",\"startEpochMillis\":" + p.startEpochMillis()
                + ",\"durationNanos\":" + p.durationNanos() + ",\"sliceNanos\":" + p.sliceNanos() + ",\"lateNanos\":" + p.lateNanos()
                + ",\"droppedSlices\":" + p.droppedSlices() + ",\"droppedThreads\":" + p.droppedThreads() + ",\n\"carriers\":[");
        String sep = "";
        for (ProfileSnapshot.CarrierRow c : p.carriers()) {
            out.write(sep + "{\"name\":" + Json.quote(c.name()) + ",\"busyNanos\":" + c.busyNanos() + ",\"slices\":" + c.slices()
                    + ",\"dropped\":" + c.droppedSlices() + "}");
            sep = ",";
        }
        List<ProfileSnapshot.Slice> slices = p.slices();
        int shown = Math.min(slices.size(), MAX_TIMELINE_SLICES);
        List<ProfileSnapshot.Slice> earliest = slices.stream()
                .sorted(Comparator.comparingLong(ProfileSnapshot.Slice::startNanos)).limit(shown).toList();
        Set<Integer> embedded = new HashSet<>();
        earliest.forEach(s -> embedded.add(s.thread()));
        p.threads().stream().sorted(Comparator.comparingLong(ProfileSnapshot.ThreadRow::cpuNanos).reversed())
                .limit(MAX_THREADS).forEach(t -> embedded.add(t.index()));
        out.write("],\"threadCount\":" + p.threads().size() + ",\n\"threads\":[");
        sep = "";
        for (ProfileSnapshot.ThreadRow t : p.threads()) {
            if (!embedded.contains(t.index())) {
                continue;
            }
            out.write(sep + "{\"i\":" + t.index() + ",\"id\":" + t.threadId() + ",\"name\":" + Json.quote(t.name())
                    + ",\"priority\":" + t.priority() + ",\"created\":" + t.createdNanos() + ",\"ended\":" + t.endedNanos()
                    + ",\"cpuNanos\":" + t.cpuNanos() + ",\"slices\":" + t.slices() + ",\"preemptions\":" + t.preemptions()
                    + ",\"yields\":" + t.yields() + ",\"blocks\":" + t.blocks() + ",\"wakeups\":" + t.wakeups()
                    + ",\"pinned\":" + t.pinnedYields() + "}");
            sep = ",\n";
        }
        out.write("],\n\"slices\":[");
        sep = "";
        for (ProfileSnapshot.Slice s : earliest) {
            out.write(sep + "[" + s.carrier() + "," + s.thread() + "," + s.startNanos() + "," + s.endNanos() + ",\"" + s.end() + "\"]");
            sep = ",";
        }
        out.write("],\n\"slicesRecorded\":" + (slices.size() + p.droppedSlices()) + ",\"slicesShown\":" + shown);
        out.write(",\n\"wakeup\":" + histogram(p.wakeupDelay()) + ",\n\"requeue\":" + histogram(p.requeueDelay())
                + ",\n\"pastSlice\":" + histogram(p.pastSlice()) + ",\n\"cpuByPriority\":[");
        long[] byPriority = p.cpuByPriorityNanos();
        for (int i = 1; i < byPriority.length; i++) {
            out.write((i > 1 ? "," : "") + byPriority[i]);
        }
        out.write("],\n\"lateSites\":[");
        sep = "";
        for (ProfileSnapshot.LateSite s : p.lateSites().stream().limit(MAX_SITES).toList()) {
            out.write(sep + "{\"site\":" + Json.quote(s.site()) + ",\"count\":" + s.count() + ",\"totalNanos\":" + s.totalPastNanos()
                    + ",\"maxNanos\":" + s.maxPastNanos() + "}");
            sep = ",\n";
        }
        out.write("],\"lateSiteCount\":" + p.lateSites().size() + ",\n\"creationSites\":[");
        sep = "";
        for (ProfileSnapshot.CreationSite s : p.creationSites()) {
            out.write(sep + "{\"site\":" + Json.quote(s.site()) + ",\"threads\":" + s.threads() + ",\"mapped\":" + s.mapped()
                    + ",\"kept\":" + s.kept() + ",\"keptBecause\":" + Json.quote(s.keptBecause() == null ? "" : s.keptBecause()) + "}");
            sep = ",\n";
        }
        out.write("]}");
    }

    private static String histogram(LatencyHistogram h) {
        StringBuilder b = new StringBuilder("{\"count\":" + h.count() + ",\"p50\":" + h.percentileNanos(50) + ",\"p90\":"
                + h.percentileNanos(90) + ",\"p99\":" + h.percentileNanos(99) + ",\"max\":" + h.percentileNanos(100) + ",\"buckets\":[");
        String sep = "";
        for (LatencyHistogram.Bucket k : h.nonEmptyBuckets()) {
            b.append(sep).append('[').append(k.lowNanos()).append(',').append(k.highNanos()).append(',').append(k.count()).append(']');
            sep = ",";
        }
        return b.append("]}").toString();
    }
}
