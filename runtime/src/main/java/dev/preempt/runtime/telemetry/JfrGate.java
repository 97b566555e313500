package dev.preempt.runtime.telemetry;

import dev.preempt.runtime.log.PreemptLog;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;

/**
 * Whether preempt's JFR events may be touched at all. The first use of an event class registers it with
 * JFR (it instruments the class): about 250 ms on this machine for the first, more under load, and
 * whoever touches an event first pays it. Inside a poll that preempts, that was charged to the app's
 * thread and held its carrier: measured, the first of 6 hogs starved for 600 ms; with a recording on, 2
 * hogs on 1 carrier at a load of 10 saw one preemption in a whole second, once per event class (each is
 * registered on its first use). So the scheduler's paths never register: they ask {@link #open()}, which
 * is true only once every preempt event class is registered, by {@link #prepare()} at the scheduler's
 * start when a recording is already on ({@code -XX:StartFlightRecording}), or else by a background thread
 * that the first {@link #open()} after JFR's initialisation ({@code jcmd JFR.start}) starts. Until then
 * the events of those first moments are skipped. Before JFR is initialised this is two static reads.
 */
public final class JfrGate {
    private static final List<Class<? extends Event>> EVENTS = List.of(PreemptionEvent.class, PinnedYieldEvent.class,
            SliceEvent.class, WakeupLatencyEvent.class, LateSafepointEvent.class, BlockedCarrierEvent.class);
    /** Every event class is registered: set once, after the registration (volatile: publishes it). */
    private static volatile boolean ready;
    private static final AtomicBoolean registering = new AtomicBoolean();

    private JfrGate() {}

    public static boolean open() {
        if (ready) {
            return true;
        }
        if (FlightRecorder.isInitialized() && registering.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("preempt-jfr-register").start(JfrGate::register);
        }
        return false;
    }

    /** At the scheduler's start, before any app thread runs: registers now if a recording is already on. */
    public static void prepare() {
        if (FlightRecorder.isInitialized() && registering.compareAndSet(false, true)) {
            register();
        }
    }

    private static void register() {
        try {
            for (Class<? extends Event> c : EVENTS) {
                FlightRecorder.register(c);
            }
            ready = true;
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.WARN, "jfr-register", "preempt's JFR events stay off: registering them failed (" + e + ")");
        }
    }
}
