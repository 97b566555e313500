package dev.preempt.runtime.safepoint;

/**
 * The bound of one strip of a strip-mined counted loop (see the agent's {@code LoopStripMiner}): the
 * inner loop tests {@code i} against {@code limitUp(i, n, span)} (or {@code limitDown}) without a poll, and
 * the outer loop polls once per strip. Called once per strip, not per iteration.
 *
 * <p>Each result lies between {@code i} and {@code n} (inclusive of {@code n}), so a test that passes against
 * it passes against {@code n}; and it is at least one step past {@code i} whenever {@code n} is, so a strip is
 * never empty while the loop goes on. The sums saturate: near {@code Integer.MAX_VALUE} a wrapped
 * {@code i + span} would make every strip empty and the loop would spin at its poll without progress.
 */
public final class LoopStrip {
    private LoopStrip() {}

    /** {@code min(n, i + span)}, saturating. Kept for classes rewritten by older agents. */
    public static int limit(int i, int n, int span) {
        return limitUp(i, n, span);
    }

    /** {@code min(n, i + span)}, saturating: for loops that count up ({@code i < n}, {@code i <= n}). */
    public static int limitUp(int i, int n, int span) {
        return (int) Math.min((long) i + span, (long) n);
    }

    /** {@code max(n, i - span)}, saturating: for loops that count down ({@code i > n}, {@code i >= n}). */
    public static int limitDown(int i, int n, int span) {
        return (int) Math.max((long) i - span, (long) n);
    }

    /** {@code min(n, i + span)}, saturating at {@code Long.MAX_VALUE}. */
    public static long limitUp(long i, long n, int span) {
        long sum = i + span;
        return sum < i ? n : Math.min(sum, n);
    }

    /** {@code max(n, i - span)}, saturating at {@code Long.MIN_VALUE}. */
    public static long limitDown(long i, long n, int span) {
        long diff = i - span;
        return diff > i ? n : Math.max(diff, n);
    }
}
