package dev.preempt.runtime.safepoint;

/**
 * The bound of one strip of a strip-mined counted loop (see the agent's {@code LoopStripMiner}): the
 * inner loop runs {@code for (; i < limit(i, n, strip); i++)} without a poll, and the outer loop polls
 * once per strip. Called once per strip, not per iteration.
 */
public final class LoopStrip {
    private LoopStrip() {}

    /**
     * {@code min(n, i + strip)}, saturating: near {@code Integer.MAX_VALUE} a wrapped {@code i + strip}
     * would make every strip empty and the loop would spin at its poll without progress.
     */
    public static int limit(int i, int n, int strip) {
        return (int) Math.min((long) i + strip, (long) n);
    }
}
