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
     * The head's key, published after every change under the lock so that a waking thread's placement
     * (which reads it on every wake-up) takes no lock: a second lock round trip per wake-up was measurable
     * on an I/O-bound server.
     */
    private volatile long headKey = Long.MAX_VALUE;

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
            published();
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
            published();
            return e;
        } finally {
            lock.unlock();
        }
    }

    private void published() {
        size = queue.size();
        Entry h = queue.peek();
        headKey = h == null ? Long.MAX_VALUE : h.key();
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
            published();
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** The key of the entry that would run next, or {@code Long.MAX_VALUE} when empty. */
    long peekKey() {
        return headKey; // as of the last change; a floor computed from it is a floor, not a ledger
    }

    int size() {
        return size;
    }
}
