package dev.preempt.bench;

import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A diagnosis beside {@link HogWorkload}'s {@code segments}: HOGS virtual threads spin for SECONDS, and each
 * wait (a gap of over 50 µs between two clock reads of a hog) is split into what the OS took: how much the
 * carrier's {@code run_delay} (time runnable but not on a CPU, {@code /proc/thread-self/schedstat}, Linux)
 * grew across it. Meant for one carrier, where the hog's carrier is the same thread throughout. Prints the
 * waits' percentiles with and without the OS's part, and the 12 longest waits with when they came (µs into
 * the run), the OS's part and the hog's run before. Plain app code, for the agent and the stock JVM alike.
 *
 *   WaitGaps HOGS SECONDS
 */
public final class WaitGaps {
    private static volatile boolean stop;

    private record Gap(int hog, long atMicros, long waitMicros, long osMicros, long runMicros) {}

    private WaitGaps() {}

    public static void main(String[] args) throws Exception {
        int hogs = Integer.parseInt(args[0]);
        long millis = (long) (Double.parseDouble(args[1]) * 1000);
        List<Gap> gaps = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            int me = i;
            threads.add(Thread.ofVirtual().name("hog-" + i).start(() -> hog(me, t0, gaps)));
        }
        Thread.sleep(millis);
        stop = true;
        for (Thread t : threads) {
            t.join();
        }
        List<Gap> all = new ArrayList<>(gaps);
        long[] waits = all.stream().mapToLong(Gap::waitMicros).sorted().toArray();
        long[] own = all.stream().mapToLong(g -> Math.max(0, g.waitMicros() - g.osMicros())).sorted().toArray();
        System.out.printf("gaps=%d wait_p50_us=%d wait_p99_us=%d wait_max_us=%d | without_os p50=%d p99=%d max=%d%n", waits.length,
                at(waits, 0.5), at(waits, 0.99), at(waits, 1), at(own, 0.5), at(own, 0.99), at(own, 1));
        all.sort(Comparator.comparingLong(Gap::waitMicros).reversed());
        for (int i = 0; i < Math.min(12, all.size()); i++) {
            System.out.println("  " + all.get(i));
        }
    }

    private static void hog(int me, long t0, List<Gap> gaps) {
        byte[] buf = new byte[128];
        try (RandomAccessFile stat = new RandomAccessFile("/proc/thread-self/schedstat", "r")) {
            long delay = runDelayNanos(stat, buf);
            long runStart = System.nanoTime(), last = runStart, x = 1;
            while (!stop) {
                for (int k = 0; k < 300; k++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
                long now = System.nanoTime();
                if (now - last > 50_000) {
                    long delayNow = runDelayNanos(stat, buf);
                    gaps.add(new Gap(me, (last - t0) / 1000, (now - last) / 1000, (delayNow - delay) / 1000, (last - runStart) / 1000));
                    delay = delayNow;
                    runStart = now;
                    now = System.nanoTime(); // the bookkeeping is not the next run's wait
                }
                last = now;
            }
            if (x == 42) {
                System.out.print("");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The second field of schedstat: nanoseconds spent runnable but waiting for a CPU. */
    private static long runDelayNanos(RandomAccessFile stat, byte[] buf) throws java.io.IOException {
        stat.seek(0);
        int n = stat.read(buf);
        String[] fields = new String(buf, 0, Math.max(0, n), java.nio.charset.StandardCharsets.US_ASCII).trim().split(" ");
        return Long.parseLong(fields[1]);
    }

    private static long at(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
    }
}
