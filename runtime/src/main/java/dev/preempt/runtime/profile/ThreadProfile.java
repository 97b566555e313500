package dev.preempt.runtime.profile;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one scheduled thread did while recording: CPU, slices and how they ended, wake-ups, pinned yields.
 *
 * <p>Counters are atomic adds although a thread runs on one carrier at a time: the JDK may resubmit a
 * parked thread (from the thread that unparks it) before the carrier it left has finished accounting for
 * its slice, so two carriers can briefly account for the same thread. Uncontended, an atomic add costs a
 * few nanoseconds on a switch of several hundred.
 */
public final class ThreadProfile {
    /** Counter slots, in {@link #counters}. */
    enum Counter { CPU_NANOS, PREEMPTIONS, YIELDS, BLOCKS, TERMINATED, WAKEUPS, PINNED_YIELDS }

    final int index;
    final long threadId;
    final long createdNanos;
    /** Null once the thread ended. */
    private volatile Thread thread;
    private volatile String nameAtEnd;
    private volatile long endedNanos = -1;
    private volatile int priority;
    private final AtomicLongArray counters = new AtomicLongArray(Counter.values().length);

    ThreadProfile(int index, Thread thread, int priority, long createdNanos) {
        this.index = index;
        this.thread = thread;
        this.threadId = thread.threadId();
        this.priority = priority;
        this.createdNanos = createdNanos;
    }

    void add(Counter c, long delta) {
        counters.getAndAdd(c.ordinal(), delta);
    }

    long get(Counter c) {
        return counters.get(c.ordinal());
    }

    /** Every slice ends one way: their sum (one atomic add per slice fewer than a counter of its own). */
    long slices() {
        return get(Counter.PREEMPTIONS) + get(Counter.YIELDS) + get(Counter.BLOCKS) + get(Counter.TERMINATED);
    }

    void priority(int p) {
        priority = p;
    }

    int priority() {
        return priority;
    }

    /** The thread's name now, or when it ended: the app may rename a thread after it starts. */
    String name() {
        Thread t = thread;
        return t != null ? t.getName() : nameAtEnd;
    }

    /**
     * Records the end and lets the thread object go: a profile outlives its threads, and holding every
     * ended thread would keep what they reference alive. (The name is kept.)
     */
    void ended(long nanos) {
        Thread t = thread;
        if (t != null) {
            nameAtEnd = t.getName(); // before the thread reference goes: name() never sees neither
            thread = null;
        }
        endedNanos = nanos;
    }

    long endedNanos() {
        return endedNanos;
    }
}
