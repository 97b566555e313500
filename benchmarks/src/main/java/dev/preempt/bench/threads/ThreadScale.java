package dev.preempt.bench.threads;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * The child program of {@link ScaleBench}: platform threads written as a legacy app writes them
 * ({@code new Thread(r).start()}), run stock or mapped by the agent. Prints key=value lines.
 *
 * <ul>
 *   <li>{@code park N}: N threads that park until released; heap and RSS per parked thread, OS threads,
 *       creation rate;</li>
 *   <li>{@code spawnjoin N}: N threads started and joined in batches of 100: spawn+join rate.</li>
 * </ul>
 */
public final class ThreadScale {
    private static volatile boolean released;

    private ThreadScale() {}

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[1]);
        switch (a[0]) {
            case "park" -> park(n);
            case "spawnjoin" -> spawnJoin(n);
            default -> throw new IllegalArgumentException(a[0]);
        }
    }

    static void park(int n) throws Exception {
        long heap0 = usedHeapAfterGc();
        long rss0 = procStatus("VmRSS:");
        CountDownLatch parked = new CountDownLatch(n);
        Thread[] ts = new Thread[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ts[i] = new Thread(() -> {
                parked.countDown();
                while (!released) {
                    LockSupport.park();
                }
            });
            ts[i].start();
        }
        parked.await();
        double startSeconds = (System.nanoTime() - t0) / 1e9;
        long heap1 = usedHeapAfterGc();
        long rss1 = procStatus("VmRSS:");
        System.out.println("threads=" + n);
        System.out.println("startPerSecond=" + (long) (n / startSeconds));
        System.out.println("heapBytesPerThread=" + (heap1 - heap0) / n);
        System.out.println("rssBytesPerThread=" + (rss1 - rss0) * 1024 / n);
        System.out.println("heapUsedMiB=" + heap1 / (1024 * 1024));
        System.out.println("osThreads=" + procStatus("Threads:"));
        released = true;
        for (Thread t : ts) {
            LockSupport.unpark(t);
        }
        for (Thread t : ts) {
            t.join();
        }
        System.out.println("joined=" + n);
    }

    static void spawnJoin(int n) throws Exception {
        int batch = 100;
        Thread[] ts = new Thread[batch];
        for (int round = 0; round < 2; round++) { // the first round warms up
            long t0 = System.nanoTime();
            for (int done = 0; done < n; done += batch) {
                for (int i = 0; i < batch; i++) {
                    ts[i] = new Thread(ThreadScale::work);
                    ts[i].start();
                }
                for (int i = 0; i < batch; i++) {
                    ts[i].join();
                }
            }
            if (round == 1) {
                System.out.println("spawnJoinPerSecond=" + (long) (n / ((System.nanoTime() - t0) / 1e9)));
            }
        }
    }

    private static volatile long sink;

    private static void work() {
        sink += 1;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long procStatus(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(field)) {
                return Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
