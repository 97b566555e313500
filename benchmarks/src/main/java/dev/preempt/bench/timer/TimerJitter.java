package dev.preempt.bench.timer;

import dev.preempt.timer.JavaTimerBackend;
import dev.preempt.timer.NativeTimerBackend;
import dev.preempt.timer.TimerBackend;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Tick jitter and cost of each timer backend, side by side in one run: for periods of 1 ms and 100 us, how
 * far each tick's arrival is from the period grid (|interval - period|, p50/p99/max in microseconds), and
 * the CPU the ticking costs the process (ms of CPU per second). Usage:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/preempt-benchmarks.jar
 * dev.preempt.bench.timer.TimerJitter [seconds]}.
 */
public final class TimerJitter {
    public static void main(String[] args) throws InterruptedException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        List<TimerBackend> backends = List.of(new NativeTimerBackend(), new JavaTimerBackend());
        System.out.printf(Locale.ROOT, "%-8s %-8s %8s %8s %8s %8s %12s%n", "backend", "period", "ticks", "p50 us", "p99 us", "max us", "cpu ms/s");
        for (long periodNanos : new long[] {1_000_000L, 100_000L}) {
            double[] p99 = new double[backends.size()];
            for (int i = 0; i < backends.size(); i++) {
                p99[i] = measure(backends.get(i), periodNanos, seconds);
            }
            String period = periodNanos >= 1_000_000 ? periodNanos / 1_000_000 + " ms" : periodNanos / 1000 + " us";
            dev.preempt.bench.Ratios.record("timer jitter p99 us at " + period + " (stock column: the Java timer)",
                    String.format(Locale.ROOT, "%.1f", p99[1]), String.format(Locale.ROOT, "%.1f", p99[0]), p99[0] / p99[1], "one run",
                    "TimerJitter " + seconds);
        }
    }

    private static double measure(TimerBackend b, long periodNanos, double seconds) throws InterruptedException {
        Histogram jitterNanos = new Histogram(10_000_000_000L, 3);
        long[] last = {0};
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // Warm up (JIT, first downcall linking) before measuring.
        try (TimerBackend.Ticker warm = b.start(periodNanos, () -> { })) {
            Thread.sleep(300);
        }
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        try (TimerBackend.Ticker t = b.start(periodNanos, () -> {
            long now = System.nanoTime();
            if (last[0] != 0) {
                jitterNanos.recordValue(Math.abs(now - last[0] - periodNanos));
            }
            last[0] = now;
        })) {
            Thread.sleep((long) (seconds * 1000));
        }
        double elapsedSeconds = (System.nanoTime() - t0) / 1e9;
        double cpuMsPerSecond = (os.getProcessCpuTime() - cpu0) / 1e6 / elapsedSeconds;
        System.out.printf(Locale.ROOT, "%-8s %-8s %8d %8.1f %8.1f %8.1f %12.2f%n", b.name(),
                periodNanos >= 1_000_000 ? periodNanos / 1_000_000 + "ms" : periodNanos / 1000 + "us", jitterNanos.getTotalCount(),
                jitterNanos.getValueAtPercentile(50) / 1000.0, jitterNanos.getValueAtPercentile(99) / 1000.0,
                jitterNanos.getMaxValue() / 1000.0, cpuMsPerSecond);
        return jitterNanos.getValueAtPercentile(99) / 1000.0;
    }
}
