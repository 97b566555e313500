import java.io.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.concurrent.locks.*;

/**
 * A legacy-style program (compiled for Java 8): plain threads, subclasses, a fixed pool, wait/notify,
 * interrupts, thread-locals, handlers, and a non-daemon worker that outlives main. Its output is fully
 * deterministic, so the same program must print the same with and without preempt's agent.
 */
public class LegacyThreads {
    static final InheritableThreadLocal<String> ITL = new InheritableThreadLocal<String>();
    static final ThreadLocal<Integer> TL = new ThreadLocal<Integer>() { protected Integer initialValue() { return 0; } };
    static final Thread[] BOOM = new Thread[1];

    static class Worker extends Thread {
        final List<String> out;
        Worker(String name, List<String> out) { super(name); this.out = out; }
        @Override public void run() {
            TL.set(42);
            out.add("worker " + getName() + " current==this " + (Thread.currentThread() == this) + " itl=" + ITL.get()
                + " daemon=" + isDaemon() + " prio=" + getPriority() + " group=" + Thread.currentThread().getThreadGroup().getName()
                + " tl=" + TL.get() + " id-consistent=" + (Thread.currentThread().getId() == getId()));
        }
    }

    /** A subclass of a subclass, overriding start() and calling super.start(). */
    static class Base extends Thread {
        Base(String n) { super(n); }
    }
    static class StartOverride extends Base {
        volatile boolean startCalled;
        StartOverride() { super("start-override"); }
        @Override public synchronized void start() { startCalled = true; super.start(); }
        @Override public void run() { System.out.println("override start ran: " + startCalled + " state=" + getState() + " alive=" + isAlive()); }
    }

    public static void main(String[] a) throws Exception {
        ITL.set("parent");
        TL.set(7);
        final List<String> out = Collections.synchronizedList(new ArrayList<String>());
        Thread t = new Thread(new Runnable() { public void run() { out.add("plain " + Thread.currentThread().getName() + " itl=" + ITL.get() + " tl=" + TL.get()); } });
        System.out.println("before start: alive=" + t.isAlive() + " state=" + t.getState() + " daemon=" + t.isDaemon() + " name=" + t.getName()
                + " prio=" + t.getPriority() + " group=" + t.getThreadGroup().getName());
        t.start();
        t.join();
        System.out.println("after join: alive=" + t.isAlive() + " state=" + t.getState() + " group=" + t.getThreadGroup());
        Worker w = new Worker("w1", out);
        w.setPriority(7);
        System.out.println("worker state=" + w.getState() + " alive=" + w.isAlive());
        w.start();
        w.join(5000);
        System.out.println("worker after join: alive=" + w.isAlive() + " state=" + w.getState());
        for (String s : out) System.out.println(s);
        System.out.println("main tl still " + TL.get());
        StartOverride so = new StartOverride();
        so.start();
        so.join();
        try { so.start(); } catch (IllegalThreadStateException e) { System.out.println("subclass start twice: ITSE"); }

        // join with a timeout on a thread that outlives it; stack trace and getAllStackTraces of a sleeper
        Thread longSleeper = new Thread(new Runnable() { public void run() {
            try { Thread.sleep(60000); } catch (InterruptedException e) { System.out.println("long sleeper interrupted"); } } }, "long-sleeper");
        longSleeper.start();
        longSleeper.join(200);
        System.out.println("join(200) returned, alive=" + longSleeper.isAlive() + " state=" + longSleeper.getState());
        boolean sleepInTrace = false;
        for (StackTraceElement e : longSleeper.getStackTrace()) sleepInTrace |= e.getMethodName().startsWith("sleep");
        System.out.println("stack trace shows sleep: " + sleepInTrace);
        System.out.println("all stack traces hold it: " + Thread.getAllStackTraces().containsKey(longSleeper)
                + " and main: " + Thread.getAllStackTraces().containsKey(Thread.currentThread()));
        longSleeper.interrupt();
        longSleeper.join();

        // interrupts: sleep, wait (in a subclass), park, interruptible I/O
        Thread sleeper = new Thread(new Runnable() { public void run() {
            try { Thread.sleep(60000); System.out.println("sleep not interrupted"); }
            catch (InterruptedException e) { System.out.println("sleep interrupted, flag=" + Thread.currentThread().isInterrupted()); } } }, "sleeper");
        sleeper.start(); Thread.sleep(100); sleeper.interrupt(); sleeper.join();
        final Object lock = new Object();
        Worker waiter = new Worker("waiter", out) {
            @Override public void run() {
                synchronized (lock) {
                    try { lock.wait(); } catch (InterruptedException e) { System.out.println("wait interrupted " + getName() + " interrupted()=" + Thread.interrupted()); }
                }
            }
        };
        waiter.start(); Thread.sleep(100); System.out.println("waiter state " + waiter.getState()); waiter.interrupt(); waiter.join();
        Thread parker = new Thread(new Runnable() { public void run() {
            LockSupport.park(); System.out.println("unparked " + Thread.currentThread().getName()); } }, "parker");
        parker.start(); Thread.sleep(100); System.out.println("parker state " + parker.getState()); LockSupport.unpark(parker); parker.join();
        Thread selfInterrupt = new Thread(new Runnable() { public void run() {
            Thread.currentThread().interrupt(); LockSupport.park(); System.out.println("park returns at once when interrupted: " + Thread.interrupted()); } });
        selfInterrupt.start(); selfInterrupt.join();
        final Pipe pipe = Pipe.open();
        Thread reader = new Thread(new Runnable() { public void run() {
            try { pipe.source().read(ByteBuffer.allocate(1)); System.out.println("read returned"); }
            catch (ClosedByInterruptException e) { System.out.println("interruptible read: ClosedByInterruptException"); }
            catch (IOException e) { System.out.println("read failed " + e); } } }, "reader");
        reader.start(); Thread.sleep(200); reader.interrupt(); reader.join();

        // a fixed pool and a pool built without a factory
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> fs = new ArrayList<Future<String>>();
        for (int i = 0; i < 4; i++) fs.add(pool.submit(new Callable<String>() { public String call() {
            return Thread.currentThread().getName().replaceAll("-thread-\\d", "-thread-N") + " daemon=" + Thread.currentThread().isDaemon(); } }));
        for (Future<String> f : fs) System.out.println("pool ran on " + f.get());
        pool.shutdown();
        System.out.println("pool terminated: " + pool.awaitTermination(5, TimeUnit.SECONDS));
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<Runnable>(), new ThreadPoolExecutor.AbortPolicy());
        System.out.println("tpe ran on " + tpe.submit(new Callable<String>() { public String call() { return Thread.currentThread().getName().replaceAll("pool-\\d+", "pool-N"); } }).get());
        tpe.shutdownNow();

        // uncaught exceptions: own handler (sees the app's thread object), and the default print
        Thread boom = new Thread(new Runnable() { public void run() { throw new IllegalStateException("boom"); } }, "boom");
        boom.setUncaughtExceptionHandler(new Thread.UncaughtExceptionHandler() { public void uncaughtException(Thread th, Throwable e) {
            System.out.println("handler got " + e.getMessage() + " from " + th.getName() + " same=" + (th == BOOM[0])); } });
        BOOM[0] = boom;
        boom.start(); boom.join();
        Thread.setDefaultUncaughtExceptionHandler(new Thread.UncaughtExceptionHandler() { public void uncaughtException(Thread th, Throwable e) {
            System.out.println("default handler got " + e.getMessage() + " from " + th.getName() + " subclass=" + (th instanceof Worker)); } });
        Worker boom2 = new Worker("boom2", out) { @Override public void run() { throw new RuntimeException("boom2"); } };
        boom2.start(); boom2.join();
        Thread.setDefaultUncaughtExceptionHandler(null);

        // producer/consumer with wait/notify
        final LinkedList<Integer> q = new LinkedList<Integer>();
        final AtomicLong sum = new AtomicLong();
        Thread prod = new Thread(new Runnable() { public void run() {
            for (int i = 1; i <= 1000; i++) synchronized (q) { q.add(i); q.notifyAll(); }
            synchronized (q) { q.add(-1); q.notifyAll(); } } });
        Thread cons = new Thread(new Runnable() { public void run() {
            while (true) { int v; synchronized (q) { while (q.isEmpty()) try { q.wait(); } catch (InterruptedException e) { return; } v = q.removeFirst(); }
                if (v < 0) break; sum.addAndGet(v); } } });
        cons.start(); prod.start(); prod.join(); cons.join();
        System.out.println("sum " + sum.get());
        synchronized (q) { System.out.println("holdsLock " + Thread.holdsLock(q)); }

        // joining by hand on the thread object, as pre-Java-5 code did
        final Thread hand = new Thread(new Runnable() { public void run() { try { Thread.sleep(50); } catch (InterruptedException e) { } } });
        hand.start();
        synchronized (hand) { while (hand.isAlive()) hand.wait(); }
        System.out.println("hand join done, alive=" + hand.isAlive());

        // daemon, start twice, direct run
        Thread daemonT = new Thread(new Runnable() { public void run() { } });
        daemonT.setDaemon(true);
        System.out.println("daemon set " + daemonT.isDaemon());
        Thread direct = new Thread(new Runnable() { public void run() { System.out.println("run() called directly runs in " + Thread.currentThread().getName()); } });
        direct.run();
        try { t.start(); } catch (IllegalThreadStateException e) { System.out.println("start twice: ITSE"); }
        Thread child = new Thread(new Runnable() { public void run() {
            Thread grandChild = new Thread(new Runnable() { public void run() { } });
            System.out.println("child of a non-daemon prio-8 thread: daemon=" + grandChild.isDaemon() + " prio=" + grandChild.getPriority()
                    + " group=" + grandChild.getThreadGroup().getName()); } });
        child.setPriority(8);
        child.start(); child.join();
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() { public void run() { System.out.println("shutdown hook ran"); } }));

        Thread late = new Thread(new Runnable() { public void run() {
            try { Thread.sleep(300); } catch (InterruptedException e) { }
            System.out.println("non-daemon worker outlived main"); } }, "late");
        late.start();
        System.out.println("main ends");
    }
}
