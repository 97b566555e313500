package dev.preempt.runtime.profile;

/**
 * What a reader of the concurrency profiler's recording may do with it: take a copy, and end it. The
 * agent writes the HTML report and the trace through this (from {@code PreemptRuntime.recording()}),
 * never through the scheduler, whose {@link Recorder} is written from the switch path.
 */
public interface Recording {
    /** A copy of the recording so far; safe while the app runs. */
    ProfileSnapshot snapshot();

    /** Stops recording (a timed profile is over); later events record nothing. Idempotent. */
    void stop();
}
