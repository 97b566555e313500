package dev.preempt.runtime.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where the app's thread-creation call sites are redirected. (Placeholder until the scheduler lands:
 * delegates to the JDK.)
 */
public final class ThreadBridge {
    private ThreadBridge() {}

    public static Thread.Builder.OfVirtual ofVirtual() {
        return Thread.ofVirtual();
    }

    public static Thread startVirtualThread(Runnable task) {
        return Thread.startVirtualThread(task);
    }

    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        return Executors.newVirtualThreadPerTaskExecutor();
    }

    public static void setPriority(Thread t, int priority) {
        t.setPriority(priority);
    }
}
