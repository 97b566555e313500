package dev.preempt.runtime.threads;

import dev.preempt.runtime.scheduler.PreemptScheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * preempt's stand-in for the common pool behind the app's {@code CompletableFuture} {@code *Async} calls:
 * every task starts at once on a virtual thread of its own, as before (so a hog among the tasks never makes
 * the next one wait: each is time-sliced by preempt like any thread), but a thread whose task has ended
 * waits, parked, for the next task instead of ending. A burst of small tasks then pays a hand-off (an
 * unpark, one mount) per task instead of a thread's creation, start, registration and end.
 *
 * <p>Between two tasks a worker is made to look like the fresh thread it replaces, as the common pool's
 * innocuous workers do between top-level tasks: no thread-locals (erased), no interrupt, the system class
 * loader as context loader, its own name, no uncaught-exception handler, its first priority. A task that
 * throws ends its worker (as it would end a thread of its own: {@code CompletableFuture}'s tasks catch
 * everything, so only other code sees this). Where the thread-locals cannot be erased (the runtime was not
 * given access to {@code java.lang}), workers are not kept: one thread per task, as before.
 *
 * <p>Bounds: at most {@link #MAX_IDLE} workers wait at a time (a worker that finds that many waiting ends);
 * a worker that has waited longer than {@link #KEEP_ALIVE_NANOS} ends the next time the pool is used (the
 * common pool's own keep-alive is 60 s). No hand-off is lost: a submitter takes an idle worker by a CAS of
 * its state, writes the task, then unparks it; the worker parks only while it has no task, and
 * {@code LockSupport}'s permit makes an unpark that comes before the park count.
 */
final class AsyncWorkers implements Executor {
    static final int MAX_IDLE = 256;
    static final long KEEP_ALIVE_NANOS = 60_000_000_000L;

    private static final VarHandle THREAD_LOCALS = threadField("threadLocals");
    private static final VarHandle INHERITABLE_THREAD_LOCALS = threadField("inheritableThreadLocals");
    /** Whether workers are kept between tasks: only when a kept worker can drop its task's thread-locals. */
    static final boolean REUSE = THREAD_LOCALS != null && INHERITABLE_THREAD_LOCALS != null;

    private final PreemptScheduler scheduler;
    private final String name;
    /** Idle workers, the most recently idle first (its stack is likelier still in cache). */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    AsyncWorkers(PreemptScheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    PreemptScheduler scheduler() {
        return scheduler;
    }

    @Override
    public void execute(Runnable task) {
        for (Worker w; (w = idle.pollFirst()) != null; ) {
            idleCount.decrementAndGet();
            if (w.hand(task)) {
                retireStale();
                return;
            }
        }
        JdkPools.newThread(scheduler, name, REUSE ? new Worker(task) : task).start();
    }

    /** Ends the longest-waiting worker if it has waited past the keep-alive: one look per hand-off. */
    private void retireStale() {
        Worker oldest = idle.peekLast();
        if (oldest != null && System.nanoTime() - oldest.idleSince > KEEP_ALIVE_NANOS && idle.removeLastOccurrence(oldest)) {
            idleCount.decrementAndGet();
            oldest.retire();
        }
    }

    private static VarHandle threadField(String field) {
        try {
            Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
            return MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup()).findVarHandle(Thread.class, field, map);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private final class Worker implements Runnable {
        private static final VarHandle STATE;
        private static final int BUSY = 0;
        private static final int IDLE = 1;
        private static final int RETIRED = 2;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Worker.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile int state = BUSY;
        /** The task handed over while idle; written before the unpark that wakes the worker. */
        private volatile Runnable next;
        private Runnable first;
        private volatile Thread thread;
        private volatile long idleSince;

        Worker(Runnable first) {
            this.first = first;
        }

        @Override
        public void run() {
            Thread me = Thread.currentThread();
            thread = me;
            int priority = scheduler.priorityOf(me);
            Runnable task = first;
            first = null;
            while (task != null) {
                task.run();
                task = null; // not kept reachable while idle
                freshen(me, priority);
                task = awaitNext();
            }
        }

        /** What a fresh thread would be: the state that a task may have left on this one, put back. */
        private void freshen(Thread me, int priority) {
            Thread.interrupted();
            THREAD_LOCALS.set(me, null);
            INHERITABLE_THREAD_LOCALS.set(me, null);
            me.setContextClassLoader(ClassLoader.getSystemClassLoader());
            if (!me.getName().equals(name)) {
                me.setName(name);
            }
            if (me.getUncaughtExceptionHandler() != me.getThreadGroup()) {
                me.setUncaughtExceptionHandler(null);
            }
            if (priority >= 0 && scheduler.priorityOf(me) != priority) {
                scheduler.setPriority(me, priority);
            }
        }

        /** Waits for the next task; null when this worker ends (too many idle, or retired). */
        private Runnable awaitNext() {
            if (idleCount.get() >= MAX_IDLE) {
                return null;
            }
            idleSince = System.nanoTime();
            state = IDLE;
            idle.offerFirst(this);
            idleCount.incrementAndGet();
            while (true) {
                Runnable t = next;
                if (t != null) {
                    next = null;
                    return t;
                }
                if (state == RETIRED) {
                    return null;
                }
                LockSupport.park(this);
            }
        }

        /** Hands {@code task} to this worker if it is still idle (it was just taken off the idle list). */
        boolean hand(Runnable task) {
            if (!STATE.compareAndSet(this, IDLE, BUSY)) {
                return false;
            }
            next = task;
            LockSupport.unpark(thread);
            return true;
        }

        void retire() {
            if (STATE.compareAndSet(this, IDLE, RETIRED)) {
                LockSupport.unpark(thread);
            }
        }
    }
}
