package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.profile.Arrival;
import dev.preempt.runtime.profile.ThreadProfile;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Preempt's view of one virtual thread on its scheduler: created at the thread's first submission, dropped
 * when the thread terminates.
 *
 * <p>The task's life, as the scheduler sees it (the JDK's own states are in {@code java.lang.VirtualThread}):
 * <pre>
 *   (none)   -> QUEUED    // first execute(runContinuation): the task is created and enqueued
 *   QUEUED   -> RUNNING   // a carrier dequeues it and calls runContinuation
 *   RUNNING  -> QUEUED    // Thread.yield (ours at a poll, or the app's): the JDK resubmits at once
 *   RUNNING  -> WAITING   // park, sleep, blocking monitor enter, wait: runContinuation returns, no submission
 *   WAITING  -> QUEUED    // unpark/notify/timeout: the JDK resubmits from whichever thread woke it
 *   RUNNING  -> (none)    // the thread terminated: the carrier forgets the task
 * </pre>
 * The scheduler does not store the state: "queued" is membership in the run queue and "running" is being a
 * carrier's current task, which is all that decisions need.
 */
final class Task {
    final Thread thread;
    final Runnable runContinuation;
    /** 1..10; written by the app's setPriority through the bridge, read by every decision. */
    volatile int priority;
    /** Weighted run time in nanoseconds at priority 5; the fair policy runs the smallest first. */
    final AtomicLong vruntimeNanos = new AtomicLong();
    /**
     * Time on a carrier in nanoseconds, unweighted: what {@code threads PID} and the ThreadMXBean of app
     * code report as the thread's CPU time. A plain field: only the carrier running the task writes it (one
     * at a time, handed over through a run queue's lock); readers on other threads are diagnostics and may
     * see a value one run old.
     */
    long ranNanos;
    /** Until this time polls do not try to yield again: the last yield was pinned (native frame, class init). */
    volatile long pinnedUntilNanos;

    /** One of the app's platform threads mapped onto the scheduler (threads=map). */
    final boolean mapped;
    /** Reached through its builder's {@link TaskExecutor}, not the scheduler's map. Set before its first run. */
    boolean bound;

    // Run-queue membership (intrusive, so an enqueue allocates nothing). A task is in at most one queue at
    // a time (the JDK submits a thread once per runnable transition) and these fields are written only
    // under that queue's lock, or by the one carrier that dequeued it.
    /** Its ordering key while queued: smallest first (fair: virtual runtime; strict: minus the priority). */
    long queueKey;
    /** Enqueue order, for FIFO among equal keys. */
    long queueSeq;
    /** Its index in the queue's heap array, or -1 when not queued. */
    int heapIndex = -1;

    // Observation only (SwitchObserver), untouched unless profiling or JFR is on. Written by whoever submits
    // the task and read by the carrier that dequeues it: the run queue's lock orders the two.
    /** The profiler's record of this thread, or null when not profiling. */
    ThreadProfile profile;
    /** Why it entered the run queue last: NEW until its first run, then WOKEN unless a yield says otherwise. */
    Arrival arrival = Arrival.NEW;
    /** When it entered the run queue last; 0 when unknown (observation started while it was queued). */
    long enqueuedAtNanos;

    Task(Thread thread, Runnable runContinuation, int priority, boolean mapped) {
        this.thread = thread;
        this.mapped = mapped;
        this.runContinuation = runContinuation;
        this.priority = priority;
    }

    /** Adds {@code ranNanos} of CPU, weighted by priority: a higher priority ages more slowly. */
    void charge(long ranNanos) {
        this.ranNanos += ranNanos;
        vruntimeNanos.addAndGet(ranNanos * Weights.NORM / Weights.of(priority));
    }

    @Override
    public String toString() {
        return thread.getName() + "#" + thread.threadId() + "(prio " + priority + ")";
    }
}
