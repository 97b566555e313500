package dev.preempt.runtime.threads;

import java.lang.ref.WeakReference;

/**
 * What preempt keeps about one app thread it maps onto its scheduler, and the body of the virtual thread
 * that runs it.
 *
 * <p>Two shapes, one record:
 * <ul>
 *   <li><b>adopted</b>: the app wrote {@code new Thread(task)} (or a pool's factory did); the app holds a
 *       virtual thread preempt built from that platform thread's settings, so identity, {@code join},
 *       {@code interrupt}, {@code LockSupport} and thread-locals are the JDK's own. Preempt keeps what a
 *       virtual thread cannot hold: daemon status, priority, thread group.</li>
 *   <li><b>owner and shadow</b>: the app's object is an instance of its own {@code Thread} subclass, which
 *       cannot be a virtual thread. It stays the app's handle (the <em>owner</em>, never started natively);
 *       at {@code start} a virtual thread (the <em>shadow</em>) runs {@code owner.run()}, and the bridge
 *       forwards the owner's thread operations to it.</li>
 * </ul>
 *
 * <p>No strong reference from the record to the app's thread while it is unstarted or finished: the registry
 * maps the app's thread weakly to this record, and a value that reached its key would never be collected.
 * That includes the adopted thread's task, which often reaches its thread (a pool's worker keeps the thread
 * its factory made): the virtual thread holds the task strongly (as a platform thread holds its own, for
 * its whole life) through {@link #body}, and the record only weakly. Before this, every pool thread a
 * mapped app ever started stayed in the heap with its pool.
 */
final class MappedThread implements Runnable {
    final String site;
    final ThreadGroup group;
    volatile boolean daemon;
    volatile int priority;
    /** The adopted thread's task, which its virtual thread holds; null for a subclass (owner.run() is the body). */
    private final WeakReference<Runnable> task;
    /** The subclass instance, from its start until its run ends. */
    volatile Thread owner;
    /** The virtual thread running this record, from its start until its run ends. */
    volatile Thread running;
    volatile boolean started;
    volatile boolean finished;
    /** Keep as a platform thread (a shutdown hook, or a threads.keep name): start natively. */
    volatile boolean kept;
    private boolean keepsJvmAlive;

    MappedThread(String site, ThreadGroup group, boolean daemon, int priority, Runnable task) {
        this.site = site;
        this.group = group;
        this.daemon = daemon;
        this.priority = priority;
        this.task = task == null ? null : new WeakReference<>(task);
    }

    /**
     * What an adopted thread's virtual thread runs: this record with {@code task}, held here, so the task
     * lives exactly as long as the thread (the thread is reachable whenever its record is looked up).
     */
    Runnable body(Runnable task) {
        return new Body(this, task);
    }

    private record Body(MappedThread record, Runnable task) implements Runnable {
        @Override
        public void run() {
            record.run(task);
        }
    }

    /** Called once, as the virtual thread starts and before start returns to the app. */
    void onStart(Thread vthread, Thread owner) {
        this.owner = owner;
        this.running = vthread;
        this.started = true;
        if (!daemon) {
            keepsJvmAlive = true;
            KeepAlive.acquire();
        }
        MappedThreads.RUNNING.put(owner != null ? owner : vthread, this);
        MappedThreads.STARTED.increment();
    }

    /** The shadow or adopted thread could not be started after {@link #onStart}: undo it. */
    void startFailed(Thread app) {
        MappedThreads.RUNNING.remove(app, this);
        MappedThreads.STARTED.decrement();
        started = false;
        owner = null;
        running = null;
        if (keepsJvmAlive) {
            keepsJvmAlive = false;
            KeepAlive.release();
        }
    }

    /** The thread the app sees: the owner for a subclass, else the virtual thread itself. */
    Thread appThread() {
        Thread o = owner;
        return o != null ? o : running;
    }

    /** {@code t.run()} called directly by the app on an adopted thread: the task, in the caller, as the JDK does. */
    void runDirectly() {
        Runnable t = task == null ? null : task.get();
        if (t != null) {
            t.run();
        }
    }

    /** A shadow's body: the owner's {@code run()}. */
    @Override
    public void run() {
        run(null);
    }

    private void run(Runnable task) {
        Thread self = Thread.currentThread();
        Thread o = owner;
        Thread app = o != null ? o : self;
        if (o != null) {
            MappedThreads.OWNER.set(o);
        }
        try {
            if (o != null) {
                o.run();
            } else if (task != null) {
                task.run();
            }
        } catch (Throwable e) {
            dispatchUncaught(app, e);
        } finally {
            finish(app);
        }
    }

    /**
     * As {@code Thread.dispatchUncaughtException}: the thread's own handler, else its group's (which calls
     * the default handler or prints "Exception in thread ..."), with the app's thread as the argument. An
     * exception thrown by the handler is ignored, as the JDK ignores it.
     */
    private void dispatchUncaught(Thread app, Throwable e) {
        Thread.UncaughtExceptionHandler h = ThreadInternals.ownHandler(app);
        if (h == null) {
            h = group != null ? group : Thread.currentThread().getThreadGroup();
        }
        try {
            h.uncaughtException(app, e);
        } catch (Throwable ignored) {
            // as the JDK does
        }
    }

    private void finish(Thread app) {
        finished = true;
        if (app != Thread.currentThread()) {
            // An owner: from now on its native state (never started) answers. An adopted thread stays in
            // RUNNING until the scheduler sees it terminate, so isAlive is false from here on, not true.
            MappedThreads.RUNNING.remove(app, this);
        }
        // Code that joins by hand (synchronized (t) { while (t.isAlive()) t.wait(); }) is woken as the JVM
        // wakes it for a platform thread; isAlive is already false through the bridge.
        synchronized (app) {
            app.notifyAll();
        }
        owner = null;
        running = null;
        MappedThreads.OWNER.remove();
        if (keepsJvmAlive) {
            keepsJvmAlive = false;
            KeepAlive.release();
        }
    }
}
