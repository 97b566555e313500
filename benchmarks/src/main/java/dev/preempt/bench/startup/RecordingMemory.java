package dev.preempt.bench.startup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Is a recording's memory bounded by its settings, not by how long it runs? Runs one steady workload in
 * two JVMs at once, the stock JVM and one under the agent with {@code profile=} (and any other options),
 * for the given minutes, and every interval prints the bytes of live objects after a full GC in each
 * ({@link ClassLoadStartup#liveBytes}). The workload's own live set does not grow: 2 CPU hogs, 20 threads
 * that sleep 1 ms at a time, and a short-lived thread started every 5 ms (200 a second, 120,000 in ten
 * minutes: past the default {@code profile.threads}), all plain platform threads as a legacy app writes
 * them. So what grows under the agent and not on the stock JVM is the recording, and it must stop growing
 * at its bounds ({@code profile.threads}, {@code profile.slices}). Memory, not speed: both JVMs run at once.
 *
 * <pre>java -cp preempt-benchmarks.jar dev.preempt.bench.startup.RecordingMemory [--minutes 10] [--interval 30]
 *     [--agent agent/target/preempt-agent.jar] [--options profile.threads=2000]</pre>
 */
public final class RecordingMemory {
    private RecordingMemory() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Double.parseDouble(args[1]), Integer.parseInt(args[2]));
            return;
        }
        double minutes = 10;
        int interval = 30;
        String agent = "agent/target/preempt-agent.jar";
        String options = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--interval" -> interval = Integer.parseInt(args[++i]);
                case "--agent" -> agent = args[++i];
                case "--options" -> options = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path report = Path.of(System.getProperty("java.io.tmpdir"), "preempt-recording-memory-" + ProcessHandle.current().pid() + ".html");
        String agentArg = "-javaagent:" + Path.of(agent).toAbsolutePath() + "=profile=" + report + (options.isEmpty() ? "" : "," + options);
        List<Long> stock = new ArrayList<>(), withAgent = new ArrayList<>(), started = new ArrayList<>();
        double m = minutes;
        int every = interval;
        Thread s = Thread.ofPlatform().start(() -> read(null, m, every, stock, new ArrayList<>()));
        Thread a = Thread.ofPlatform().start(() -> read(agentArg, m, every, withAgent, started));
        s.join();
        a.join();
        System.out.printf(Locale.ROOT, "live objects after a full GC, every %d s (MiB), agent %s:%n%8s %10s %10s %12s %16s%n",
                interval, agentArg, "seconds", "stock", "agent", "agent-stock", "threads started");
        for (int i = 0; i < Math.min(stock.size(), withAgent.size()); i++) {
            System.out.printf(Locale.ROOT, "%8d %10.1f %10.1f %12.1f %16d%n", (i + 1) * interval, stock.get(i) / 1048576.0,
                    withAgent.get(i) / 1048576.0, (withAgent.get(i) - stock.get(i)) / 1048576.0,
                    i < started.size() ? started.get(i) : -1);
        }
    }

    private static void read(String agentArg, double minutes, int interval, List<Long> out, List<Long> started) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        if (agentArg != null) {
            cmd.add(agentArg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RecordingMemory.class.getName(), "--child",
                Double.toString(minutes), Integer.toString(interval)));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    if (l.startsWith("live=")) {
                        out.add(Long.parseLong(l.substring(5)));
                    } else if (l.startsWith("started=")) {
                        started.add(Long.parseLong(l.substring(8)));
                    }
                }
            }
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("child failed: " + cmd);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Threads the agent's scheduler started so far ({@code dev.preempt:type=Scheduler}), -1 on the stock
     * JVM: says when the recording reached {@code profile.threads}, after which it must stop growing.
     */
    private static long threadsStarted() throws Exception {
        javax.management.ObjectName name = new javax.management.ObjectName("dev.preempt:type=Scheduler");
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        return server.isRegistered(name) ? ((Number) server.getAttribute(name, "ThreadsStarted")).longValue() : -1;
    }

    /** The workload: prints live=BYTES every interval until the minutes are up, then ends its threads. */
    private static void child(double minutes, int interval) throws Exception {
        long end = System.nanoTime() + (long) (minutes * 60e9);
        AtomicLong sink = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            threads.add(new Thread(() -> {
                long x = 0;
                while (System.nanoTime() < end) {
                    for (int k = 0; k < 1_000_000; k++) {
                        x = x * 6364136223846793005L + k;
                    }
                }
                sink.addAndGet(x);
            }, "hog-" + i));
        }
        for (int i = 0; i < 20; i++) {
            threads.add(new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sleeper-" + i));
        }
        threads.add(new Thread(() -> {
            int n = 0;
            try {
                while (System.nanoTime() < end) {
                    Thread t = new Thread(sink::incrementAndGet, "churn-" + n++);
                    t.start();
                    t.join();
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "churner"));
        threads.forEach(Thread::start);
        for (long next = System.nanoTime() + interval * 1_000_000_000L; next < end; next += interval * 1_000_000_000L) {
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            System.out.println("live=" + ClassLoadStartup.liveBytes());
            System.out.println("started=" + threadsStarted());
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("done=" + sink.get());
    }
}
