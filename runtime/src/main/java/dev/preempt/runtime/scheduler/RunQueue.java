package dev.preempt.runtime.scheduler;

import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one global run queue, under one lock. Per-carrier queues with stealing scale further, but with the
 * carrier counts preempt targets (a few to a few dozen) a global queue is what makes the policies exact:
 * "the smallest virtual runtime runs next" and "the highest priority runs first" hold across all carriers,
 * with no window where a carrier runs a lower-priority task than another carrier has queued.
 */
final class RunQueue {
    /** One submission: the task, its ordering key frozen at enqueue, and a sequence number for FIFO ties. */
    record Entry(Task task, long key, long seq) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            // Smallest key first, FIFO on ties. Written out rather than composed from comparators: this is
            // on every switch, and a plain compare is what the JIT inlines best.
            return key != o.key ? Long.compare(key, o.key) : Long.compare(seq, o.seq);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final PriorityQueue<Entry> queue;
    private long seq;
    /** Queue length, readable without the lock by the timer ("is anybody waiting?"). */
    private volatile int size;

    /**
     * Smallest key first, FIFO on ties. The policy lives in the key: under fair it is the virtual runtime,
     * under strict the negated priority (so FIFO within a priority).
     */
    RunQueue() {
        this.queue = new PriorityQueue<>();
    }

    void put(Task t, long key) {
        lock.lock();
        try {
            queue.add(new Entry(t, key, seq++));
            size = queue.size();
            nonEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The next entry if there is one, without waiting. */
    Entry poll() {
        if (size == 0) {
            return null; // racy fast check: a put that races with it is caught by the blocking take
        }
        lock.lock();
        try {
            Entry e = queue.poll();
            size = queue.size();
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** The next entry, waiting up to {@code timeoutNanos}; null on timeout. */
    Entry take(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (queue.isEmpty()) {
                if (remaining <= 0) {
                    return null;
                }
                remaining = nonEmpty.awaitNanos(remaining);
            }
            Entry e = queue.poll();
            size = queue.size();
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** The key of the entry that would run next, or {@code Long.MAX_VALUE} when empty. */
    long peekKey() {
        lock.lock();
        try {
            Entry e = queue.peek();
            return e == null ? Long.MAX_VALUE : e.key();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return size;
    }
}
