package dev.preempt.runtime.safepoint;

import dev.preempt.runtime.scheduler.PreemptScheduler;

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

    private Safepoint() {}

    /** Called by instrumented code. Small enough to inline; the rest is out of line. */
    public static void poll() {
        if (requested) {
            slowPath();
        }
    }

    private static void slowPath() {
        PreemptScheduler s = PreemptScheduler.active();
        if (s != null) {
            s.onPoll();
        } else {
            requested = false;
        }
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
