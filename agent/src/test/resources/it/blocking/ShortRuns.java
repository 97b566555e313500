/**
 * THREADS platform threads (mapped by the agent) each run SECONDS of short runs: about MICROS of work, then
 * Thread.yield(), so that the run queues always hold someone waiting while no run lasts long. Prints
 * "runs=N".
 *
 *   ShortRuns THREADS SECONDS MICROS
 */
public class ShortRuns {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long end = System.nanoTime() + (long) (Double.parseDouble(args[1]) * 1e9);
        long micros = Long.parseLong(args[2]);
        java.util.concurrent.atomic.LongAdder runs = new java.util.concurrent.atomic.LongAdder();
        Thread[] all = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            all[i] = new Thread(() -> {
                long x = 0;
                while (System.nanoTime() < end) {
                    long until = System.nanoTime() + micros * 1000;
                    while (System.nanoTime() < until) {
                        x += x * 31 + 7;
                    }
                    runs.increment();
                    Thread.yield();
                }
                sink += x;
            }, "short-" + i);
            all[i].start();
        }
        for (Thread t : all) {
            t.join();
        }
        System.out.println("runs=" + runs.sum());
    }
}
