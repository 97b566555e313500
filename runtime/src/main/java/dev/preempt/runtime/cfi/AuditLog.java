package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The audit log ({@code audit=}, {@code audit.format=}, {@code audit.max=}, {@code audit.keep=}), bounded so
 * that an attacker who repeats a refused call cannot fill the disk or slow the app with it, and lossless in
 * meaning: every distinct refused edge (kind, what, detail, site, callers, rule) is written in full at its
 * first refusal; its repeats are only counted, and written as one {@code repeats} record per edge per
 * interval and one {@code summary} record per edge at exit (see {@link AuditRecord}). The schema is in
 * docs/cfi.md ("Audit log").
 *
 * <p>The refusing thread never writes: it counts a repeat (a map probe and a {@link LongAdder}) or offers a
 * new edge's record to a bounded queue, and when the queue is full the record is counted as dropped (a
 * {@code dropped} record says so), never waited for. One writer thread drains the queue, formats and
 * writes, rotates the file at {@code audit.max} keeping {@code audit.keep} old ones, and flushes after each
 * batch. Approach as in rate-limited loggers ("message repeated N times", printk's "callbacks suppressed")
 * and logback's size-triggered fixed-window rolling.
 */
public final class AuditLog {
    /** The values of {@code audit.format=}: the agent's option table lists these constants (in lower case). */
    public enum Format { JSON, CSV, TEXT }

    static final String CSV_HEADER = AuditRecord.CSV_HEADER;
    /** New edges waiting for the writer: a burst of distinct refusals beyond this is dropped and counted. */
    static final int QUEUE_CAPACITY = 4096;
    /** Distinct edges counted; refusals of edges beyond these are written in full each time (still bounded by the size cap). */
    static final int MAX_EDGES = 16_384;
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final CallerFrames.Frames NO_FRAMES = new CallerFrames.Frames(new String[0], 0, null, false);

    /** One distinct refused edge. */
    private static final class Edge {
        final AuditRecord first;
        final LongAdder count = new LongAdder();
        volatile boolean lost; // its first record never reached the queue
        long reported = 1;     // writer only: refusals already written as refusal or repeats

        Edge(AuditRecord first) {
            this.first = first;
            count.increment();
        }
    }

    private final AuditOutput output;
    private final Format format;
    private final long intervalNanos;
    private final ArrayBlockingQueue<AuditRecord> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ConcurrentHashMap<String, Edge> edges = new ConcurrentHashMap<>();
    private final LongAdder queueFull = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;
    private Thread writer;
    private String mode = "-";
    private String policy = "-";
    // writer state, under this object's lock
    private long queueFullReported;
    private long overBudget;
    private long writeFailures;
    private int filesDeleted;
    private boolean finished;
    private String intervalStart = Instant.now().toString();

    AuditLog(AuditOutput output, Format format, long intervalNanos) {
        this.output = output;
        this.format = format;
        this.intervalNanos = intervalNanos;
    }

    /**
     * Opens the log: {@code "stderr"} or a file, appended to, rotated when a record would take it past
     * {@code maxBytes}, with {@code keep} rotated files kept ({@code F.1} the newest).
     *
     * @throws IOException if the file cannot be opened (reported at start, before the app runs)
     */
    public static AuditLog open(String destination, Format format, long maxBytes, int keep) throws IOException {
        AuditOutput out = destination.equals("stderr") ? AuditOutput.stderr(maxBytes, keep)
                : AuditOutput.file(Path.of(destination), maxBytes, keep, format == Format.CSV ? CSV_HEADER : null);
        return new AuditLog(out, format, INTERVAL_NANOS);
    }

    /** Starts the writer thread; {@code mode} and {@code policy} are written in the log's own records. */
    synchronized void start(String mode, String policy) {
        this.mode = mode;
        this.policy = policy;
        writer = new Thread(this::writeLoop, "preempt-cfi-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /** One audit record, the fields of the schema in docs/cfi.md. */
    record Entry(String mode, String decision, String kind, String what, String detail, String site,
                 CallerFrames.Frames frames, String rule, String policy) {
        String edgeKey() {
            return kind + '\n' + what + '\n' + detail + '\n' + site + '\n' + frames.signature() + '\n' + rule;
        }
    }

    /** A refusal, on the refusing thread: counted if its edge was seen, else queued in full. Never blocks. */
    void record(Entry e) {
        if (closed) {
            late.increment();
            return;
        }
        String key = e.edgeKey();
        Edge edge = edges.get(key);
        if (edge != null) {
            edge.count.increment();
            return;
        }
        AuditRecord r = new AuditRecord("refusal", e, Instant.now().toString(), Thread.currentThread().getName(), 1, null);
        Edge fresh = null;
        if (edges.size() < MAX_EDGES) {
            fresh = new Edge(r);
            Edge prior = edges.putIfAbsent(key, fresh);
            if (prior != null) {
                prior.count.increment();
                return;
            }
        }
        if (!queue.offer(r)) {
            queueFull.increment();
            if (fresh != null) fresh.lost = true;
        }
    }

    private void writeLoop() {
        long next = System.nanoTime() + intervalNanos;
        List<AuditRecord> batch = new ArrayList<>();
        while (!closed) {
            AuditRecord r;
            try {
                r = queue.poll(Math.max(1, next - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return; // close() drains what is left
            }
            synchronized (this) {
                if (r != null) {
                    // Written even when close() has begun: it waits for this thread before it drains the
                    // queue, so a record taken here and dropped on seeing 'closed' was lost and never counted
                    // (an enforce run's only refusal missing from its audit file). After close() finished,
                    // the output is closed: count it.
                    if (finished) {
                        late.increment();
                    } else {
                        batch.add(r);
                        queue.drainTo(batch, 1024);
                        batch.forEach(this::write);
                        batch.clear();
                    }
                }
                if (closed) {
                    return;
                }
                if (System.nanoTime() - next >= 0) {
                    next += intervalNanos;
                    tick();
                } else if (queueFullReported == 0) {
                    reportDrops(); // the first loss is said at once, later ones per interval
                }
                flush();
            }
        }
    }

    /** The interval is over: one repeats record per edge refused again in it, and the losses. */
    synchronized void tick() {
        List<AuditRecord> queued = new ArrayList<>();
        queue.drainTo(queued);
        queued.forEach(this::write);
        String now = Instant.now().toString();
        for (Edge edge : edges.values()) {
            long c = edge.count.sum();
            if (c > edge.reported && !edge.lost) {
                write(new AuditRecord("repeats", edge.first.e(), now, edge.first.thread(), c - edge.reported, intervalStart));
                edge.reported = c;
            }
        }
        intervalStart = now;
        reportDrops();
    }

    private void reportDrops() {
        long q = queueFull.sum();
        if (q > queueFullReported) {
            writeOwn("dropped", "queue full: refusals of new edges not written (the refusing threads did not wait)", q - queueFullReported);
            queueFullReported = q;
        }
    }

    /** At exit: what is queued, the losses, and a summary of every edge refused more than once. Idempotent. */
    public void close() {
        closed = true;
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
            try {
                w.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            List<AuditRecord> rest = new ArrayList<>();
            queue.drainTo(rest);
            rest.forEach(this::write);
            reportDrops();
            summarise();
            if (overBudget > 0) {
                writeOwnOverBudget("dropped", "stderr budget (audit.max x (audit.keep + 1)) spent: records not written", overBudget);
            }
            flush();
            try {
                output.close();
            } catch (IOException e) {
                // reported through writeFailures already, if it mattered
            }
        }
    }

    /**
     * One summary record per edge refused more than once, or whose first record was lost; every edge when
     * records were lost to rotation or the stderr budget, so the log's last lines name every edge refused.
     */
    private void summarise() {
        boolean all = filesDeleted > 0 || overBudget > 0;
        for (Edge edge : edges.values()) {
            long c = edge.count.sum();
            if (c > 1 || edge.lost || all) {
                write(new AuditRecord("summary", edge.first.e(), Instant.now().toString(), edge.first.thread(), c, edge.first.time()));
            }
        }
    }

    private void writeOwn(String type, String detail, long count) {
        write(ownRecord(type, detail, count));
    }

    private AuditRecord ownRecord(String type, String detail, long count) {
        Entry e = new Entry(mode, "none", "audit", type, detail, null, NO_FRAMES, "-", policy);
        return new AuditRecord(type, e, Instant.now().toString(), "preempt-cfi-audit", count, null);
    }

    /** The last word on stderr may pass the budget by this one line. */
    private void writeOwnOverBudget(String type, String detail, long count) {
        try {
            output.write(bytes(ownRecord(type, detail, count)));
        } catch (IOException e) {
            failed(e);
        }
    }

    private static byte[] bytes(AuditRecord r, Format f) {
        return (r.render(f) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] bytes(AuditRecord r) {
        return bytes(r, format);
    }

    /** Writer only, under the lock: rotates first when the line would pass audit.max. */
    private void write(AuditRecord r) {
        try {
            byte[] line = bytes(r); // inside the try: nothing a record holds may end the writer thread
            if (output.full(line.length)) {
                if (output.destination().equals("stderr")) {
                    overBudget++;
                    dropped.incrementAndGet();
                    return;
                }
                Path deleted = output.rotate();
                if (deleted != null) {
                    filesDeleted++;
                    output.write(bytes(ownRecord("dropped", "rotated out: " + deleted + " deleted (audit.keep); summaries at exit name every edge", 1)));
                }
            }
            output.write(line);
            written.incrementAndGet();
        } catch (IOException | RuntimeException ex) {
            failed(ex);
        }
    }

    private void failed(Exception ex) {
        dropped.incrementAndGet();
        if (writeFailures++ == 0) {
            PreemptLog.warn("audit log " + output.destination() + ": cannot write (" + ex
                    + "); records are dropped and counted, the app goes on");
        }
    }

    private void flush() {
        try {
            output.flush();
        } catch (IOException ex) {
            failed(ex);
        }
    }

    /** Records written (refusals, repeats, summaries and the log's own). */
    long written() { return written.get(); }

    /** Records lost: not queued (queue full), not written (I/O error, stderr budget), or after close. */
    long dropped() { return dropped.get() + queueFull.sum() + late.sum(); }

    /** Distinct refused edges seen. */
    int edges() { return edges.size(); }

    String destination() { return output.destination(); }
}
