package dev.preempt.runtime.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own log, shared by the agent and the runtime (it lives in the bootstrap part so both see
 * one instance). Never writes to stdout: the app's output stays the app's. Lines go to the stream captured
 * at configuration time ({@code System.err} by default, or {@code log.file=}), so an app that replaces
 * {@code System.err} later does not capture them.
 */
public final class PreemptLog {

    /** Levels, most severe first: the values of {@code log=} (the agent's option table lists these constants). */
    public enum Level { ERROR, WARN, INFO, DEBUG }

    private static volatile Level threshold = Level.WARN;
    private static volatile PrintStream out = System.err;
    private static final Set<String> onceKeys = ConcurrentHashMap.newKeySet();

    private PreemptLog() {}

    /** Sets the level and destination; {@code file} null means stderr. */
    public static synchronized void configure(Level level, String file) throws IOException {
        threshold = level;
        if (file != null) {
            OutputStream os = new FileOutputStream(file, true);
            out = new PrintStream(os, true, StandardCharsets.UTF_8);
        }
    }

    public static boolean enabled(Level level) {
        return level.ordinal() <= threshold.ordinal();
    }

    public static void error(String msg) { log(Level.ERROR, msg); }
    public static void warn(String msg) { log(Level.WARN, msg); }
    public static void info(String msg) { log(Level.INFO, msg); }
    public static void debug(String msg) { log(Level.DEBUG, msg); }

    /** Logs {@code msg} the first time {@code key} is seen, never again (a class that fails, a pinned site). */
    public static void once(Level level, String key, String msg) {
        if (enabled(level) && onceKeys.add(key)) {
            log(level, msg);
        }
    }

    public static void log(Level level, String msg) {
        if (!enabled(level)) {
            return;
        }
        PrintStream p = out;
        // One println per line so that concurrent lines do not interleave mid-line.
        p.println("[preempt " + LocalTime.now() + " " + level.name().toLowerCase(Locale.ROOT) + "] " + msg);
    }
}
