package dev.preempt.runtime.telemetry;

import jdk.jfr.FlightRecorder;

/**
 * Whether preempt's JFR events may be touched at all. The first use of an event class registers it with
 * JFR, which initialises JFR if no recording started it: about 250 ms on this machine, spent inside the
 * first poll that preempts and charged to that thread (measured: the first of 6 hogs was then starved for
 * 600 ms while the others caught up). So events are created only once JFR is initialised, by
 * {@code -XX:StartFlightRecording} or a later {@code jcmd JFR.start}; until then this is one static read.
 */
public final class JfrGate {
    private JfrGate() {}

    public static boolean open() {
        return FlightRecorder.isInitialized();
    }
}
