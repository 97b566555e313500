package dev.preempt.bench;

import com.google.common.primitives.Ints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.apache.commons.lang3.StringUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Everyday loops, one per shape the poll inserter must keep fast: how the loop is written ({@code for},
 * {@code while}, {@code do/while}, enhanced {@code for}), where its bound comes from (a local, a parameter,
 * an instance field, an array's length, a method result), which way and how far it counts, {@code int} or
 * {@code long} index, nested loops, early exits, and loops whose bodies call (a static method, a lambda,
 * {@code StringBuilder.append}, {@code HashMap.merge}, an iterator), plus real-library loops: commons-lang3
 * and Guava (javac) and kotlin-stdlib (kotlinc). {@link KernelBench} holds the older, narrower suite.
 * Run both sides in one invocation with {@link Compare}: {@code Compare LoopKernelBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoopKernelBench {
    private static final int N = 4096;

    private int[] a;
    private int[] b;
    private int[] c;
    private double[] d;
    private byte[] bytes;
    private int[][] grid;
    private int size;
    private int missing;
    private String text;
    private List<Integer> list;
    private String[] words;
    private IntUnaryOperator twice;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(42);
        a = r.ints(N, 0, 1000).toArray();
        b = r.ints(N, 0, 1000).toArray();
        c = new int[N];
        d = r.doubles(N).toArray();
        bytes = new byte[N];
        r.nextBytes(bytes);
        grid = new int[64][64];
        for (int[] row : grid) {
            for (int j = 0; j < row.length; j++) row[j] = r.nextInt(1000);
        }
        size = N;
        missing = -1;
        StringBuilder sb = new StringBuilder();
        while (sb.length() < N) sb.append("the quick brown fox jumps over the lazy dog ");
        text = sb.toString();
        list = new ArrayList<>();
        for (int x : a) list.add(x);
        words = new String[1024];
        for (int i = 0; i < words.length; i++) words[i] = "w" + (i % 300);
        twice = x -> 2 * x + 1;
    }

    // ---- how the loop is written -------------------------------------------------------------------

    @Benchmark
    public long whileArray() {
        int[] x = a;
        long s = 0;
        int i = 0;
        while (i < x.length) {
            s += x[i];
            i++;
        }
        return s;
    }

    @Benchmark
    public long whilePostIncrement() {
        int[] x = a;
        long s = 0;
        int i = 0;
        while (i < x.length) {
            s += x[i++];
        }
        return s;
    }

    /**
     * A latency-bound chain: each iteration needs the last one's result (a multiply-add, as an LCG or a
     * hash), so nothing vectorises and the loop runs at the multiplier's latency. The loop of
     * {@code HogWorkload}'s hogs, where the rewrite cost 5% on a quiet machine (docs/benchmarks.md).
     */
    @Benchmark
    public long serialChain() {
        long x = missing;
        for (int k = 0; k < 10_000; k++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    @Benchmark
    public long doWhile() {
        int[] x = a;
        int n = x.length;
        long s = 0;
        int i = 0;
        do {
            s += x[i];
            i++;
        } while (i < n);
        return s;
    }

    @Benchmark
    public long enhancedForIntArray() {
        long s = 0;
        for (int v : a) {
            s += v;
        }
        return s;
    }

    @Benchmark
    public double[] scaleDoublesInPlace() {
        double[] x = d;
        for (int i = 0; i < x.length; i++) {
            x[i] *= 1.0000001;
        }
        return x;
    }

    // ---- where the bound comes from ------------------------------------------------------------------

    @Benchmark
    public long fieldBound() {
        long s = 0;
        for (int i = 0; i < size; i++) {
            s += a[i];
        }
        return s;
    }

    @Benchmark
    public long paramBound() {
        return sumRange(a, 16, N - 16);
    }

    private static long sumRange(int[] x, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    @Benchmark
    public int[] vectorAddFieldArrays() {
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    @Benchmark
    public int stringCharAt() {
        String s = text;
        int h = 0;
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    @Benchmark
    public long listIndexedSizeBound() {
        List<Integer> l = list;
        long s = 0;
        for (int i = 0; i < l.size(); i++) {
            s += l.get(i);
        }
        return s;
    }

    // ---- direction, stride, index type ---------------------------------------------------------------

    @Benchmark
    public long countDown() {
        int[] x = a;
        long s = 0;
        for (int i = x.length - 1; i >= 0; i--) {
            s += x[i];
        }
        return s;
    }

    @Benchmark
    public long strideTwoInclusive() {
        int[] x = a;
        int last = x.length - 1;
        long s = 0;
        for (int i = 0; i <= last; i += 2) {
            s += x[i];
        }
        return s;
    }

    @Benchmark
    public long longIndex() {
        long s = 0;
        for (long i = 0; i < 20_000L; i++) {
            s += i ^ (i >>> 3);
        }
        return s;
    }

    @Benchmark
    public int byteChecksum() {
        int h = 1;
        for (byte v : bytes) {
            h = 31 * h + v;
        }
        return h;
    }

    @Benchmark
    public int[] prefixSumInPlace() {
        int[] x = c;
        System.arraycopy(a, 0, x, 0, N);
        for (int i = 1; i < x.length; i++) {
            x[i] += x[i - 1];
        }
        return x;
    }

    // ---- nesting and exits ---------------------------------------------------------------------------

    @Benchmark
    public long nested2d() {
        long s = 0;
        for (int[] row : grid) {
            for (int j = 0; j < row.length; j++) {
                s += row[j];
            }
        }
        return s;
    }

    @Benchmark
    public int earlyExitSearch() {
        int[] x = a;
        int key = missing;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == key) {
                return i;
            }
        }
        return -1;
    }

    // ---- loops that call -----------------------------------------------------------------------------

    @Benchmark
    public long callsStaticMethod() {
        int[] x = a;
        long s = 0;
        for (int i = 0; i < x.length; i++) {
            s += square(x[i]);
        }
        return s;
    }

    private static int square(int v) {
        return v * v;
    }

    @Benchmark
    public long callsLambda() {
        int[] x = a;
        IntUnaryOperator f = twice;
        long s = 0;
        for (int i = 0; i < x.length; i++) {
            s += f.applyAsInt(x[i]);
        }
        return s;
    }

    @Benchmark
    public int stringBuilderAppend() {
        int[] x = a;
        StringBuilder sb = new StringBuilder(N * 4);
        for (int i = 0; i < 1024; i++) {
            sb.append(x[i]).append(',');
        }
        return sb.length();
    }

    @Benchmark
    public int hashMapMerge() {
        Map<String, Integer> m = new HashMap<>();
        for (String w : words) {
            m.merge(w, 1, Integer::sum);
        }
        return m.size();
    }

    @Benchmark
    public long enhancedForList() {
        long s = 0;
        for (int v : list) {
            s += v;
        }
        return s;
    }

    @Benchmark
    public long iteratorWhile() {
        long s = 0;
        Iterator<Integer> it = list.iterator();
        while (it.hasNext()) {
            s += it.next();
        }
        return s;
    }

    // ---- real libraries --------------------------------------------------------------------------------

    @Benchmark
    public int commonsLangCountMatches() {
        return StringUtils.countMatches(text, 'o');
    }

    @Benchmark
    public int guavaIntsIndexOf() {
        return Ints.indexOf(a, missing);
    }

    @Benchmark
    public int kotlinArraySum() {
        return kotlin.collections.ArraysKt.sum(a);
    }

    @Benchmark
    public int kotlinArrayIndexOf() {
        return kotlin.collections.ArraysKt.indexOf(a, missing);
    }
}
