package dev.preempt.samples.legacy;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch job written the Java 8 way (compiled with --release 8, class file version 52): platform
 * threads made with {@code new Thread}, shared state under {@code synchronized}, {@code join}. Each worker
 * counts the primes in its range; the report is deterministic, so a run with the agent must print exactly
 * what a run without it prints.
 */
public final class LegacyReportJob {

    private static final Object LOCK = new Object();
    private static long total;

    public static void main(String[] args) throws InterruptedException {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int perWorker = args.length > 1 ? Integer.parseInt(args[1]) : 200000;
        List<Thread> threads = new ArrayList<Thread>();
        final long[] counts = new long[workers];
        for (int w = 0; w < workers; w++) {
            final int id = w;
            final int from = w * perWorker;
            final int to = from + perWorker;
            Thread t = new Thread(new Runnable() {
                public void run() {
                    long c = countPrimes(from, to);
                    counts[id] = c;
                    synchronized (LOCK) {
                        total += c;
                    }
                }
            }, "report-worker-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int w = 0; w < workers; w++) {
            System.out.println("worker " + w + ": " + counts[w] + " primes in [" + (w * perWorker) + ", " + ((w + 1) * perWorker) + ")");
        }
        System.out.println("total primes: " + total);
    }

    static long countPrimes(int from, int to) {
        long count = 0;
        for (int n = Math.max(from, 2); n < to; n++) {
            if (isPrime(n)) {
                count++;
            }
        }
        return count;
    }

    static boolean isPrime(int n) {
        if (n % 2 == 0) {
            return n == 2;
        }
        for (int d = 3; (long) d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
