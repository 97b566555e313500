package dev.preempt.runtime.threads;

import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.scheduler.PreemptScheduler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * Where the app's thread call sites are redirected by the agent. Each method has the stack effect of the
 * JDK call it replaces (an instance method becomes a static one taking the receiver first; creation sites
 * get a trailing site string); when preempt's scheduler is not running, or the thread is not one preempt
 * mapped, it behaves exactly like the JDK call.
 *
 * <p>Groups, in the order of the class: virtual-thread creation ({@code schedule=on}); platform-thread
 * creation under {@code threads=map} (adopt, pools, builders); the operations of {@code Thread} that a
 * mapped thread must answer differently (final methods, called at the app's call sites); the methods the
 * agent overrides in the app's {@code Thread} subclasses (their instances run on a shadow virtual thread).
 */
public final class ThreadBridge {
    private ThreadBridge() {}

    /** Called once by the runtime's start with the options ({@code threads}, {@code threads.keep}). */
    public static void configure(RuntimeSettings settings) {
        MappedThreads.configure(settings);
    }

    // ---- virtual threads ----------------------------------------------------------------------------

    /** {@code Thread.ofVirtual()}: a builder whose threads run on preempt's scheduler. */
    public static Thread.Builder.OfVirtual ofVirtual() {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Thread.ofVirtual() : s.newBuilder();
    }

    /** {@code Thread.startVirtualThread(task)}. */
    public static Thread startVirtualThread(Runnable task) {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Thread.startVirtualThread(task) : s.newBuilder().start(task);
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        PreemptScheduler s = PreemptScheduler.active();
        return s == null ? Executors.newVirtualThreadPerTaskExecutor()
                : Executors.newThreadPerTaskExecutor(s.newBuilder().factory());
    }

    // ---- platform-thread creation (threads=map) -----------------------------------------------------

    /**
     * After {@code new Thread(...)} in app code: the platform thread just constructed (never started) is
     * replaced by a virtual thread on preempt's scheduler with the same name, task, group, daemon status,
     * priority, context loader, thread-locals and handler; or returned as it is if it stays a platform thread.
     */
    public static Thread adopt(Thread constructed, String site) {
        return MappedThreads.adopt(constructed, site);
    }

    /** After {@code super(...)} in the constructor of an app's {@code Thread} subclass. */
    public static void constructed(Thread owner, String site) {
        MappedThreads.constructed(owner, site);
    }

    /**
     * {@code Executors.defaultThreadFactory()}, and the factory preempt passes to the pools the app creates
     * without one: the JDK's default factory's threads (names "pool-N-thread-M", non-daemon, normal
     * priority), mapped.
     */
    public static ThreadFactory threadFactory(String site) {
        return new MappedThreadFactory(Executors.defaultThreadFactory(), site);
    }

    /** {@code builder.unstarted(task)} on a {@code Thread.Builder}: a platform builder's thread, mapped. */
    public static Thread unstarted(Thread.Builder builder, Runnable task, String site) {
        Thread t = builder.unstarted(task);
        return builder instanceof Thread.Builder.OfPlatform ? adopt(t, site) : t;
    }

    /** {@code builder.start(task)} on a {@code Thread.Builder}. */
    public static Thread start(Thread.Builder builder, Runnable task, String site) {
        if (!(builder instanceof Thread.Builder.OfPlatform)) {
            return builder.start(task);
        }
        Thread t = adopt(builder.unstarted(task), site);
        t.start();
        return t;
    }

    /** {@code builder.factory()} on a {@code Thread.Builder}. */
    public static ThreadFactory factory(Thread.Builder builder, String site) {
        ThreadFactory f = builder.factory();
        return builder instanceof Thread.Builder.OfPlatform ? new MappedThreadFactory(f, site) : f;
    }

    // ---- operations a mapped thread answers differently (the app's call sites) ----------------------

    /** {@code Thread.currentThread()}: in a shadow, the app's subclass instance it runs. */
    public static Thread currentThread() {
        Thread c = Thread.currentThread();
        if (MappedThreads.shadowsStarted && c.isVirtual()) {
            Thread owner = MappedThreads.OWNER.get();
            if (owner != null) {
                return owner;
            }
        }
        return c;
    }

    /** {@code t.isAlive()}: false as soon as a mapped thread's run (and handler) ended. */
    public static boolean isAlive(Thread t) {
        if (t.getClass() != Thread.class) {
            MappedThread rec = MappedThreads.running(t);
            if (rec != null) {
                return !rec.finished;
            }
        }
        return t.isAlive();
    }

    public static void join(Thread t) throws InterruptedException {
        Thread shadow = MappedThreads.shadowOf(t);
        (shadow != null ? shadow : t).join();
    }

    public static void join(Thread t, long millis) throws InterruptedException {
        Thread shadow = MappedThreads.shadowOf(t);
        (shadow != null ? shadow : t).join(millis);
    }

    public static void join(Thread t, long millis, int nanos) throws InterruptedException {
        Thread shadow = MappedThreads.shadowOf(t);
        (shadow != null ? shadow : t).join(millis, nanos);
    }

    public static boolean join(Thread t, Duration d) throws InterruptedException {
        Thread shadow = MappedThreads.shadowOf(t);
        return (shadow != null ? shadow : t).join(d);
    }

    /** {@code t.run()} called directly: an adopted thread runs its task in the caller, as a platform one does. */
    public static void run(Thread t) {
        MappedThread rec = t.isVirtual() ? MappedThreads.record(t) : null;
        if (rec != null) {
            rec.runDirectly();
        } else {
            t.run();
        }
    }

    /** {@code t.setDaemon(on)}: a mapped thread records it (and keeps the JVM alive if non-daemon). */
    public static void setDaemon(Thread t, boolean on) {
        MappedThread rec = t.getClass() == Thread.class ? null : MappedThreads.record(t);
        if (rec == null || rec.kept) {
            t.setDaemon(on);
            return;
        }
        if (rec.started && !rec.finished) {
            throw new IllegalThreadStateException();
        }
        if (!t.isVirtual()) {
            t.setDaemon(on);
        }
        rec.daemon = on;
    }

    public static boolean isDaemon(Thread t) {
        MappedThread rec = t.isVirtual() ? MappedThreads.record(t) : null;
        return rec != null ? rec.daemon : t.isDaemon();
    }

    /**
     * {@code thread.setPriority(priority)}: the JDK's checks and effect, plus, for a thread on preempt's
     * scheduler, the priority it is scheduled with (the JDK ignores priorities of virtual threads).
     */
    public static void setPriority(Thread thread, int priority) {
        thread.setPriority(priority);
        MappedThread rec = thread.getClass() == Thread.class ? null : MappedThreads.record(thread);
        if (rec != null) {
            ThreadGroup g = rec.group;
            priority = g == null ? priority : Math.min(priority, g.getMaxPriority());
            rec.priority = priority;
        }
        PreemptScheduler s = PreemptScheduler.active();
        if (s != null) {
            Thread runner = thread.isVirtual() ? thread : MappedThreads.shadowOf(thread);
            if (runner != null) {
                s.setPriority(runner, priority);
            }
        }
    }

    public static int getPriority(Thread t) {
        MappedThread rec = t.isVirtual() ? MappedThreads.record(t) : null;
        if (rec != null) {
            return rec.priority;
        }
        if (t.isVirtual()) {
            PreemptScheduler s = PreemptScheduler.active();
            int p = s == null ? -1 : s.priorityOf(t);
            return p > 0 ? p : t.getPriority();
        }
        return t.getPriority();
    }

    /** {@code t.getThreadGroup()}: a mapped thread's group is the one it was created in, null once terminated. */
    public static ThreadGroup getThreadGroup(Thread t) {
        MappedThread rec = t.getClass() == Thread.class ? null : MappedThreads.record(t);
        if (rec == null || rec.kept) {
            return t.getThreadGroup();
        }
        return rec.finished ? null : rec.group;
    }

    /** {@code LockSupport.unpark(t)} with the app's subclass instance: its shadow is the one parked. */
    public static void unpark(Thread t) {
        Thread shadow = t == null ? null : MappedThreads.shadowOf(t);
        LockSupport.unpark(shadow != null ? shadow : t);
    }

    public static Object getBlocker(Thread t) {
        Thread shadow = MappedThreads.shadowOf(t);
        return LockSupport.getBlocker(shadow != null ? shadow : t);
    }

    /** {@code Thread.getAllStackTraces()}: the JDK's platform threads plus the app's mapped ones. */
    public static Map<Thread, StackTraceElement[]> getAllStackTraces() {
        Map<Thread, StackTraceElement[]> all = new HashMap<>(Thread.getAllStackTraces());
        for (MappedThreads.Live l : MappedThreads.live()) {
            all.put(l.app(), l.runner().getStackTrace());
        }
        return all;
    }

    /**
     * {@code Runtime.addShutdownHook(hook)}: hooks run as platform threads, as the JDK runs them, while
     * preempt's scheduler may be winding down. A subclass instance is kept as a platform thread; an
     * adopted thread is stood in for by a platform thread running its task.
     */
    public static void addShutdownHook(Runtime rt, Thread hook) {
        rt.addShutdownHook(ShutdownHooks.platformFor(hook));
    }

    public static boolean removeShutdownHook(Runtime rt, Thread hook) {
        Thread p = ShutdownHooks.remove(hook);
        return rt.removeShutdownHook(p != null ? p : hook);
    }

    // ---- the app's Thread subclasses: methods the agent overrides or whose super calls it redirects --

    /** {@code start()} of a subclass instance: a shadow virtual thread runs it, or the JDK starts it. */
    public static void start(Thread owner) {
        if (!MappedThreads.startShadow(owner)) {
            ThreadInternals.start(owner);
        }
    }

    public static void interrupt(Thread owner) {
        Thread shadow = MappedThreads.shadowOf(owner);
        if (shadow != null) {
            shadow.interrupt();
        } else {
            ThreadInternals.interrupt(owner);
        }
    }

    public static boolean isInterrupted(Thread owner) {
        Thread shadow = MappedThreads.shadowOf(owner);
        return shadow != null ? shadow.isInterrupted() : ThreadInternals.isInterrupted(owner);
    }

    public static Thread.State getState(Thread owner) {
        MappedThread rec = MappedThreads.running(owner);
        if (rec != null) {
            Thread shadow = rec.running;
            Thread.State s = shadow == null || rec.finished ? Thread.State.TERMINATED : shadow.getState();
            return s == Thread.State.NEW ? Thread.State.RUNNABLE : s;
        }
        rec = MappedThreads.record(owner);
        if (rec != null && rec.started && !rec.kept) {
            return Thread.State.TERMINATED;
        }
        return ThreadInternals.getState(owner);
    }

    public static StackTraceElement[] getStackTrace(Thread owner) {
        Thread shadow = MappedThreads.shadowOf(owner);
        return shadow != null ? shadow.getStackTrace() : ThreadInternals.getStackTrace(owner);
    }

    public static void setContextClassLoader(Thread owner, ClassLoader cl) {
        ThreadInternals.setContextClassLoader(owner, cl);
        Thread shadow = MappedThreads.shadowOf(owner);
        if (shadow != null) {
            shadow.setContextClassLoader(cl);
        }
    }
}
