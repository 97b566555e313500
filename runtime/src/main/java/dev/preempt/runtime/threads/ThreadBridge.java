package dev.preempt.runtime.threads;

import dev.preempt.runtime.scheduler.PreemptScheduler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where the app's thread-creation call sites are redirected by the agent. Each method has the stack
 * effect of the JDK call it replaces; when preempt's scheduler is not running it behaves exactly like it.
 */
public final class ThreadBridge {
    private ThreadBridge() {}

    /** {@code Thread.ofVirtual()}: a builder whose threads run on preempt's scheduler. */
    public static Thread.Builder.OfVirtual ofVirtual() {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Thread.ofVirtual() : s.newBuilder();
    }

    /** {@code Thread.startVirtualThread(task)}. */
    public static Thread startVirtualThread(Runnable task) {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Thread.startVirtualThread(task) : s.newBuilder().start(task);
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Executors.newVirtualThreadPerTaskExecutor()
                : Executors.newThreadPerTaskExecutor(s.newBuilder().factory());
    }

    /**
     * {@code thread.setPriority(priority)}: the JDK's checks and effect, plus, for a virtual thread, the
     * priority preempt schedules it with (the JDK ignores priorities of virtual threads).
     */
    public static void setPriority(Thread thread, int priority) {
        thread.setPriority(priority);
        PreemptScheduler s = PreemptScheduler.active();
        if (s != null && thread.isVirtual()) {
            s.setPriority(thread, priority);
        }
    }
}
