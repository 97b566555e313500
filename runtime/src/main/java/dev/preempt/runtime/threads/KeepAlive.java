package dev.preempt.runtime.threads;

/**
 * Keeps the JVM alive while a mapped thread that the app made non-daemon is alive. Virtual threads are
 * always daemon, so without this a program whose {@code main} returns while its (mapped) worker threads
 * still run would exit under them. One non-daemon platform thread, {@code preempt-keepalive}, lives exactly
 * while the count of such threads is above zero; the JVM's {@code DestroyJavaVM} waits for it as it would
 * have waited for the app's own threads.
 *
 * <p>No lost wake-up: the count and the keeper are read and written under one lock; the keeper re-checks
 * the count under that lock before it exits and clears itself in the same critical section, so an
 * {@link #acquire} either sees the keeper still waiting (and it will see the new count) or sees none and
 * starts one.
 */
final class KeepAlive {
    private static final Object LOCK = new Object();
    private static int count;
    private static Thread keeper;

    private KeepAlive() {}

    /** A non-daemon mapped thread starts: called before its start returns to the app. */
    static void acquire() {
        synchronized (LOCK) {
            count++;
            if (keeper == null) {
                keeper = Thread.ofPlatform().name("preempt-keepalive").daemon(false)
                        .inheritInheritableThreadLocals(false).unstarted(KeepAlive::hold);
                keeper.start();
            }
        }
    }

    /** A non-daemon mapped thread has finished its run (and its uncaught-exception handler). */
    static void release() {
        synchronized (LOCK) {
            if (--count == 0) {
                LOCK.notifyAll();
            }
        }
    }

    /** Live non-daemon mapped threads, for tests and the report. */
    static int count() {
        synchronized (LOCK) {
            return count;
        }
    }

    private static void hold() {
        synchronized (LOCK) {
            while (count > 0) {
                try {
                    LOCK.wait();
                } catch (InterruptedException e) {
                    // Nobody interrupts the keeper on purpose: keep the promise to the app's threads.
                }
            }
            keeper = null;
        }
    }
}
