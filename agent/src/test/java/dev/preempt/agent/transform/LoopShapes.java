package dev.preempt.agent.transform;

import java.util.List;

/**
 * One method per counted-loop shape that {@link LoopStripMiner} must strip-mine, each as javac writes it;
 * {@link LoopStripMinerTest} checks that each is strip-mined and still gives the same results. Methods
 * named {@code notCounted...} must be left to per-iteration polls.
 */
public class LoopShapes {
    private final int[] data;
    private int size;

    public LoopShapes(int n) {
        data = new int[n];
        for (int i = 0; i < n; i++) data[i] = i * 7 - 3;
        size = n;
    }

    public long whileArray() {
        int[] x = data;
        long s = 0;
        int i = 0;
        while (i < x.length) {
            s += x[i];
            i++;
        }
        return s;
    }

    public long whilePostIncrement() {
        int[] x = data;
        long s = 0;
        int i = 0;
        while (i < x.length) s += x[i++];
        return s;
    }

    public long doWhile(int n) {
        long s = 0;
        int i = 0;
        do {
            s += i;
            i++;
        } while (i < n);
        return s;
    }

    public long enhancedFor() {
        long s = 0;
        for (int v : data) s += v;
        return s;
    }

    public long fieldBound() {
        long s = 0;
        for (int i = 0; i < size; i++) s += data[i];
        return s;
    }

    public long fieldArrayLengthBound() {
        long s = 0;
        for (int i = 0; i < data.length; i++) s += data[i];
        return s;
    }

    public static long paramBound(int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) s += i;
        return s;
    }

    public static long inclusive(int from, int to) {
        long s = 0;
        for (int i = from; i <= to; i++) s += i;
        return s;
    }

    public long countDown() {
        long s = 0;
        for (int i = data.length - 1; i >= 0; i--) s += data[i] * (long) i;
        return s;
    }

    public static long countDownToZero(int n) {
        long s = 0;
        for (int i = n; i > 0; i--) s += i;
        return s;
    }

    public static long boundFirst(int n) {
        long s = 0;
        for (int i = 0; n > i; i += 3) s += i;
        return s;
    }

    public static long bigStride(int n) {
        long s = 0;
        for (int i = 0; i < n; i += 100_000) s += i;
        return s;
    }

    public static long longIndex(long n) {
        long s = 0;
        for (long i = 0; i < n; i++) s += i ^ (i >>> 3);
        return s;
    }

    public static long longCountDown(long n) {
        long s = 0;
        for (long i = n; i >= 0; i -= 2) s += i;
        return s;
    }

    public static int charAt(String text) {
        int h = 0;
        for (int i = 0; i < text.length(); i++) h = 31 * h + text.charAt(i);
        return h;
    }

    public long earlyExit(int key) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == key) return i;
        }
        return -1;
    }

    public long withContinue() {
        long s = 0;
        for (int i = 0; i < data.length; i++) {
            if ((i & 3) == 0) continue;
            s += data[i];
        }
        return s;
    }

    public static long callsInBody(int[] x) {
        long s = 0;
        for (int i = 0; i < x.length; i++) s += Math.abs(x[i]) + Integer.bitCount(x[i]);
        return s;
    }

    public long nested() {
        long s = 0;
        for (int r = 0; r < 7; r++) {
            for (int i = 0; i < data.length; i++) s += data[i] ^ r;
        }
        return s;
    }

    public static long tryAround(int[] x) {
        long s = 0;
        try {
            for (int i = 0; i <= x.length; i++) s += x[i];
        } catch (ArrayIndexOutOfBoundsException e) {
            s = -s;
        }
        return s;
    }

    public static long tryInside(int[] x) {
        long s = 0;
        for (int i = 0; i < x.length; i++) {
            try {
                s += 100 / x[i];
            } catch (ArithmeticException e) {
                s--;
            }
        }
        return s;
    }

    public static int nullArray(int[] x, int n) {
        int s = 0;
        for (int i = 0; i < x.length; i++) s += i;
        return s + n;
    }

    /** A local first assigned in the body and read after the loop: the exit must keep its fall-through. */
    public static int doWhileLocalLiveAfter(int n) {
        int i = 0;
        int last;
        do {
            last = i * 3;
            i++;
        } while (i < n);
        return last + i;
    }

    // ---- not counted: must keep a poll per iteration (or be counted by a counter) ----------------------

    /** As doWhileLocalLiveAfter, for a loop that is not counted (ByteBuddy's StreamDrainer.drain). */
    public static int notCountedDoWhileLocalLiveAfter(int n) {
        int k = n;
        int r;
        do {
            r = k & 7;
            k >>>= 1;
        } while (k != 0);
        return r;
    }

    public static long notCountedListSize(List<Integer> l) {
        long s = 0;
        for (int i = 0; i < l.size(); i++) s += l.get(i);
        return s;
    }

    public static long notCountedBoundMoves(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            if (i == 10) n = 50;
            s += i;
        }
        return s;
    }

    public static long notCountedConditionalStep(int n) {
        long s = 0;
        int i = 0;
        while (i < n) {
            s++;
            if ((s & 1) == 0) i++;
        }
        return s;
    }

    public static long notCountedNotEqual(int n) {
        long s = 0;
        for (int i = 0; i != n; i++) s += i;
        return s;
    }
}
