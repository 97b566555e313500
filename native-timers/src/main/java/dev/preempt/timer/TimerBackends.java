package dev.preempt.timer;

import java.util.List;

/** The backends this build knows, in the order {@code timer=auto} tries them. */
public final class TimerBackends {
    private TimerBackends() {}

    /** Every backend, preferred first. */
    public static List<TimerBackend> all() {
        return List.of(new JavaTimerBackend());
    }

    /**
     * Starts {@code backend} ticking; the entry point the runtime uses. (A supervised version that falls
     * back to the Java backend when a native tick stalls comes with the native backend.)
     */
    public static TimerBackend.Ticker startSupervised(TimerBackend backend, long periodNanos, Runnable onTick) {
        return backend.start(periodNanos, onTick);
    }

    /**
     * The backend for a {@code timer=} value: {@code auto} takes the first available one,
     * {@code native}/{@code java} insist on that one.
     *
     * @throws IllegalStateException naming the backend and the reason when the one asked for cannot run here
     */
    public static TimerBackend select(String choice) {
        for (TimerBackend b : all()) {
            TimerBackend.Availability a = b.probe();
            if (choice.equals("auto") && a.available()) {
                return b;
            }
            if (choice.equals(b.name())) {
                if (!a.available()) {
                    throw new IllegalStateException("timer=" + choice + " cannot run here: " + a.reason());
                }
                return b;
            }
        }
        if (choice.equals("native")) {
            throw new IllegalStateException("timer=native cannot run here: no native timer library in this build");
        }
        throw new IllegalStateException("timer=" + choice + ": no such backend (expected auto, native or java)");
    }
}
