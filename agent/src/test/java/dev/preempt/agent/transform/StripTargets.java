package dev.preempt.agent.transform;

/** Loops in the shapes javac emits, rewritten by the tests and compared with the originals. */
public class StripTargets {
    private final int[] data;
    private int limit;
    private static int staticLimit = 5000;

    public StripTargets(int n) {
        data = new int[n];
        for (int i = 0; i < n; i++) {
            data[i] = i * 7 - 3;
        }
        limit = n;
    }

    public long sumField() {
        long s = 0;
        for (int i = 0; i < data.length; i++) {
            s += data[i];
        }
        return s;
    }

    public long sumToFieldLimit() {
        long s = 0;
        for (int i = 0; i < limit; i++) {
            s += data[i % data.length];
        }
        return s;
    }

    public long sumToStaticLimit() {
        long s = 0;
        for (int i = 0; i < staticLimit; i++) {
            s += i;
        }
        return s;
    }

    public long withBreakAndContinue(int stopAt) {
        long s = 0;
        for (int i = 0; i < data.length; i++) {
            if (i % 3 == 0) {
                continue;
            }
            if (i == stopAt) {
                break;
            }
            s += data[i];
        }
        return s;
    }

    public long boundChangesInBody(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            if (i == 10) {
                n = 5000; // not eligible: must still be right
            }
            s += i;
        }
        return s;
    }

    public long sumWithJdkCalls() {
        long s = 0;
        int[] d = data;
        for (int i = 0; i < d.length; i++) {
            s += Math.abs(d[i]) + Integer.bitCount(d[i]);
        }
        return s;
    }

    /** The body calls a method that moves the bound field: must not be strip-mined, and must stay right. */
    public long callMovesTheFieldBound() {
        long s = 0;
        int saved = limit;
        for (int i = 0; i < limit; i++) {
            s += i;
            shrinkLimitAt(i);
        }
        limit = saved;
        return s;
    }

    private void shrinkLimitAt(int i) {
        if (i == 10) {
            limit = 12;
        }
    }

    public static long nearIntMax(int from) {
        long count = 0;
        for (int i = from; i < Integer.MAX_VALUE; i++) {
            count++;
        }
        return count;
    }

    public static double matmul(int n) {
        double[][] a = new double[n][n];
        double[][] b = new double[n][n];
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = i + j;
                b[i][j] = i - j;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i][k] * b[k][j];
                }
                c[i][j] = s;
            }
        }
        double t = 0;
        for (int i = 0; i < n; i++) {
            t += c[i][n - 1 - i];
        }
        return t;
    }
}
