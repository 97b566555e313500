package dev.preempt.runtime.scheduler;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One run queue: a carrier's own ({@link Carrier#local}) or the scheduler's inject queue ({@link RunQueues}).
 * Tasks ordered by key, smallest first, FIFO among equal keys, under one lock that is uncontended unless a
 * thief or an outside submitter comes by. The heap is intrusive: a task carries its key, sequence number
 * and heap index ({@link Task#queueKey} ...), so an enqueue allocates nothing once the array has grown to
 * the app's width.
 *
 * <p>The policy lives in the key: under fair it is the virtual runtime, under strict the negated priority
 * (so FIFO within a priority).
 *
 * <p>Lock-free reads: {@link #size()} and {@link #peekKey()} read volatiles written under the lock after
 * every change. They are what other carriers, the timer and the idle protocol look at without the lock;
 * each use re-checks under the lock (a poll of an emptied queue returns null) or tolerates a stale value
 * (a floor, a balancing hint). The volatile write of {@code size} after an enqueue is also one half of the
 * no-lost-wake-up handshake in {@link RunQueues}.
 */
final class RunQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private Task[] heap = new Task[16];
    private int count;
    private long seq;
    /** Queue length, readable without the lock; written under the lock after each change. */
    private volatile int size;
    /** The head's key (or {@code Long.MAX_VALUE} when empty), published like {@link #size}. */
    private volatile long headKey = Long.MAX_VALUE;

    void put(Task t, long key) {
        lock.lock();
        try {
            add(t, key);
            published();
        } finally {
            lock.unlock();
        }
    }

    /** The next task if there is one. */
    Task poll() {
        if (size == 0) {
            return null; // racy fast check: a put racing with it is the idle protocol's business (RunQueues)
        }
        lock.lock();
        try {
            Task t = removeHead();
            published();
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves up to half of this queue's tasks (rounded up, at most {@code into.length}), smallest keys first,
     * into {@code into}; returns how many. Unless {@code wait}, a thief that finds the lock taken gives up
     * (returns 0) rather than queue behind the owner: it will look again, and a convoy of thieves on one
     * lock is what the per-carrier queues are there to avoid.
     */
    int takeHalf(Task[] into, boolean wait) {
        if (size == 0) {
            return 0;
        }
        if (wait) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return 0;
        }
        try {
            int n = Math.min(into.length, (count + 1) / 2);
            for (int i = 0; i < n; i++) {
                into[i] = removeHead();
            }
            published();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Adds {@code n} tasks with their keys as they are (tasks moved from another queue). */
    void putAll(Task[] tasks, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                add(tasks[i], tasks[i].queueKey);
                tasks[i] = null;
            }
            published();
        } finally {
            lock.unlock();
        }
    }

    /** The key of the task that would run next, or {@code Long.MAX_VALUE} when empty. */
    long peekKey() {
        return headKey;
    }

    int size() {
        return size;
    }

    /**
     * Publishes the head key and size for lock-free readers. Release stores (plain stores on x86): a
     * reader that sees the new size sees the new head key too (written first), and the lock's release
     * orders both before the next owner's changes. The one place that needs a store here ordered before a
     * later load, the submitter's half of the idle handshake, has its own fence ({@link RunQueues#put}).
     */
    private void published() {
        HEAD_KEY.setRelease(this, count == 0 ? Long.MAX_VALUE : heap[0].queueKey);
        SIZE.setRelease(this, count);
    }

    private static final java.lang.invoke.VarHandle HEAD_KEY, SIZE;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            HEAD_KEY = l.findVarHandle(RunQueue.class, "headKey", long.class);
            SIZE = l.findVarHandle(RunQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The binary heap, under the lock.

    private void add(Task t, long key) {
        if (count == heap.length) {
            heap = Arrays.copyOf(heap, count * 2);
        }
        t.queueKey = key;
        t.queueSeq = seq++;
        siftUp(count++, t);
    }

    private Task removeHead() {
        if (count == 0) {
            return null;
        }
        Task head = heap[0];
        Task last = heap[--count];
        heap[count] = null;
        if (count > 0) {
            siftDown(0, last);
        }
        head.heapIndex = -1;
        return head;
    }

    private static boolean before(Task a, Task b) {
        return a.queueKey != b.queueKey ? a.queueKey < b.queueKey : a.queueSeq < b.queueSeq;
    }

    private void siftUp(int i, Task t) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Task p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i, Task t) {
        int half = count >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Task c = heap[child];
            int right = child + 1;
            if (right < count && before(heap[right], c)) {
                c = heap[child = right];
            }
            if (!before(c, t)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
