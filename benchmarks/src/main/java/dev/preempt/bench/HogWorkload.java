package dev.preempt.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The child program of {@link SchedulingHarness}: CPU hogs on virtual threads, measuring what the scheduler
 * gave them. Plain app code: under the agent its loops get polls and its threads run on preempt's
 * scheduler; on the stock JVM they run on the JDK's.
 *
 * <ul>
 *   <li>{@code segments K SECONDS}: K hogs each read the clock every ~1 µs of work; a gap of over 50 µs
 *       means the hog was off its carrier, so the time between gaps is one run segment (one slice as the
 *       hog saw it), and the gap before it one wait of a runnable thread (from the start of the run: the
 *       first slices count). Prints segment-length and wait percentiles in microseconds.</li>
 *   <li>{@code shares N SECONDS [PRIO...]}: N hogs (with the given priorities, set with setPriority);
 *       prints each one's work, Jain's fairness index of the equal-priority ones and the JVM's CPU time
 *       over the window ({@code cpu_ms}: work per CPU-millisecond shows the agent's own cost even on a
 *       machine that other programs keep busy).</li>
 * </ul>
 */
public final class HogWorkload {
    private static volatile boolean stop;

    public static void main(String[] args) throws InterruptedException {
        int n = Integer.parseInt(args[1]);
        long millis = (long) (Double.parseDouble(args[2]) * 1000);
        switch (args[0]) {
            case "segments" -> segments(n, millis);
            case "shares" -> shares(n, millis, args);
            default -> throw new IllegalArgumentException("mode: segments or shares, not " + args[0]);
        }
    }

    private static void segments(int hogs, long millis) throws InterruptedException {
        Histogram segmentsMicros = new Histogram(3_600_000_000L, 3);
        Histogram waitsMicros = new Histogram(3_600_000_000L, 3);
        AtomicLong starved = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            threads.add(Thread.ofVirtual().name("hog-" + i).start(() -> {
                Histogram mine = new Histogram(3_600_000_000L, 3);
                Histogram waited = new Histogram(3_600_000_000L, 3);
                long segmentStart = System.nanoTime();
                long last = segmentStart;
                long x = 1;
                while (!stop) {
                    for (int k = 0; k < 300; k++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    long now = System.nanoTime();
                    if (now - last > 50_000) {
                        mine.recordValue(Math.max(1, (last - segmentStart) / 1000));
                        waited.recordValue((now - last) / 1000);
                        segmentStart = now;
                    }
                    last = now;
                }
                if (x == 42) System.out.print("");
                if (mine.getTotalCount() == 0) {
                    starved.incrementAndGet(); // never off its carrier: it ran once, to the end
                }
                synchronized (segmentsMicros) {
                    segmentsMicros.add(mine);
                    waitsMicros.add(waited);
                }
            }));
        }
        Thread.sleep(millis);
        stop = true;
        for (Thread t : threads) t.join();
        System.out.printf(Locale.ROOT, "segments=%d p50_us=%d p99_us=%d max_us=%d uninterrupted_hogs=%d wait_p99_us=%d wait_max_us=%d%s%n",
                segmentsMicros.getTotalCount(), segmentsMicros.getValueAtPercentile(50), segmentsMicros.getValueAtPercentile(99),
                segmentsMicros.getMaxValue(), starved.get(), waitsMicros.getValueAtPercentile(99), waitsMicros.getMaxValue(),
                schedulerPastSlice());
    }

    /**
     * Under the agent, the scheduler's own measure of time-to-safepoint (slice expiry to the poll that
     * yielded), read from its {@code SchedulerMXBean} ({@code dev.preempt:type=Scheduler}) after the run, so
     * that this program runs unchanged on the stock JVM. The runtime registers its beans once the platform
     * MBean server exists and never creates it (docs/profiling.md): it is created here, after the measured
     * window, and the bean is waited for (up to 2 s) only when a {@code -javaagent:} is on the command line
     * (on the stock side of a comparison there is none).
     */
    private static String schedulerPastSlice() {
        boolean agent = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:"));
        if (!agent) {
            return "";
        }
        try {
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name = new javax.management.ObjectName("dev.preempt:type=Scheduler");
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!server.isRegistered(name) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return " preemptions=" + server.getAttribute(name, "Preemptions")
                    + " past_slice_p50_us=" + server.getAttribute(name, "TimeToSafepointP50Micros")
                    + " past_slice_p99_us=" + server.getAttribute(name, "TimeToSafepointP99Micros")
                    + " past_slice_max_us=" + server.getAttribute(name, "TimeToSafepointMaxMicros");
        } catch (javax.management.JMException e) {
            return ""; // schedule=off, or a JDK without the scheduler hook: no bean
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** CPU time of the whole JVM (every thread: hogs, carriers, timer, GC, JIT), or 0 where unknown. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    /**
     * Linux: CPU ticks (utime + stime, usually 10 ms each) of every OS thread of this JVM, summed by name with
     * its digits dropped ({@code preempt-carrier-}, {@code C2 CompilerThre}, ...): JIT and GC threads are
     * invisible to {@code ThreadMXBean}. Empty elsewhere.
     */
    private static java.util.Map<String, Long> threadTicks() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return m;
        for (java.io.File task : tasks) {
            try {
                String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim().replaceAll("[0-9#]+", "#");
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                m.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return m;
    }

    /** The CPU ticks each thread group used since {@code before}, as {@code thread_cpu=name:ticks;...}. */
    private static String threadCpu(java.util.Map<String, Long> before) {
        StringBuilder b = new StringBuilder("thread_cpu_ticks=");
        threadTicks().forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) b.append(k.replace(' ', '_')).append(':').append(d).append(';');
        });
        return b.toString();
    }

    private static void shares(int hogs, long millis, String[] args) throws InterruptedException {
        AtomicLong[] work = new AtomicLong[hogs];
        int[] prio = new int[hogs];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            work[i] = new AtomicLong();
            prio[i] = args.length > 3 + i ? Integer.parseInt(args[3 + i]) : Thread.NORM_PRIORITY;
            AtomicLong w = work[i];
            Thread t = Thread.ofVirtual().name("hog-" + i).unstarted(() -> {
                long x = 1;
                while (!stop) {
                    for (int k = 0; k < 10_000; k++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    w.incrementAndGet();
                }
                if (x == 42) System.out.print("");
            });
            t.setPriority(prio[i]);
            threads.add(t);
        }
        java.util.Map<String, Long> threadCpuBefore = Boolean.getBoolean("hog.threadCpu") ? threadTicks() : null;
        long cpuBefore = processCpuNanos();
        threads.forEach(Thread::start);
        Thread.sleep(millis);
        long[] done = new long[hogs];
        for (int i = 0; i < hogs; i++) done[i] = work[i].get();
        long cpuNanos = processCpuNanos() - cpuBefore;
        String threadCpu = Boolean.getBoolean("hog.threadCpu") ? " " + threadCpu(threadCpuBefore) : "";
        stop = true;
        for (Thread t : threads) t.join();
        double sum = 0, squares = 0;
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < hogs; i++) {
            sum += done[i];
            squares += (double) done[i] * done[i];
            each.append(i == 0 ? "" : ",").append(prio[i]).append(':').append(done[i]);
        }
        System.out.printf(Locale.ROOT, "jain=%.4f cpu_ms=%d work=%s%s%n", sum * sum / (hogs * squares), cpuNanos / 1_000_000, each, threadCpu);
    }
}
