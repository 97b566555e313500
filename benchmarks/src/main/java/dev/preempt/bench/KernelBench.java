package dev.preempt.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The kernel suite for poll overhead: the same kernels run stock and with the agent's polls inserted
 * (the class is app code to the agent; {@link Compare} runs both sides in one invocation and prints
 * the ratios). Kernels cover the loop shapes that matter to the JIT: scalar reductions, a vectorisable
 * loop, tight integer arithmetic, recursion (entry polls), library-heavy code, nested loops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KernelBench {
    private static final int N = 4096;

    private int[] ints;
    private int[] a;
    private int[] b;
    private int[] c;
    private int[] toSort;
    private double[][] m1;
    private double[][] m2;
    private double[][] m3;
    private String[] words;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(42);
        ints = r.ints(N).toArray();
        a = r.ints(N).toArray();
        b = r.ints(N).toArray();
        c = new int[N];
        toSort = r.ints(N).toArray();
        int n = 48;
        m1 = new double[n][n];
        m2 = new double[n][n];
        m3 = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m1[i][j] = r.nextDouble();
                m2[i][j] = r.nextDouble();
            }
        }
        words = IntStream.range(0, 1024).mapToObj(i -> "w" + (i % 300)).toArray(String[]::new);
    }

    @Benchmark
    public long arraySum() {
        long s = 0;
        for (int i = 0; i < ints.length; i++) {
            s += ints[i];
        }
        return s;
    }

    @Benchmark
    public int[] vectorAdd() {
        int[] x = a;
        int[] y = b;
        int[] z = c;
        for (int i = 0; i < z.length; i++) {
            z[i] = x[i] + y[i];
        }
        return z;
    }

    @Benchmark
    public long lcg() {
        long s = 12345;
        for (int i = 0; i < 100_000; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
        }
        return s;
    }

    @Benchmark
    public int recursion() {
        return fib(20);
    }

    private static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    @Benchmark
    public int hashMap() {
        Map<String, Integer> m = new HashMap<>();
        for (String w : words) {
            m.merge(w, 1, Integer::sum);
        }
        return m.size();
    }

    @Benchmark
    public int stringBuilder() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append(i).append(',');
        }
        return sb.length();
    }

    @Benchmark
    public int[] sort() {
        int[] copy = toSort.clone();
        Arrays.sort(copy);
        return copy;
    }

    @Benchmark
    public double[][] matmul() {
        int n = m1.length;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += m1[i][k] * m2[k][j];
                }
                m3[i][j] = s;
            }
        }
        return m3;
    }

    @Benchmark
    public long streams() {
        return IntStream.range(0, 10_000).filter(i -> i % 3 == 0).mapToLong(i -> (long) i * i).sum();
    }
}
