package dev.preempt.runtime.safepoint;

/**
 * The poll that instrumented code calls at loop back-edges and method entries.
 *
 * <p>Fast path: one read of a {@code static volatile} flag. A plain static would do on x86 as far as the
 * hardware goes, but C2 hoists a plain read out of a loop and the poll would never fire (measured); a
 * volatile read is one ordinary load on x86 and AArch64 that the JIT must repeat. Loops that the agent
 * strip-mines read it once per strip, so a vectorised loop keeps its speed.
 *
 * <p>The flag is set by the scheduler only while some carrier's thread should yield (its slice is over and
 * another thread waits, or a higher-priority thread woke) and cleared as soon as none should, so an idle or
 * single-thread app always takes the fast path.
 */
public final class Safepoint {
    private static volatile boolean requested;
    /**
     * What a poll that finds the flag set runs: the scheduler's slow path, set once when it starts. A hook,
     * not a call into the scheduler, so that the poll knows nothing of scheduling (no import cycle).
     * Volatile: it is read only on the slow path, where one more volatile read costs nothing.
     */
    private static volatile Runnable slowPath;

    private Safepoint() {}

    /** Called by instrumented code. Small enough to inline; the rest is out of line. */
    public static void poll() {
        if (requested) {
            slowPath();
        }
    }

    private static void slowPath() {
        Runnable hook = slowPath;
        if (hook != null) {
            hook.run();
        } else {
            requested = false;
        }
    }

    /** For the scheduler, at its start: what polls run while the flag is set. */
    public static void onSlowPath(Runnable hook) {
        slowPath = hook;
    }

    /** For the scheduler: make the next poll of every thread take the slow path. */
    public static void request() {
        requested = true;
    }

    /** For the scheduler: back to the fast path. */
    public static void clear() {
        requested = false;
    }

    /** Whether polls currently take the slow path. */
    public static boolean isRequested() {
        return requested;
    }
}
