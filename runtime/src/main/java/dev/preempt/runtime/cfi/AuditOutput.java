package dev.preempt.runtime.cfi;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where the audit log's bytes go, bounded. A file is rotated as logback's fixed-window policy does with a
 * size trigger: when a line would take it past {@code maxBytes}, {@code F.(keep-1)} becomes {@code F.keep}
 * (the old {@code F.keep} is deleted), ..., {@code F} becomes {@code F.1} and a new {@code F} is begun; so
 * the log never takes more than {@code maxBytes * (keep + 1)} (plus one line, a line is never split). stderr
 * cannot be rotated: it gets the same total as a budget for the run, after which lines are refused (the
 * caller counts them as dropped). Used by the audit writer alone (one thread at a time, under its lock).
 */
final class AuditOutput {
    private final Path file; // null: stderr
    private final long maxBytes;
    private final int keep;
    private final String header; // written at the top of each new file (CSV), or null
    private boolean rotatable;   // a regular file: never rename or delete a device or a pipe (audit=/dev/null)
    private OutputStream out;
    private long size;
    private long budget; // stderr only

    private AuditOutput(Path file, long maxBytes, int keep, String header) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.header = header;
    }

    static AuditOutput stderr(long maxBytes, int keep) {
        AuditOutput o = new AuditOutput(null, maxBytes, keep, null);
        o.out = System.err;
        o.budget = maxBytes > Long.MAX_VALUE / (keep + 1L) ? Long.MAX_VALUE : maxBytes * (keep + 1L);
        return o;
    }

    /**
     * Opens {@code file} for appending. A non-empty file that does not begin with {@code header} (a CSV log
     * of an earlier schema) is rotated first, so no file mixes two headers.
     */
    static AuditOutput file(Path file, long maxBytes, int keep, String header) throws IOException {
        AuditOutput o = new AuditOutput(file, maxBytes, keep, header);
        long existing = Files.exists(file) ? Files.size(file) : 0;
        boolean foreign = Files.isRegularFile(file) && existing > 0 && header != null && !header.equals(firstLine(file));
        o.rotatable = !Files.exists(file) || Files.isRegularFile(file);
        o.out = open(file, true);
        o.size = existing;
        if (foreign) {
            o.rotate();
        } else if (existing == 0 && header != null) {
            o.writeRaw((header + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return o;
    }

    private static OutputStream open(Path f, boolean append) throws IOException {
        // Unbuffered: a record counts as written only once the OS took it (a full disk fails that record alone),
        // and the writer is not the app's thread, so a write call per record costs the app nothing.
        return new FileOutputStream(f.toFile(), append);
    }

    private static String firstLine(Path f) throws IOException {
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            return r.readLine();
        } catch (java.nio.charset.MalformedInputException e) {
            return null;
        }
    }

    String destination() {
        return file == null ? "stderr" : file.toString();
    }

    /** Whether writing {@code bytes} needs a rotation first (a file) or is over the budget (stderr). */
    boolean full(int bytes) {
        if (file == null) {
            return budget < bytes;
        }
        return rotatable && size > (header == null ? 0 : header.length() + 1) && size + bytes > maxBytes;
    }

    /**
     * Rotates the file; returns the rotated file deleted to keep {@code keep} of them (or the log itself,
     * with {@code keep=0}), or null when none was.
     */
    Path rotate() throws IOException {
        out.close();
        Path deleted = null;
        Path oldest = keep == 0 ? file : numbered(keep);
        if (Files.exists(oldest)) {
            deleted = oldest;
        }
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep > 0) {
            Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(file);
        }
        out = open(file, false);
        size = 0;
        if (header != null) {
            writeRaw((header + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return deleted;
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    /** Writes one line (no rotation: the caller asked {@link #full} first). */
    void write(byte[] line) throws IOException {
        if (file == null) {
            budget -= line.length;
        }
        writeRaw(line);
    }

    private void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        size += bytes.length;
    }

    void flush() throws IOException {
        out.flush();
    }

    void close() throws IOException {
        if (out instanceof PrintStream) {
            out.flush();
        } else {
            out.close();
        }
    }
}
