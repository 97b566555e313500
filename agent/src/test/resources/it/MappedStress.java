import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.concurrent.locks.*;

/**
 * Deadlock-freedom stress for mapped platform threads: monitors, wait/notify, ReentrantLock with
 * conditions, bounded BlockingQueues, random sleeps and CPU hogs that never block, all on few carriers.
 * Every worker must finish and every count must add up; a lost wake-up or a carrier held by a hog shows
 * as a hang (the test's timeout) or a wrong total.
 */
public class MappedStress {
    static final Object MONITOR = new Object();
    static long monitorCount;
    static final ReentrantLock LOCK = new ReentrantLock();
    static final Condition TURN = LOCK.newCondition();
    static long lockCount;
    static volatile boolean hogsStop;

    public static void main(String[] a) throws Exception {
        int pairs = Integer.parseInt(a[0]);
        int items = Integer.parseInt(a[1]);
        int hogs = Integer.parseInt(a[2]);
        Random seeds = new Random(42);
        List<Thread> workers = new ArrayList<>();
        AtomicLong consumed = new AtomicLong();
        AtomicLong hogWork = new AtomicLong();
        // CPU hogs: only preemption at their polls lets the others run on 1 carrier
        List<Thread> hogThreads = new ArrayList<>();
        for (int h = 0; h < hogs; h++) {
            Thread t = new Thread(() -> {
                long x = 1;
                while (!hogsStop) { for (int i = 0; i < 10_000; i++) x = x * 6364136223846793005L + 1; hogWork.incrementAndGet(); }
                if (x == 7) System.out.println();
            }, "hog-" + h);
            hogThreads.add(t);
            t.start();
        }
        for (int p = 0; p < pairs; p++) {
            BlockingQueue<Integer> q = (p % 2 == 0) ? new ArrayBlockingQueue<>(4) : new SynchronousQueue<>();
            long seed = seeds.nextLong();
            Thread prod = new Thread(() -> {
                Random r = new Random(seed);
                try {
                    for (int i = 1; i <= items; i++) {
                        q.put(i);
                        if (r.nextInt(50) == 0) Thread.sleep(r.nextInt(3));
                        synchronized (MONITOR) { monitorCount++; MONITOR.notifyAll(); }
                    }
                    q.put(-1);
                } catch (InterruptedException e) { throw new IllegalStateException(e); }
            }, "producer-" + p);
            Thread cons = new Thread(() -> {
                Random r = new Random(~seed);
                try {
                    long sum = 0;
                    for (int v; (v = q.take()) >= 0; ) {
                        sum += v;
                        LOCK.lock();
                        try { lockCount++; TURN.signalAll(); } finally { LOCK.unlock(); }
                        if (r.nextInt(100) == 0) LockSupport.parkNanos(r.nextInt(500_000));
                    }
                    consumed.addAndGet(sum);
                } catch (InterruptedException e) { throw new IllegalStateException(e); }
            }, "consumer-" + p);
            workers.add(prod);
            workers.add(cons);
        }
        // waiters on the monitor and the condition, woken by the workers' progress
        long target = (long) pairs * items;
        Thread monitorWaiter = new Thread(() -> {
            synchronized (MONITOR) { while (monitorCount < target) try { MONITOR.wait(); } catch (InterruptedException e) { return; } }
        }, "monitor-waiter");
        Thread conditionWaiter = new Thread(() -> {
            LOCK.lock();
            try { while (lockCount < target) TURN.awaitUninterruptibly(); } finally { LOCK.unlock(); }
        }, "condition-waiter");
        workers.add(monitorWaiter);
        workers.add(conditionWaiter);
        for (Thread t : workers) t.start();
        for (Thread t : workers) t.join();
        hogsStop = true;
        for (Thread t : hogThreads) t.join();
        long expected = (long) pairs * items * (items + 1) / 2;
        System.out.println("consumed=" + consumed.get());
        System.out.println("expected=" + expected);
        System.out.println("monitorCount=" + monitorCount + " lockCount=" + lockCount + " target=" + target);
        System.out.println("hogsProgressed=" + (hogWork.get() > 0));
        System.out.println("virtual=" + workers.get(0).isVirtual());
    }
}
