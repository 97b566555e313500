package dev.preempt.agent.transform;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Thread-creation shapes for ThreadMapRewriterTest (compiled by javac, rewritten by the test). */
public class ThreadShapes {
    /** A subclass that declares interrupt() (so gets no override of it) and calls super.interrupt(). */
    public static class Sub extends Thread {
        public volatile boolean interruptSeen;

        public Sub(String name) {
            super(name);
        }

        @Override
        public void interrupt() {
            interruptSeen = true;
            super.interrupt();
        }

        @Override
        public void run() {
            // nothing
        }
    }

    public static String plainThread() throws InterruptedException {
        StringBuilder out = new StringBuilder();
        Thread t = new Thread(() -> out.append("ran in ").append(Thread.currentThread().getName()), "shape-thread");
        t.start();
        t.join();
        return out + " alive=" + t.isAlive();
    }

    public static String subclass() throws InterruptedException {
        Sub s = new Sub("shape-sub");
        s.start();
        s.interrupt();
        s.join();
        return "interruptSeen=" + s.interruptSeen + " state=" + s.getState();
    }

    public static String pools() throws Exception {
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.AbortPolicy());
        ExecutorService cached = Executors.newCachedThreadPool();
        try {
            return tpe.submit(() -> "tpe ok").get() + " " + cached.submit(() -> "cached ok").get();
        } finally {
            tpe.shutdown();
            cached.shutdown();
        }
    }

    public static String enumeration() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        Thread[] list = new Thread[g.activeCount() + 8];
        int n = g.enumerate(list);
        int direct = g.enumerate(new Thread[list.length], false);
        int all = Thread.enumerate(new Thread[Thread.activeCount() + 8]);
        boolean self = java.util.Arrays.asList(list).subList(0, n).contains(Thread.currentThread());
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return "self=" + self + " direct=" + (direct > 0) + " all=" + (all > 0)
                + " mx=" + (mx.getThreadInfo(Thread.currentThread().getId()) != null);
    }
}
