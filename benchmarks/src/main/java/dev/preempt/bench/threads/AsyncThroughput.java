package dev.preempt.bench.threads;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;

/**
 * The child program of {@link AsyncBench}: tiny {@code CompletableFuture} async tasks without an executor,
 * as an app writes them, run stock (the common pool) or with the agent (one preempt virtual thread per
 * task). Prints key=value lines: tasks per second and process CPU nanoseconds per task, of the second of
 * two equal rounds (the first warms up).
 *
 * <ul>
 *   <li>{@code serial N}: {@code supplyAsync(s).join()} N times, one at a time: the submit-run-join round trip;</li>
 *   <li>{@code fanout N}: batches of 256 {@code supplyAsync(s)}, then each joined: throughput with a queue;</li>
 *   <li>{@code chain N}: N/4 chains {@code supplyAsync} then three {@code thenApplyAsync}, joined at the end.</li>
 * </ul>
 */
public final class AsyncThroughput {
    private static volatile long sink;
    /** Rounds of N tasks; the median of those after the warm-up is reported (the JIT takes a few rounds). */
    private static final int ROUNDS = 6;
    private static final int WARMUP = 3;

    private AsyncThroughput() {}

    public static void main(String[] a) throws Exception {
        String mode = a[0];
        int n = Integer.parseInt(a[1]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] rates = new long[ROUNDS - WARMUP];
        long[] cpus = new long[ROUNDS - WARMUP];
        for (int round = 0; round < ROUNDS; round++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            switch (mode) {
                case "serial" -> serial(n);
                case "fanout" -> fanout(n);
                case "chain" -> chain(n);
                default -> throw new IllegalArgumentException(mode);
            }
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            if (round >= WARMUP) {
                rates[round - WARMUP] = (long) (n / (wall / 1e9));
                cpus[round - WARMUP] = cpu / n;
            }
        }
        java.util.Arrays.sort(rates);
        java.util.Arrays.sort(cpus);
        System.out.println("tasksPerSecond=" + rates[rates.length / 2]);
        System.out.println("cpuNanosPerTask=" + cpus[cpus.length / 2]);
    }

    private static void serial(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            int k = i;
            s += CompletableFuture.supplyAsync(() -> k + 1).join();
        }
        sink = s;
    }

    @SuppressWarnings("unchecked")
    private static void fanout(int n) {
        CompletableFuture<Integer>[] batch = new CompletableFuture[256];
        long s = 0;
        for (int done = 0; done < n; done += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                int k = i;
                batch[i] = CompletableFuture.supplyAsync(() -> k + 1);
            }
            for (CompletableFuture<Integer> f : batch) {
                s += f.join();
            }
        }
        sink = s;
    }

    @SuppressWarnings("unchecked")
    private static void chain(int n) {
        CompletableFuture<Integer>[] chains = new CompletableFuture[64];
        long s = 0;
        for (int done = 0; done < n; done += 4 * chains.length) {
            for (int i = 0; i < chains.length; i++) {
                int k = i;
                chains[i] = CompletableFuture.supplyAsync(() -> k).thenApplyAsync(x -> x + 1).thenApplyAsync(x -> x * 2).thenApplyAsync(x -> x - 1);
            }
            for (CompletableFuture<Integer> f : chains) {
                s += f.join();
            }
        }
        sink = s;
    }
}
