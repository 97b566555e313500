package dev.preempt.runtime.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * The executor one virtual-thread builder hands the JDK, so that a submission reaches its {@link Task} with
 * one field read instead of a map lookup. The JDK stores a builder's executor in every thread it builds
 * ({@code VirtualThread.scheduler}, JDK 25) and passes the thread's {@code runContinuation} (one object
 * for the thread's whole life) to it on each start, wake-up and yield. Preempt makes a new builder for
 * each thread it creates (a mapped thread, {@code Thread.startVirtualThread}, each redirected
 * {@code Thread.ofVirtual()}), so the first thread a builder builds is bound here for good: its every
 * submission compares one reference and goes on. A builder that the app reuses for more threads
 * ({@code factory()}, a kept {@code Thread.Builder}) binds its first thread; the others are looked up in
 * the scheduler's map, as every thread was before.
 */
final class TaskExecutor implements Executor {
    private static final VarHandle BOUND;

    static {
        try {
            BOUND = MethodHandles.lookup().findVarHandle(TaskExecutor.class, "bound", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PreemptScheduler scheduler;
    /** Threads of this builder stand for the app's platform threads (threads=map). */
    final boolean mapped;
    /**
     * The first thread built here, or null before its start. Written once by CAS in the starting thread,
     * before the task is enqueued; every later read (from any thread that wakes it) is ordered after that
     * write by the JDK's own hand-off (the waker saw the thread started), and the CAS's volatile write
     * publishes the task's final fields with it.
     */
    private volatile Task bound;

    TaskExecutor(PreemptScheduler scheduler, boolean mapped) {
        this.scheduler = scheduler;
        this.mapped = mapped;
    }

    @Override
    public void execute(Runnable runContinuation) {
        Task t = bound;
        scheduler.submit(t != null && t.runContinuation == runContinuation ? t : scheduler.taskOf(runContinuation, this));
    }

    /** Binds {@code t} if no thread is bound yet; false if another thread of this builder got here first. */
    boolean bind(Task t) {
        t.bound = true; // read when it terminates, which is after this returns
        if (BOUND.compareAndSet(this, null, t)) {
            return true;
        }
        t.bound = false;
        return false;
    }
}
