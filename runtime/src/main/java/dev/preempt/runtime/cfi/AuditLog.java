package dev.preempt.runtime.cfi;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit log ({@code audit=}, {@code audit.format=}): one record per refused check, in JSON lines, CSV
 * or text. Its schema is in docs/cfi.md ("Audit log"). Writing never stops the app: a record that cannot
 * be written (a full disk, a closed stream) is counted as dropped and the first drop is warned about once
 * on preempt's log.
 */
public final class AuditLog {
    public enum Format { JSON, CSV, TEXT }

    static final String CSV_HEADER = "time,thread,mode,decision,kind,what,detail,site,callers,rule,policy";

    private final OutputStream out;
    private final Format format;
    private final String destination;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private AuditLog(OutputStream out, Format format, String destination) {
        this.out = out;
        this.format = format;
        this.destination = destination;
    }

    /**
     * Opens the log: {@code "stderr"} or a file, appended to.
     *
     * @throws IOException if the file cannot be opened (reported at start, before the app runs)
     */
    public static AuditLog open(String destination, Format format) throws IOException {
        if (destination.equals("stderr")) {
            return new AuditLog(System.err, format, destination);
        }
        java.io.File f = new java.io.File(destination);
        boolean fresh = !f.exists() || f.length() == 0;
        AuditLog log = new AuditLog(new FileOutputStream(f, true), format, destination);
        if (fresh && format == Format.CSV) {
            log.writeLine(CSV_HEADER);
        }
        return log;
    }

    /** One audit record, the fields of the schema in docs/cfi.md. */
    record Entry(String mode, String decision, String kind, String what, String detail, String site,
                 CallerFrames.Frames frames, String rule, String policy) {}

    void record(Entry e) {
        String thread = Thread.currentThread().getName();
        String time = Instant.now().toString();
        String line = switch (format) {
            case JSON -> json(time, thread, e);
            case CSV -> csv(time, thread, e);
            case TEXT -> time + " " + thread + " " + e.mode() + " " + e.decision() + " " + e.kind() + " " + e.what()
                    + (e.detail() == null ? "" : " detail=" + e.detail()) + (e.site() == null ? "" : " site=" + e.site())
                    + " callers=[" + e.frames().signature() + "] rule=" + e.rule() + " policy=" + e.policy();
        };
        writeLine(line);
    }

    private void writeLine(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (this) {
                out.write(bytes);
                out.flush();
            }
            written.incrementAndGet();
        } catch (IOException | RuntimeException ex) {
            if (dropped.getAndIncrement() == 0) {
                dev.preempt.runtime.log.PreemptLog.warn("audit log " + destination + ": cannot write (" + ex
                        + "); records are dropped and counted, the app goes on");
            }
        }
    }

    long written() { return written.get(); }

    long dropped() { return dropped.get(); }

    String destination() { return destination; }

    private static String json(String time, String thread, Entry e) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":"); CfiPolicy.str(b, time);
        b.append(",\"thread\":"); CfiPolicy.str(b, thread);
        b.append(",\"mode\":"); CfiPolicy.str(b, e.mode());
        b.append(",\"decision\":"); CfiPolicy.str(b, e.decision());
        b.append(",\"kind\":"); CfiPolicy.str(b, e.kind());
        b.append(",\"what\":"); CfiPolicy.str(b, e.what());
        b.append(",\"detail\":"); nullable(b, e.detail());
        b.append(",\"site\":"); nullable(b, e.site());
        b.append(",\"callers\":[");
        for (int i = 0; i < e.frames().count(); i++) {
            if (i > 0) b.append(',');
            CfiPolicy.str(b, e.frames().app()[i]);
        }
        b.append("],\"rule\":"); CfiPolicy.str(b, e.rule());
        b.append(",\"policy\":"); CfiPolicy.str(b, e.policy());
        return b.append('}').toString();
    }

    private static void nullable(StringBuilder b, String s) {
        if (s == null) b.append("null"); else CfiPolicy.str(b, s);
    }

    private static String csv(String time, String thread, Entry e) {
        return String.join(",", q(time), q(thread), q(e.mode()), q(e.decision()), q(e.kind()), q(e.what()), q(e.detail()),
                q(e.site()), q(e.frames().signature()), q(e.rule()), q(e.policy()));
    }

    private static String q(String s) {
        if (s == null) return "";
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
