import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.concurrent.locks.*;

public class Hogs {
    static volatile boolean stop;

    /** A CPU hog that never blocks: the only chance to switch is a poll in its loop. */
    static void spin(AtomicLong counter) {
        long x = 1;
        while (!stop) {
            for (int i = 0; i < 1000; i++) x = x * 6364136223846793005L + 1;
            counter.incrementAndGet();
        }
        if (x == 42) System.out.println("");
    }

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "progress" -> progress(Integer.parseInt(a[1]));
            case "priority" -> priority(a[1]);
            case "strict" -> strict();
            case "many" -> many(Integer.parseInt(a[1]));
            case "locks" -> locks();
            case "sleepers" -> sleepers();
            case "quiet" -> quiet();
            case "firstSlices" -> firstSlices();
            case "strictAcross" -> strictAcross();
            case "skew" -> skew(Integer.parseInt(a[1]));
            case "storm" -> storm(Integer.parseInt(a[1]), a[2]);
            default -> throw new IllegalArgumentException(a[0]);
        }
    }

    /** n hogs; how many made progress in a 600 ms window, and how evenly (Jain's index). */
    static void progress(int n) throws Exception {
        AtomicLong[] c = new AtomicLong[n];
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c[i] = new AtomicLong();
            AtomicLong ci = c[i];
            ts.add(Thread.ofVirtual().name("hog-" + i).start(() -> spin(ci)));
        }
        // Measure a steady-state window, after every hog exists: fairness is about shares while all
        // compete, not about the head start the first hog had while main was still creating others.
        Thread.sleep(200);
        long[] start = new long[n];
        for (int i = 0; i < n; i++) start[i] = c[i].get();
        Thread.sleep(600);
        long[] delta = new long[n];
        for (int i = 0; i < n; i++) delta[i] = c[i].get() - start[i];
        int progressed = 0;
        long min = Long.MAX_VALUE, sum = 0;
        for (long v : delta) { if (v > 0) progressed++; min = Math.min(min, v); sum += v; }
        stop = true;
        for (Thread t : ts) t.join();
        double sq = 0; for (long v : delta) sq += (double) v * v;
        System.out.println("progressed=" + progressed);
        System.out.println("min=" + min);
        System.out.println("jain=" + ((double) sum * sum / (n * sq)));
    }

    /** hi and lo hog side by side; priorities from the option (glob) or from setPriority. */
    static void priority(String how) throws Exception {
        AtomicLong hi = new AtomicLong(), lo = new AtomicLong();
        Thread h = Thread.ofVirtual().name("hi").unstarted(() -> spin(hi));
        Thread l = Thread.ofVirtual().name("lo").unstarted(() -> spin(lo));
        if (how.equals("setPriority")) { h.setPriority(10); l.setPriority(1); }
        if (how.equals("methodRef")) {
            java.util.function.BiConsumer<Thread, Integer> set = Thread::setPriority;
            set.accept(h, 10); set.accept(l, 1);
        }
        h.start(); l.start();
        Thread.sleep(1500);
        long hv = hi.get(), lv = lo.get();
        stop = true; h.join(); l.join();
        System.out.println("hi=" + hv);
        System.out.println("lo=" + lv);
    }

    /** strict: lo must not run while hi is runnable. hi runs ~500 ms then ends. */
    static void strict() throws Exception {
        AtomicLong hi = new AtomicLong(), lo = new AtomicLong();
        AtomicBoolean hiDone = new AtomicBoolean();
        Thread h = Thread.ofVirtual().name("hi").start(() -> {
            long end = System.nanoTime() + 500_000_000L;
            long x = 1;
            while (System.nanoTime() < end) { for (int i = 0; i < 1000; i++) x = x * 31 + i; hi.incrementAndGet(); }
            hiDone.set(x != 42);
        });
        Thread l = Thread.ofVirtual().name("lo").start(() -> spin(lo));
        Thread.sleep(350);
        long loWhileHi = lo.get(), hiMid = hi.get();
        h.join();
        Thread.sleep(300);
        long loAfter = lo.get();
        stop = true; l.join();
        System.out.println("hiMid=" + hiMid);
        System.out.println("loWhileHi=" + loWhileHi);
        System.out.println("loAfter=" + loAfter);
    }

    /** Two virtual hogs named {@code prefix0}, {@code prefix1} with {@code priority}, counting into {@code counter}. */
    static void startHogs(String prefix, int priority, AtomicLong counter, List<Thread> started) {
        for (int i = 0; i < 2; i++) {
            Thread t = Thread.ofVirtual().name(prefix + i).unstarted(() -> spin(counter));
            t.setPriority(priority);
            t.start();
            started.add(t);
        }
    }

    /** strict on 2 carriers: two lo hogs run, then two hi hogs start; lo must not run while both hi are runnable. */
    static void strictAcross() throws Exception {
        AtomicLong lo = new AtomicLong(), hi = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        startHogs("lo-", 1, lo, ts);
        Thread.sleep(200);
        startHogs("hi-", 10, hi, ts);
        Thread.sleep(100);
        long lo0 = lo.get(), hi0 = hi.get();
        Thread.sleep(500);
        long loWhileHi = lo.get() - lo0, hiRan = hi.get() - hi0;
        stop = true;
        for (Thread t : ts) t.join();
        System.out.println("loWhileHi=" + loWhileHi);
        System.out.println("hiRan=" + hiRan);
    }

    /** One virtual thread spawns n CPU-bound tasks (all land on its carrier's queue): others must steal them. */
    static void skew(int n) throws Exception {
        java.util.Set<String> carriers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong done = new AtomicLong();
        Thread spawner = Thread.ofVirtual().start(() -> {
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ts.add(Thread.ofVirtual().start(() -> {
                    long x = 0; for (int k = 0; k < 2_000_000; k++) x += k * k;
                    String me = Thread.currentThread().toString();
                    carriers.add(me.substring(me.lastIndexOf('@') + 1));
                    if (x != 42) done.incrementAndGet();
                }));
            }
            for (Thread t : ts) {
                try { t.join(); } catch (InterruptedException e) { throw new RuntimeException(e); }
            }
        });
        spawner.join();
        System.out.println("done=" + done.get());
        System.out.println("carriersUsed=" + carriers.size());
    }

    /** n virtual threads park; one thread (platform or virtual) unparks them all at once; every one must wake. */
    static void storm(int n, String from) throws Exception {
        AtomicLong woke = new AtomicLong();
        AtomicBoolean go = new AtomicBoolean();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ts.add(Thread.ofVirtual().start(() -> {
                while (!go.get()) LockSupport.park();
                woke.incrementAndGet();
            }));
        }
        Thread.sleep(300);
        Runnable release = () -> { go.set(true); for (Thread t : ts) LockSupport.unpark(t); };
        Thread waker = from.equals("virtual") ? Thread.ofVirtual().start(release) : Thread.ofPlatform().start(release);
        waker.join();
        for (Thread t : ts) t.join();
        System.out.println("woke=" + woke.get());
    }

    /** n short CPU-bound virtual threads (with a few long hogs among them) all finish. */
    static void many(int n) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong hogCounter = new AtomicLong();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) ex.submit(() -> spin(hogCounter));
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(ex.submit(() -> { long x = 0; for (int k = 0; k < 20_000; k++) x += k * k; done.incrementAndGet(); return x; }));
            }
            for (Future<?> f : fs) f.get();
            stop = true;
        }
        System.out.println("done=" + done.get());
    }

    /** Hogs that spin while holding monitors and locks, and wait/notify ping-pong, on few carriers. */
    static void locks() throws Exception {
        Object mon = new Object();
        ReentrantLock lock = new ReentrantLock();
        long[] shared = new long[2];
        int threads = 16, rounds = 200;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofVirtual().start(() -> {
                for (int r = 0; r < rounds; r++) {
                    synchronized (mon) { long x = 0; for (int k = 0; k < 20_000; k++) x += k; shared[0] += 1 + (x & 0); }
                    lock.lock();
                    try { long x = 0; for (int k = 0; k < 20_000; k++) x += k; shared[1] += 1 + (x & 0); } finally { lock.unlock(); }
                }
            }));
        }
        Object pp = new Object();
        int[] turn = {0};
        int pings = 2000;
        Thread[] pair = new Thread[2];
        for (int p = 0; p < 2; p++) {
            int me = p;
            pair[p] = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < pings; i++) {
                    synchronized (pp) {
                        while (turn[0] != me) { try { pp.wait(); } catch (InterruptedException e) { throw new RuntimeException(e); } }
                        turn[0] = 1 - me;
                        pp.notifyAll();
                    }
                }
            });
        }
        for (Thread t : ts) t.join();
        for (Thread t : pair) t.join();
        System.out.println("monitor=" + shared[0]);
        System.out.println("lock=" + shared[1]);
        System.out.println("expected=" + (threads * rounds));
    }

    /** A lone hog, then contention, then quiet: what the poll flag and the counters say at each stage. */
    static void quiet() throws Exception {
        Class<?> sp = Class.forName("dev.preempt.runtime.safepoint.Safepoint");
        Class<?> sc = Class.forName("dev.preempt.runtime.scheduler.PreemptScheduler");
        Object sched = sc.getMethod("active").invoke(null);
        Object stats = sc.getMethod("stats").invoke(sched);
        java.lang.reflect.Method snap = stats.getClass().getMethod("snapshot");
        AtomicLong c = new AtomicLong();
        Thread alone = Thread.ofVirtual().start(() -> spin(c));
        Thread.sleep(400);
        System.out.println("aloneStats=" + snap.invoke(stats));
        AtomicLong c2 = new AtomicLong();
        Thread second = Thread.ofVirtual().start(() -> spin(c2));
        Thread.sleep(300);
        stop = true; alone.join(); second.join();
        Thread.sleep(300);
        System.out.println("afterStats=" + snap.invoke(stats));
        System.out.println("flagWhenQuiet=" + sp.getMethod("isRequested").invoke(null));
    }

    /** What a clocked hog reports every ~300 iterations: its index, its previous clock reading and this one. */
    interface Clocked {
        void at(int hog, long lastNanos, long nowNanos);
    }

    /** Starts two virtual hogs that spin until {@link #stop}, reading the clock every ~300 iterations. */
    static List<Thread> twoClockedHogs(Clocked clocked) {
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int me = i;
            ts.add(Thread.ofVirtual().start(() -> {
                long last = System.nanoTime(), x = 1;
                while (!stop) {
                    for (int k = 0; k < 300; k++) x = x * 6364136223846793005L + 1;
                    long now = System.nanoTime();
                    clocked.at(me, last, now);
                    last = now;
                }
                if (x == 42) System.out.println("");
            }));
        }
        return ts;
    }

    /** Two hogs on one carrier from the very start: each one's longest time off the carrier, in ms. */
    static void firstSlices() throws Exception {
        long[] maxGap = new long[2];
        long[] runs = new long[2];
        List<Thread> ts = twoClockedHogs((me, last, now) -> {
            if (now - last > 1_000_000) runs[me]++;
            maxGap[me] = Math.max(maxGap[me], now - last);
        });
        Thread.sleep(1000);
        stop = true;
        for (Thread t : ts) t.join();
        System.out.println("switches=" + Math.min(runs[0], runs[1]));
        System.out.println("maxGapMs=" + Math.max(maxGap[0], maxGap[1]) / 1_000_000);
    }

    /** Random sleeps and parks among hogs: every sleeper wakes, every unpark is seen. */
    static void sleepers() throws Exception {
        AtomicLong hogCounter = new AtomicLong();
        List<Thread> hogs = new ArrayList<>();
        for (int i = 0; i < 3; i++) hogs.add(Thread.ofVirtual().start(() -> spin(hogCounter)));
        int n = 2000;
        AtomicLong woke = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long seed = i;
            ts.add(Thread.ofVirtual().start(() -> {
                Random r = new Random(seed);
                for (int k = 0; k < 5; k++) {
                    if (r.nextBoolean()) {
                        try { Thread.sleep(r.nextInt(3)); } catch (InterruptedException e) { throw new RuntimeException(e); }
                    } else {
                        LockSupport.parkNanos(r.nextInt(2_000_000));
                    }
                    long x = 0; for (int j = 0; j < r.nextInt(50_000); j++) x += j;
                    if (x == -1) System.out.println();
                }
                woke.incrementAndGet();
            }));
        }
        // unpark handshake: a parked thread must see an unpark that races with its park
        int pairs = 500;
        AtomicLong handshakes = new AtomicLong();
        for (int i = 0; i < pairs; i++) {
            AtomicBoolean ready = new AtomicBoolean();
            Thread waiter = Thread.ofVirtual().start(() -> {
                while (!ready.get()) LockSupport.park();
                handshakes.incrementAndGet();
            });
            Thread.ofVirtual().start(() -> { ready.set(true); LockSupport.unpark(waiter); });
            ts.add(waiter);
        }
        for (Thread t : ts) t.join();
        stop = true;
        for (Thread t : hogs) t.join();
        System.out.println("woke=" + woke.get() + "/" + n);
        System.out.println("handshakes=" + handshakes.get() + "/" + pairs);
    }
}
