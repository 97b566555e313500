import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/** Prints, for each way the app creates a platform thread, whether it ran as a virtual thread. */
public class MapProbe {
    static class Sub extends Thread {
        final Map<String, Boolean> out;
        Sub(String name, Map<String, Boolean> out) { super(name); this.out = out; }
        @Override public void run() { out.put(getName(), Thread.currentThread().isVirtual() || runsOnShadow()); }
        /** Inside a mapped subclass, currentThread() is the app's object; the shadow shows in the stack. */
        static boolean runsOnShadow() {
            for (StackTraceElement e : new Throwable().getStackTrace()) if (e.getClassName().startsWith("dev.preempt.runtime.threads")) return true;
            return false;
        }
    }

    public static void main(String[] a) throws Exception {
        Map<String, Boolean> out = new ConcurrentSkipListMap<>();
        Runnable record = () -> out.put(Thread.currentThread().getName().replaceAll("\\d+", "N"), Thread.currentThread().isVirtual());
        List<Thread> ts = new ArrayList<>();
        ts.add(new Thread(record, "plain"));
        ts.add(new Thread(record, "jni-worker"));
        ts.add(new Sub("subclass", out));
        ts.add(Thread.ofPlatform().name("builder").unstarted(record));
        ts.add(Kept.make(record));
        for (Thread t : ts) t.start();
        for (Thread t : ts) t.join();
        ExecutorService fixed = Executors.newFixedThreadPool(1);
        fixed.submit(record).get();
        fixed.shutdown();
        ScheduledExecutorService sched = Executors.newSingleThreadScheduledExecutor();
        sched.schedule(() -> out.put("scheduled", Thread.currentThread().isVirtual()), 1, TimeUnit.MILLISECONDS).get();
        sched.shutdown();
        Thread fromFactory = Thread.ofPlatform().name("factory-", 0).factory().newThread(record);
        fromFactory.start();
        fromFactory.join();
        out.forEach((k, v) -> System.out.println(k + "=" + (v ? "virtual" : "platform")));
    }
}

/** A class of its own, so a class glob in threads.keep can name it. */
class Kept {
    static Thread make(Runnable r) { return new Thread(r, "kept-by-class"); }
}
