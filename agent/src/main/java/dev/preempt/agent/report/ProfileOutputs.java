package dev.preempt.agent.report;

import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.PreemptRuntime;
import dev.preempt.runtime.profile.ProfileSnapshot;
import dev.preempt.runtime.profile.Recording;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Writes {@code profile=} (HTML) and {@code trace=} (trace-event JSON) from the scheduler's recording: at
 * JVM exit (a shutdown hook), or once {@code profile.duration=} has passed (what {@code attach --duration}
 * sets), in which case recording then stops and the app runs on.
 *
 * <p>Each file is written beside its target and renamed over it, so a reader (the attach command waiting
 * for the report, a browser) never sees half a file.
 */
public final class ProfileOutputs {
    private final Recording recording;
    private final Optional<Path> html;
    private final Optional<Path> trace;
    private final String label;

    private ProfileOutputs(Recording recording, Optional<Path> html, Optional<Path> trace) {
        this.recording = recording;
        this.html = html.map(Path::toAbsolutePath);
        this.trace = trace.map(Path::toAbsolutePath);
        String command = System.getProperty("sun.java.command", "java");
        String main = command.isBlank() ? "java" : command.split(" ", 2)[0];
        this.label = main + " (pid " + ProcessHandle.current().pid() + ")";
    }

    /** Arranges for the outputs to be written, if any is asked for and the scheduler records. */
    public static void install(Optional<Path> html, Optional<Path> trace, Optional<Duration> after) {
        if (html.isEmpty() && trace.isEmpty()) {
            return;
        }
        Optional<Recording> recording = PreemptRuntime.recording();
        if (recording.isEmpty()) {
            PreemptLog.warn("profile= and trace= record what preempt's scheduler does, and it is not running (schedule=off, "
                    + "or this JDK lacks the hook): no profile will be written");
            return;
        }
        ProfileOutputs o = new ProfileOutputs(recording.get(), html, trace);
        if (after.isPresent()) {
            Thread t = new Thread(() -> o.writeAfter(after.get()), "preempt-profile");
            t.setDaemon(true);
            t.start();
        } else {
            Runtime.getRuntime().addShutdownHook(new Thread(o::write, "preempt-profile"));
        }
    }

    private void writeAfter(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // write what there is
        }
        recording.stop();
        write();
    }

    /** Takes a snapshot and writes every output; a failure is logged, never thrown into the app's exit. */
    void write() {
        ProfileSnapshot p = recording.snapshot();
        html.ifPresent(path -> writeAtomically(path, "profile", w -> HtmlReport.write(p, label, w)));
        trace.ifPresent(path -> writeAtomically(path, "trace", w -> TraceWriter.write(p, label, w)));
    }

    private interface Body {
        void writeTo(Writer w) throws IOException;
    }

    /** Fault injection for tests ({@code -Dpreempt_fault.report=full}): every write fails as on a full disk. */
    private static final boolean FULL_DISK = "full".equals(System.getProperty("preempt_fault.report"));

    private static void writeAtomically(Path target, String what, Body body) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (Writer w = new BufferedWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8), 1 << 16)) {
                if (FULL_DISK) {
                    throw new IOException("No space left on device (injected: preempt_fault.report=full)");
                }
                body.writeTo(w);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            PreemptLog.info(what + " written to " + target);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Never thrown into the app's exit: a full disk or a heap exhausted at exit loses the report only.
            PreemptLog.error("could not write the " + what + " to " + target + ": " + e);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the error above is what matters
            }
        }
    }
}
