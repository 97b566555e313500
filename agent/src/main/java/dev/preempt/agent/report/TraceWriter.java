package dev.preempt.agent.report;

import dev.preempt.runtime.profile.ProfileSnapshot;
import dev.preempt.runtime.profile.RunEnd;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes a profile as Chrome trace-event JSON, which Perfetto UI (ui.perfetto.dev, "Open trace file") and
 * chrome://tracing open. Two processes: "carriers", one track per carrier ({@code tid} = carrier), holding
 * each run slice as a complete event ({@code X}) named after the thread that ran and each preemption as an
 * instant event ({@code i}); and "threads", one track per virtual thread holding the same slices, so a
 * thread's life reads on one line. Names come as metadata events ({@code M}).
 *
 * <p>Times are microseconds since recording started, with nanosecond decimals.
 */
public final class TraceWriter {
    static final int CARRIERS_PID = 1;
    static final int THREADS_PID = 2;

    private TraceWriter() {}

    public static void write(ProfileSnapshot p, String processLabel, Writer out) throws IOException {
        out.write("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"preempt\",\"startEpochMillis\":"
                + p.startEpochMillis() + ",\"sliceNanos\":" + p.sliceNanos() + ",\"droppedSlices\":" + p.droppedSlices()
                + "},\"traceEvents\":[\n");
        Sep sep = new Sep(out);
        sep.next(meta("process_name", CARRIERS_PID, 0, "carriers: " + processLabel));
        sep.next(meta("process_name", THREADS_PID, 0, "virtual threads: " + processLabel));
        for (ProfileSnapshot.CarrierRow c : p.carriers()) {
            sep.next(meta("thread_name", CARRIERS_PID, c.index() + 1, c.name()));
        }
        for (ProfileSnapshot.ThreadRow t : p.threads()) {
            sep.next(meta("thread_name", THREADS_PID, t.index() + 1, t.name() + " #" + t.threadId()));
        }
        for (ProfileSnapshot.Slice s : p.slices()) {
            ProfileSnapshot.ThreadRow t = p.thread(s.thread());
            String name = Json.quote(t.name());
            String args = ",\"args\":{\"threadId\":" + t.threadId() + ",\"carrier\":" + Json.quote(p.carriers().get(s.carrier()).name())
                    + ",\"priority\":" + s.priority() + ",\"arrival\":\"" + s.arrival() + "\",\"end\":\"" + s.end() + "\""
                    + (s.queuedNanos() >= 0 ? ",\"queuedMicros\":" + Json.micros(s.startNanos() - s.queuedNanos()) : "") + "}}";
            String timing = ",\"ts\":" + Json.micros(s.startNanos()) + ",\"dur\":" + Json.micros(s.endNanos() - s.startNanos());
            sep.next("{\"name\":" + name + ",\"cat\":\"slice\",\"ph\":\"X\",\"pid\":" + CARRIERS_PID + ",\"tid\":" + (s.carrier() + 1) + timing + args);
            sep.next("{\"name\":" + name + ",\"cat\":\"slice\",\"ph\":\"X\",\"pid\":" + THREADS_PID + ",\"tid\":" + (s.thread() + 1) + timing + args);
            if (s.end() == RunEnd.PREEMPTED) {
                sep.next("{\"name\":\"preempted\",\"cat\":\"preemption\",\"ph\":\"i\",\"s\":\"t\",\"pid\":" + CARRIERS_PID + ",\"tid\":"
                        + (s.carrier() + 1) + ",\"ts\":" + Json.micros(s.endNanos()) + ",\"args\":{\"thread\":" + name + "}}");
            }
        }
        out.write("\n]}\n");
    }

    private static String meta(String what, int pid, int tid, String name) {
        return "{\"name\":\"" + what + "\",\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"args\":{\"name\":" + Json.quote(name) + "}}";
    }

    /** Writes events with commas between them, one per line. */
    private static final class Sep {
        private final Writer out;
        private boolean first = true;

        Sep(Writer out) {
            this.out = out;
        }

        void next(String event) throws IOException {
            if (!first) {
                out.write(",\n");
            }
            first = false;
            out.write(event);
        }
    }
}
