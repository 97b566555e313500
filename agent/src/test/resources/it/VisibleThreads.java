import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Three platform threads as a legacy app makes them (one sleeping in its own group, one Thread subclass in
 * a monitor wait, one in a CPU loop at priority 7), looked for by every API that enumerates threads. Prints
 * one "key=value" line per fact, sorted, so a run with the agent can be compared with a stock run line for
 * line. With a signal-file argument it then prints "ready" and keeps the threads where they are until the
 * file exists, for thread-dump tools to look at.
 */
public class VisibleThreads {
    static final Object LOCK = new Object();
    static volatile boolean stop;
    static volatile long spinnerCpuNanos = -2;
    static final Map<String, String> facts = new TreeMap<>();

    static class Waiter extends Thread {
        Waiter() { super("vis-waiter"); }
        @Override public void run() {
            synchronized (LOCK) {
                while (!stop) {
                    try { LOCK.wait(); } catch (InterruptedException e) { return; }
                }
            }
        }
    }

    static void sleepLong() {
        try { Thread.sleep(600_000); } catch (InterruptedException e) { }
    }

    static void spin() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long v = 1, t0 = System.nanoTime();
        while (!stop) {
            for (int i = 0; i < 10_000; i++) v = v * 31 + i;
            if (spinnerCpuNanos == -2 && System.nanoTime() - t0 > 300_000_000L) spinnerCpuNanos = mx.getCurrentThreadCpuTime();
        }
        if (v == 42) System.out.println();
    }

    public static void main(String[] args) throws Exception {
        ThreadGroup main = Thread.currentThread().getThreadGroup();
        ThreadGroup system = main;
        while (system.getParent() != null) system = system.getParent();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        // The JDK starts two helper threads (VirtualThread-unparker, -unblocker) the first time a virtual
        // thread sleeps or waits on a custom scheduler (mapped threads are such): started here, in both runs,
        // so that the counts below compare the app's three threads only.
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1);
                synchronized (LOCK) { LOCK.wait(1); }
            } catch (InterruptedException e) { }
        }).join();
        int groupBefore = main.activeCount(), mxBefore = mx.getThreadCount(), daemonBefore = mx.getDaemonThreadCount();
        long startedBefore = mx.getTotalStartedThreadCount();

        ThreadGroup visGroup = new ThreadGroup("vis-group");
        Thread sleeper = new Thread(visGroup, VisibleThreads::sleepLong, "vis-sleeper");
        Thread waiter = new Waiter();
        Thread spinner = new Thread(VisibleThreads::spin, "vis-spinner");
        spinner.setPriority(7);
        Thread[] ours = {sleeper, waiter, spinner};
        for (Thread t : ours) { t.setDaemon(true); t.start(); }
        // Until each is where it should be: asleep, waiting, and past its CPU-time reading.
        for (int i = 0; i < 500 && !(sleeper.getState() == Thread.State.TIMED_WAITING && waiter.getState() == Thread.State.WAITING
                && spinnerCpuNanos != -2); i++) Thread.sleep(20);

        fact("activeCount.main.delta", main.activeCount() - groupBefore);
        fact("activeCount.visGroup", visGroup.activeCount());
        fact("Thread.activeCount.atLeast3", Thread.activeCount() >= groupBefore + 3);
        Thread[] list = new Thread[system.activeCount() + 10];
        int n = system.enumerate(list);
        Thread[] direct = new Thread[10];
        int nDirect = visGroup.enumerate(direct, false);
        Thread[] byThread = new Thread[Thread.activeCount() + 10];
        int nByThread = Thread.enumerate(byThread);
        Map<Thread, StackTraceElement[]> traces = Thread.getAllStackTraces();
        long[] ids = mx.getAllThreadIds();
        ThreadInfo[] dump = mx.dumpAllThreads(false, false);
        ThreadInfo[] infos = mx.getThreadInfo(Arrays.stream(ours).mapToLong(Thread::getId).toArray(), true, true);
        for (int k = 0; k < ours.length; k++) {
            Thread t = ours[k];
            String name = t.getName();
            fact(name + ".ThreadGroup.enumerate", contains(list, n, t));
            fact(name + ".Thread.enumerate", contains(byThread, nByThread, t));
            fact(name + ".getAllStackTraces", traces.containsKey(t) ? frames(traces.get(t)) : "missing");
            fact(name + ".getAllThreadIds", Arrays.stream(ids).anyMatch(id -> id == t.getId()));
            fact(name + ".getThreadInfo(id,depth)", describe(mx.getThreadInfo(t.getId(), 50)));
            fact(name + ".getThreadInfo(ids,true,true)", describe(infos[k]));
            fact(name + ".dumpAllThreads", describe(Arrays.stream(dump).filter(i -> i.getThreadId() == t.getId()).findFirst().orElse(null)));
            fact(name + ".getThreadInfo(id).noStack", mx.getThreadInfo(t.getId()).getStackTrace().length);
        }
        fact("vis-sleeper.visGroup.enumerate(nonRecursive)", contains(direct, nDirect, sleeper));
        fact("getThreadCount.delta", mx.getThreadCount() - mxBefore);
        fact("getDaemonThreadCount.delta", mx.getDaemonThreadCount() - daemonBefore);
        fact("getTotalStartedThreadCount.delta", mx.getTotalStartedThreadCount() - startedBefore);
        fact("getPeakThreadCount.atLeastCount", mx.getPeakThreadCount() >= mx.getThreadCount());
        fact("vis-spinner.getThreadCpuTime.positive", mx.getThreadCpuTime(spinner.getId()) > 0);
        fact("vis-spinner.getCurrentThreadCpuTime.positive", spinnerCpuNanos > 0);
        fact("isComSunThreadMXBean", mx instanceof com.sun.management.ThreadMXBean);
        fact("getPlatformMXBean.finds.vis-waiter", ManagementFactory.getPlatformMXBean(ThreadMXBean.class).getThreadInfo(waiter.getId()) != null);
        facts.forEach((k, v) -> System.out.println(k + "=" + v));

        if (args.length > 0) {
            for (Thread t : ours) System.out.println(t.getName() + ".id=" + t.getId()); // differ between runs: for the dump tools
            System.out.println("ready");
            Path signal = Path.of(args[0]);
            for (int i = 0; i < 3000 && !Files.exists(signal); i++) Thread.sleep(20);
        }
        stop = true;
        synchronized (LOCK) { LOCK.notifyAll(); }
        sleeper.interrupt();
        for (Thread t : ours) t.join();
        System.out.println("done");
    }

    static void fact(String key, Object value) {
        facts.put(key, String.valueOf(value));
    }

    static boolean contains(Thread[] list, int n, Thread t) {
        for (int i = 0; i < n; i++) if (list[i] == t) return true;
        return false;
    }

    /** The frames that say where the thread is, whatever runs beneath them. */
    static String frames(StackTraceElement[] stack) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : stack) {
            String f = e.getClassName() + "." + e.getMethodName();
            // Not the lambda's own frame: a virtual thread's stack hides it, a platform thread's shows it.
            if (f.equals("java.lang.Thread.sleep") || f.equals("java.lang.Object.wait") || f.startsWith("VisibleThreads") && !f.contains("$$Lambda")) {
                b.append(b.length() == 0 ? "" : ",").append(f);
            }
        }
        return b.toString();
    }

    static String describe(ThreadInfo i) {
        if (i == null) return "null";
        return i.getThreadName() + " " + i.getThreadState() + " prio=" + i.getPriority() + " daemon=" + i.isDaemon()
                + " stack=" + frames(i.getStackTrace());
    }
}
