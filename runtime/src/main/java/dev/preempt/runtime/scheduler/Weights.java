package dev.preempt.runtime.scheduler;

/**
 * Priority to weight for the fair policy, as Linux CFS maps nice levels: each step is worth 1.25x, so a
 * priority-10 thread gets about 7.5x the CPU of a priority-1 thread next to it, and neither starves.
 */
final class Weights {
    static final long NORM = 1024;
    private static final long[] BY_PRIORITY = new long[11];

    static {
        for (int p = 1; p <= 10; p++) {
            BY_PRIORITY[p] = Math.round(NORM * Math.pow(1.25, p - Thread.NORM_PRIORITY));
        }
    }

    private Weights() {}

    static long of(int priority) {
        return BY_PRIORITY[Math.max(1, Math.min(10, priority))];
    }
}
