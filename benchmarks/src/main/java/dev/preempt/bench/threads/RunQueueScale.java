package dev.preempt.bench.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Run-queue throughput as the number of carriers grows (1, 2, 4, 8, 16 on this 2-CPU machine: the larger
 * counts are oversubscribed), stock against the agent in the same run, alternating which goes first.
 *
 * <ul>
 *   <li>{@code yield}: 64 virtual threads that each do a little work and {@code Thread.yield()} in a loop:
 *       every yield is one trip through a run queue (a carrier's own, under preempt).</li>
 *   <li>{@code spawn}: one virtual thread starts short virtual threads as fast as it can (every submission
 *       lands on its carrier's queue under preempt, so the others must steal) and joins them in batches:
 *       submit and steal contention.</li>
 * </ul>
 * Usage: {@code RunQueueScale [--agent JAR] [--carriers 1,2,4,8,16] [--seconds 2] [--warmup 2] [--repeat 3]};
 * the child program is {@code RunQueueScale child MODE SECONDS [WARMUP_SECONDS]}. Prints operations per second and agent/stock.
 */
public final class RunQueueScale {
    private static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Double.parseDouble(args[2]), args.length > 3 ? Double.parseDouble(args[3]) : 0.3);
            return;
        }
        String agent = "agent/target/preempt-agent.jar";
        List<Integer> counts = List.of(1, 2, 4, 8, 16);
        String seconds = "2";
        String warmup = "2";
        int repeat = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--carriers" -> counts = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = args[++i];
                case "--warmup" -> warmup = args[++i];
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        String agentPath = java.nio.file.Path.of(agent).toAbsolutePath().toString();
        System.out.printf(Locale.ROOT, "%-6s %-9s %14s %14s %8s %11s%n", "mode", "carriers", "stock ops/s", "agent ops/s", "ratio", "spread");
        for (String mode : List.of("yield", "spawn")) {
            for (int c : counts) {
                List<Double> stock = new ArrayList<>(), agentOps = new ArrayList<>(), ratios = new ArrayList<>();
                for (int r = 0; r < repeat; r++) {
                    List<String> stockCmd = ChildJvm.command(null, List.of("-Djdk.virtualThreadScheduler.parallelism=" + c,
                            "-Djdk.virtualThreadScheduler.maxPoolSize=" + c), RunQueueScale.class.getName(), "child", mode, seconds, warmup);
                    List<String> agentCmd = ChildJvm.command("-javaagent:" + agentPath + "=carriers=" + c, List.of(),
                            RunQueueScale.class.getName(), "child", mode, seconds, warmup);
                    boolean stockFirst = r % 2 == 0;
                    double a, s;
                    if (stockFirst) {
                        s = ops(stockCmd);
                        a = ops(agentCmd);
                    } else {
                        a = ops(agentCmd);
                        s = ops(stockCmd);
                    }
                    stock.add(s);
                    agentOps.add(a);
                    ratios.add(a / s);
                }
                System.out.printf(Locale.ROOT, "%-6s %-9d %14.0f %14.0f %8.3f %11s%n", mode, c, ChildJvm.median(stock),
                        ChildJvm.median(agentOps), ChildJvm.median(ratios), ChildJvm.spread(ratios));
                dev.preempt.bench.Ratios.record("run-queue " + mode + " throughput, " + c + " carriers (ops/s)",
                        String.format(Locale.ROOT, "%.0f", ChildJvm.median(stock)), String.format(Locale.ROOT, "%.0f", ChildJvm.median(agentOps)),
                        ChildJvm.median(ratios), ChildJvm.spread(ratios), "RunQueueScale --carriers " + c + " --seconds " + seconds + " --warmup " + warmup + " --repeat " + repeat);
            }
        }
    }

    private static double ops(List<String> cmd) throws Exception {
        return Double.parseDouble(ChildJvm.run(cmd, 120).get("opsPerSecond"));
    }

    private static void child(String mode, double seconds, double warmupSeconds) throws Exception {
        LongAdder ops = new LongAdder();
        long windowNanos = (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        if (mode.equals("yield")) {
            for (int i = 0; i < 64; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    long x = 1;
                    while (!stop) {
                        for (int k = 0; k < 100; k++) x = x * 6364136223846793005L + 1;
                        Thread.yield();
                        ops.increment();
                    }
                    if (x == 42) System.out.print("");
                }));
            }
        } else {
            threads.add(Thread.ofVirtual().start(() -> {
                List<Thread> batch = new ArrayList<>(256);
                while (!stop) {
                    for (int i = 0; i < 256; i++) {
                        batch.add(Thread.ofVirtual().start(() -> {
                            long x = 1;
                            for (int k = 0; k < 2_000; k++) x = x * 6364136223846793005L + 1;
                            if (x == 42) System.out.print("");
                        }));
                    }
                    for (Thread t : batch) {
                        try {
                            t.join();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    ops.add(batch.size());
                    batch.clear();
                }
            }));
        }
        // Warm-up, not counted: the window below is measured from a snapshot. It must outlast the JIT: with 16
        // carriers on 2 loaded CPUs the compiler threads got so little CPU that the yielders' loop was still
        // interpreted at the end of a 2 s window after a 0.3 s warm-up (53% of the carriers' samples in the
        // interpreter), and that, not the run queues, was the "collapse" at 8 and 16 carriers.
        Thread.sleep((long) (warmupSeconds * 1000));
        long t0 = System.nanoTime();
        long before = ops.sum();
        Thread.sleep(windowNanos / 1_000_000);
        long after = ops.sum();
        long elapsed = System.nanoTime() - t0;
        stop = true;
        for (Thread t : threads) t.join();
        System.out.printf(Locale.ROOT, "opsPerSecond=%.0f%n", (after - before) * 1e9 / elapsed);
    }
}
