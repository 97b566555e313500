package dev.preempt.runtime;

import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.profile.Recording;
import dev.preempt.runtime.scheduler.PreemptScheduler;
import dev.preempt.runtime.telemetry.JmxRegistration;
import dev.preempt.runtime.telemetry.SchedulerMXBean;
import dev.preempt.runtime.telemetry.ThreadsMXBean;
import dev.preempt.runtime.threads.ThreadDump;
import dev.preempt.timer.TimerBackends;
import java.util.Optional;

/**
 * The runtime's front: started once by the agent's premain, before any app class is transformed.
 * Lives on the bootstrap class path, so there is exactly one of it whatever loader asks.
 */
public final class PreemptRuntime {

    private static volatile RuntimeSettings settings;

    private PreemptRuntime() {}

    /**
     * Starts the runtime with the given settings; a second call is refused (one runtime per JVM).
     *
     * @throws IllegalStateException if already started
     */
    public static synchronized void start(RuntimeSettings s) {
        if (settings != null) {
            throw new IllegalStateException("preempt runtime already started");
        }
        settings = s;
        TimerBackends.onFallback(PreemptLog::warn);
        dev.preempt.runtime.threads.ThreadBridge.configure(s);
        if (s.schedule()) {
            PreemptScheduler scheduler = PreemptScheduler.start(s);
            if (scheduler != null) {
                JmxRegistration.registerWhenServerExists(java.util.Map.of(SchedulerMXBean.OBJECT_NAME, scheduler.monitor(),
                        ThreadsMXBean.OBJECT_NAME, new ThreadDump(scheduler)));
            }
            if (scheduler != null && PreemptLog.enabled(PreemptLog.Level.INFO)) {
                Runtime.getRuntime().addShutdownHook(new Thread(
                        () -> PreemptLog.info("scheduler at exit: " + scheduler.stats().snapshot()), "preempt-exit-stats"));
            }
        }
        PreemptLog.debug("runtime started: " + s);
    }

    /**
     * The concurrency profiler's recording, when {@code profile=} or {@code trace=} asked for one and
     * preempt's scheduler runs; what the agent writes the report and the trace from.
     */
    public static Optional<Recording> recording() {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Optional.empty() : Optional.ofNullable(s.recorder());
    }

    /**
     * The runtime binds the native timer with the FFM API from the boot loader's unnamed module, and the
     * JDK tracks native access for unnamed modules only as a whole: without this, its first restricted
     * call would print a warning into the app's stderr. The same as {@code --enable-native-access=ALL-UNNAMED}.
     * Called by the agent after it opened {@code java.lang} to this module (and to no other).
     */
    public static void enableNativeAccess() {
        try {
            var m = Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed");
            m.setAccessible(true);
            m.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            PreemptLog.info("could not enable native access for the timer library (" + e + "); the JDK may warn once");
        }
    }

    /** Whether {@link #start} has run in this JVM. */
    public static boolean isStarted() {
        return settings != null;
    }
}
