package dev.preempt.runtime.profile;

/** Why a thread entered the run queue: what its wait there means (a wake-up's delay is latency the app sees). */
public enum Arrival {
    /** Started: its first submission. */
    NEW,
    /** Woken from a park, sleep, wait or monitor: the delay until it runs is its wake-up latency. */
    WOKEN,
    /** Yielded on its own ({@code Thread.yield} in app code). */
    YIELDED,
    /** Preempted at a poll: its slice was over, or a higher priority woke. */
    PREEMPTED;

    /** Whether the thread was waiting for an event rather than for CPU (new or woken). */
    public boolean isWakeUp() {
        return this == NEW || this == WOKEN;
    }
}
