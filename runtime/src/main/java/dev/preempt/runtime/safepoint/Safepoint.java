package dev.preempt.runtime.safepoint;

/**
 * The poll that instrumented code calls at loop back-edges and method entries.
 * (Placeholder until the scheduler lands: the flag is never set.)
 */
public final class Safepoint {
    private static volatile boolean requested;

    private Safepoint() {}

    public static void poll() {
        if (requested) {
            slowPath();
        }
    }

    private static void slowPath() {
        Thread.yield();
    }
}
