package dev.preempt.samples.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service-shaped program where CPU hogs starve latency-sensitive requests on stock virtual threads.
 * Hogs (report generation, say) and requests both run as virtual threads; the hogs never block, so on
 * the JDK's scheduler, which does not time-share, they hold every carrier and a request waits until a
 * hog ends. Under preempt the hogs are time-sliced and requests (named {@code request-*}) run promptly.
 *
 * <p>Arguments: hogs (default 4), seconds (default 3), request interval in ms (default 5).
 * Prints one line {@code RESULT requests=N p50_ms=.. p99_ms=.. max_ms=.. hog_work=..}.
 */
public final class StarvedService {
    private static volatile boolean running = true;

    public static void main(String[] args) throws InterruptedException {
        int hogs = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        long intervalMillis = args.length > 2 ? Long.parseLong(args[2]) : 5;

        AtomicLong hogWork = new AtomicLong();
        ThreadFactory hogFactory = Thread.ofVirtual().name("hog-", 0).factory();
        ThreadFactory requestFactory = Thread.ofVirtual().name("request-", 0).factory();
        List<Thread> hogThreads = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            Thread t = hogFactory.newThread(() -> hogWork.addAndGet(hog()));
            hogThreads.add(t);
            t.start();
        }

        // The load generator is a platform thread: it must keep its schedule whatever the carriers do.
        List<long[]> latencies = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        try (ExecutorService requests = Executors.newThreadPerTaskExecutor(requestFactory)) {
            while (System.nanoTime() < end) {
                long[] slot = new long[] {System.nanoTime(), -1};
                latencies.add(slot);
                requests.execute(() -> {
                    handleRequest();
                    slot[1] = System.nanoTime();
                });
                TimeUnit.MILLISECONDS.sleep(intervalMillis);
            }
            running = false; // hogs stop; requests still queued behind them complete now
        }
        for (Thread t : hogThreads) {
            t.join();
        }
        double[] ms = latencies.stream().mapToDouble(s -> (s[1] - s[0]) / 1e6).sorted().toArray();
        System.out.printf(java.util.Locale.ROOT, "RESULT requests=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f hog_work=%d%n",
                ms.length, percentile(ms, 50), percentile(ms, 99), ms[ms.length - 1], hogWork.get());
    }

    /** CPU-bound work that never blocks: an LCG until told to stop. */
    static long hog() {
        long x = 1, n = 0;
        while (running) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            n++;
        }
        return n + (x & 1);
    }

    /** A small request: about 50 µs of work. */
    static long handleRequest() {
        long[] v = new long[256];
        long acc = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] * 31 + i + round;
                acc ^= v[i];
            }
        }
        Arrays.fill(v, acc);
        return acc;
    }

    static double percentile(double[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
