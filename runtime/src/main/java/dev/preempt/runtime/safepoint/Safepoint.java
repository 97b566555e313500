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
    /**
     * What a poll in the JDK's own code ({@link #jdkPoll}) runs while the flag is set: the scheduler's slow
     * path behind a guard that lets the thread yield only where no runtime, class-loading or virtual-thread
     * machinery is on its stack (docs/scheduler.md, "Polls in JDK code").
     */
    private static volatile Runnable jdkSlowPath;

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

    /**
     * Called by the JDK classes the agent retransforms with polls (jdk.polls=on): the same fast path as
     * {@link #poll}, a slow path that yields only where that is safe inside the JDK.
     */
    public static void jdkPoll() {
        if (requested) {
            jdkSlowPath();
        }
    }

    /**
     * Set while a thread runs the JDK-poll slow path. The slow path itself runs JDK code that has polls (a
     * {@code LongAdder}'s first contended add links a {@code VarHandle}, which compares arrays with
     * {@code Arrays.equals}; the guard's stack walk), and while the flag is set each of those polls would
     * enter the slow path again: measured, a {@code StackOverflowError} in the slice timer's thread. A poll
     * reached from inside the slow path returns at once. A mutable cell, set once per thread, rather than
     * {@code set}/{@code remove} on every slow path: a hog next to the one asked to yield takes the slow
     * path at each of its polls until that one yields, and the map's churn showed in its profile.
     */
    private static final ThreadLocal<boolean[]> IN_JDK_SLOW_PATH = new ThreadLocal<>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    private static void jdkSlowPath() {
        if (!Thread.currentThread().isVirtual()) {
            return; // only a virtual thread can yield; the flag is cleared by the thread asked, or the scheduler
        }
        boolean[] inSlowPath = IN_JDK_SLOW_PATH.get();
        Runnable hook = jdkSlowPath;
        if (inSlowPath[0] || hook == null) {
            return;
        }
        inSlowPath[0] = true;
        try {
            hook.run();
        } finally {
            inSlowPath[0] = false;
        }
    }

    /** For the scheduler, at its start: what polls in JDK code run while the flag is set. */
    public static void onJdkSlowPath(Runnable hook) {
        jdkSlowPath = hook;
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
