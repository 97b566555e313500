package dev.preempt.timer;

import java.util.List;
import java.util.function.Consumer;

/** The backends this build knows, in the order {@code timer=auto} tries them. */
public final class TimerBackends {
    private static volatile Consumer<String> fallbackListener = message -> System.err.println("preempt: " + message);

    /**
     * The values of {@code timer=}: {@code auto}, then each backend of {@link #all()} by name, preferred
     * first. The agent's option table lists these; {@code TimerBackendsTest} checks them against {@link #all()}.
     */
    public static final List<String> CHOICES = List.of("auto", "native", "java");

    private TimerBackends() {}

    /** Every backend, preferred first: native where its library loads, then the pure-Java one. */
    public static List<TimerBackend> all() {
        return List.of(new NativeTimerBackend(), new JavaTimerBackend());
    }

    /** Where a supervised ticker reports that it fell back to the Java backend (the runtime's log). */
    public static void onFallback(Consumer<String> listener) {
        fallbackListener = listener;
    }

    /**
     * Starts {@code backend} ticking; the entry point the runtime uses. A native ticker is supervised: if
     * it stops ticking, the Java backend takes over within a few periods and the listener is told.
     */
    public static TimerBackend.Ticker startSupervised(TimerBackend backend, long periodNanos, Runnable onTick) {
        TimerBackend.Ticker t = backend.start(periodNanos, onTick);
        if (backend instanceof JavaTimerBackend) {
            return t; // nothing to fall back to
        }
        return new SupervisedTicker(t, periodNanos, onTick, fallbackListener);
    }

    /**
     * The backend for a {@code timer=} value: {@code auto} takes the first available one,
     * {@code native}/{@code java} insist on that one.
     *
     * @throws IllegalStateException naming the backend and the reason when the one asked for cannot run here
     */
    public static TimerBackend select(String choice) {
        if (choice.equals("java")) {
            return new JavaTimerBackend(); // never probe (load) the native library when told not to use it
        }
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
        throw new IllegalStateException("timer=" + choice + ": no such backend (expected "
                + String.join(", ", CHOICES.subList(0, CHOICES.size() - 1)) + " or " + CHOICES.getLast() + ")");
    }
}
