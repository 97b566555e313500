package dev.preempt.runtime.telemetry;

import dev.preempt.runtime.log.PreemptLog;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;

/**
 * Whether preempt's JFR events may be touched at all. The first use of an event class registers it with
 * JFR (it instruments the class), which initialises JFR if no recording started it: about 250 ms on this
 * machine, more under load, spent by whoever touches the event first. So events are created only once JFR
 * is initialised, by {@code -XX:StartFlightRecording} or a later {@code jcmd JFR.start}; until then this is
 * one static read. And when a recording is already on at the scheduler's start, {@link #prepare()}
 * registers every preempt event class there, before any app thread runs: otherwise each class registered
 * inside the first poll that used it, holding that carrier (2 hogs on 1 carrier at a load of 10 saw one
 * preemption in a whole second, with the jar before issue 15 as well).
 */
public final class JfrGate {
    private static final List<Class<? extends Event>> EVENTS = List.of(PreemptionEvent.class, PinnedYieldEvent.class,
            SliceEvent.class, WakeupLatencyEvent.class, LateSafepointEvent.class, BlockedCarrierEvent.class);

    private JfrGate() {}

    public static boolean open() {
        return FlightRecorder.isInitialized();
    }

    /** At the scheduler's start, before any app thread runs: registers the events now if a recording is on. */
    public static void prepare() {
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        try {
            for (Class<? extends Event> c : EVENTS) {
                FlightRecorder.register(c);
            }
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.WARN, "jfr-register", "preempt's JFR events register on first use: registering them at start failed (" + e + ")");
        }
    }
}
