package dev.preempt.timer;

/**
 * A tick source and a cheap monotonic clock. One implementation per kind of timer (the native library
 * of each architecture, the pure-Java fallback); the runtime drives preemption through this interface
 * only, so it knows nothing of how time is measured.
 */
public interface TimerBackend {

    /** Short stable name, as used by the {@code timer=} option: {@code native} or {@code java}. */
    String name();

    /** Whether this backend can run here, and if not, why (said by {@code info} and at start-up). */
    Availability probe();

    /**
     * Starts calling {@code onTick} every {@code periodNanos}, from a thread the backend owns. Ticks do
     * not drift: each deadline is the previous deadline plus the period, not "now" plus the period.
     * {@code onTick} must be short and must not block.
     *
     * @throws IllegalStateException if the backend is not available here
     */
    Ticker start(long periodNanos, Runnable onTick);

    /** A monotonic clock in nanoseconds, cheap enough to read on every scheduling decision. */
    long clockNanos();

    /**
     * Raises the calling thread's scheduling priority where this backend can (the native one: nice -10 on
     * Linux), so that a timer thread that sleeps until a deadline wakes on time on a busy machine; returns
     * whether it did. Call it from the timer thread itself.
     */
    default boolean raiseTimerThreadPriority() {
        return false;
    }

    /** Whether a backend is usable here; {@code reason} says why not, or what it runs on. */
    record Availability(boolean available, String reason) {
        public static Availability yes(String detail) { return new Availability(true, detail); }
        public static Availability no(String reason) { return new Availability(false, reason); }
    }

    /** A running tick source. */
    interface Ticker extends AutoCloseable {
        /** Ticks delivered so far; a ticker whose count stops moving has stalled. */
        long ticks();

        /** Whether the tick thread is still running. */
        boolean alive();

        /** Stops the ticks; idempotent. */
        @Override
        void close();
    }
}
