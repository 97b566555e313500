package dev.preempt.runtime.profile;

/** How a run slice ended, as the carrier sees it when the continuation returns. */
public enum RunEnd {
    /** Yielded at a poll because preempt asked (slice over, or a higher priority woke). */
    PREEMPTED,
    /** Yielded on its own, or parked and was unparked before it left the carrier. */
    YIELDED,
    /** Parked, slept, waited or blocked on a monitor: off the run queue until woken. */
    BLOCKED,
    /** The thread ended. */
    TERMINATED
}
