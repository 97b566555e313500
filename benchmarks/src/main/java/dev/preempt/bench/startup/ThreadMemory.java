package dev.preempt.bench.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What one mapped thread costs in memory, against the platform thread it replaces: starts N plain platform
 * threads (as a legacy app writes them), each blocked {@value #DEPTH} calls deep, once on the stock JVM and
 * once under the agent's defaults (where each becomes a virtual thread on preempt's scheduler), and reports
 * per thread the bytes of live heap objects after a full GC ({@link ClassLoadStartup#liveBytes}) and the
 * process's resident set (VmRSS), both as the difference between "all N blocked" and "none started yet".
 * Memory, not speed: the pairs run one after the other, alternating which side goes first.
 *
 * <p>A platform thread's stack is native memory (in RSS, not in the heap); a virtual thread's frames are
 * a stack chunk in the heap while it is parked. So the heap figure grows under the agent by design, and the
 * RSS figure says what the process pays in all. A third column runs the same threads as the JDK's own
 * virtual threads on the stock JVM ({@code Thread.ofVirtual()}): the agent's heap per thread minus that is
 * what preempt itself keeps per mapped thread.
 *
 * <pre>java -cp preempt-benchmarks.jar dev.preempt.bench.startup.ThreadMemory [--threads 10000] [--repeat 2]
 *     [--agent agent/target/preempt-agent.jar] [--options OPTIONS]</pre>
 */
public final class ThreadMemory {
    /** Calls between each thread's run() and its wait: a modest real stack, not an empty one. */
    static final int DEPTH = 16;

    private ThreadMemory() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), args[2].equals("virtual"));
            return;
        }
        int threads = 10_000;
        int repeat = 2;
        String agent = "agent/target/preempt-agent.jar";
        String options = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--agent" -> agent = args[++i];
                case "--options" -> options = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String agentArg = "-javaagent:" + Path.of(agent).toAbsolutePath() + (options.isEmpty() ? "" : "=" + options);
        List<long[]> stock = new ArrayList<>(), virtual = new ArrayList<>(), withAgent = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            boolean stockFirst = r % 2 == 0; // ABBA
            if (stockFirst) stock.add(run(null, threads, false));
            withAgent.add(run(agentArg, threads, false));
            if (!stockFirst) stock.add(run(null, threads, false));
            virtual.add(run(null, threads, true));
        }
        System.out.printf(Locale.ROOT, "%d threads, each blocked %d calls deep; per thread (median of %d runs, range):%n",
                threads, DEPTH, repeat);
        System.out.printf(Locale.ROOT, "%-28s %24s %24s %8s %26s%n", "", "stock", "agent", "ratio",
                "stock, as virtual threads");
        String[] what = {"live heap after GC, bytes", "resident set (RSS), bytes"};
        for (int k = 0; k < 2; k++) {
            double s = median(stock, k, threads), a = median(withAgent, k, threads), v = median(virtual, k, threads);
            System.out.printf(Locale.ROOT, "%-28s %24s %24s %8.2f %26s%n", what[k], range(stock, k, threads, s),
                    range(withAgent, k, threads, a), a / s, range(virtual, k, threads, v));
        }
        System.out.println("agent: " + agentArg);
    }

    private static double median(List<long[]> runs, int k, int threads) {
        double[] v = runs.stream().mapToDouble(r -> (double) r[k] / threads).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String range(List<long[]> runs, int k, int threads, double median) {
        double lo = runs.stream().mapToDouble(r -> (double) r[k] / threads).min().orElse(0);
        double hi = runs.stream().mapToDouble(r -> (double) r[k] / threads).max().orElse(0);
        return String.format(Locale.ROOT, "%,.0f (%,.0f-%,.0f)", median, lo, hi);
    }

    /** One child JVM: {heap bytes, rss bytes} added by the blocked threads. */
    private static long[] run(String agentArg, int threads, boolean virtual) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        if (agentArg != null) {
            cmd.add(agentArg);
        }
        cmd.addAll(List.of("-Xms1g", "-Xmx1g", "-cp", System.getProperty("java.class.path"), ThreadMemory.class.getName(),
                "--child", Integer.toString(threads), virtual ? "virtual" : "platform"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long heap = -1, rss = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("heap=")) heap = Long.parseLong(l.substring(5));
                if (l.startsWith("rss=")) rss = Long.parseLong(l.substring(4));
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || heap < 0 || rss < 0) {
            throw new IllegalStateException("child failed: " + cmd);
        }
        return new long[] {heap, rss};
    }

    private static void child(int threads, boolean virtual) throws Exception {
        Thread.Builder builder = virtual ? Thread.ofVirtual() : null;
        CountDownLatch started = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        warmUp(builder);
        long heap0 = ClassLoadStartup.liveBytes();
        long rss0 = rss();
        List<Thread> all = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            Runnable body = () -> deep(DEPTH, started, release);
            Thread t = builder == null ? new Thread(body, "blocked-" + i) : builder.name("blocked-" + i).unstarted(body);
            t.start();
            all.add(t);
        }
        started.await();
        long heap1 = ClassLoadStartup.liveBytes();
        long rss1 = rss();
        release.countDown();
        for (Thread t : all) {
            t.join();
        }
        System.out.println("heap=" + (heap1 - heap0));
        System.out.println("rss=" + (rss1 - rss0));
    }

    /** The code paths the measured threads take, run once before the baseline, so class loading is not counted. */
    private static void warmUp(Thread.Builder builder) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Runnable body = () -> deep(DEPTH, started, release);
        Thread t = builder == null ? new Thread(body, "warm-up") : builder.name("warm-up").unstarted(body);
        t.start();
        started.await();
        release.countDown();
        t.join();
    }

    private static void deep(int depth, CountDownLatch started, CountDownLatch release) {
        if (depth > 0) {
            deep(depth - 1, started, release);
            return;
        }
        started.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long rss() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
