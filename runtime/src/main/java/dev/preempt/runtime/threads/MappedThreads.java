package dev.preempt.runtime.threads;

import dev.preempt.runtime.profile.CreationSites;
import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.scheduler.PreemptScheduler;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code threads=map}: turns the app's platform threads into virtual threads on preempt's scheduler, and
 * answers for them what a virtual thread cannot (daemon status, priority, group) or what the app's object
 * cannot (everything, for a {@code Thread} subclass instance: see {@link MappedThread}).
 *
 * <p>Which threads: those whose creation site the agent rewrote (app code, not excluded), unless their
 * name matches a {@code threads.keep} glob. Threads the JDK or excluded code creates are never seen here.
 */
final class MappedThreads {
    /** App thread (adopted virtual thread, or subclass owner) -> its record; weak, so unstarted threads go. */
    private static final Map<Thread, MappedThread> RECORDS = Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * App thread -> record, from start until the run ends (owner) or the virtual thread terminates
     * (adopted): the lock-free lookup of the calls the app makes on running threads (isAlive, join, ...).
     */
    static final Map<Thread, MappedThread> RUNNING = new ConcurrentHashMap<>();
    /** Mapped threads started since the runtime started: added to ThreadMXBean's started count. */
    static final java.util.concurrent.atomic.LongAdder STARTED = new java.util.concurrent.atomic.LongAdder();
    /** In a shadow: the subclass instance it runs, which Thread.currentThread() answers through the bridge. */
    static final ThreadLocal<Thread> OWNER = new ThreadLocal<>();
    /** Whether any shadow ever started: until then currentThread() needs no lookup. */
    static volatile boolean shadowsStarted;

    private static volatile boolean enabled;
    private static volatile Glob[] keepGlobs = new Glob[0];

    private MappedThreads() {}

    static void configure(RuntimeSettings s) {
        keepGlobs = s.keepGlobs().stream().map(Glob::ofName).toArray(Glob[]::new);
        enabled = s.schedule() && s.mapThreads();
        if (enabled) {
            PreemptScheduler.onMappedThreads(MappedThreads::onMappedStart, MappedThreads::onMappedEnd);
        }
    }

    /** Names kept as platform threads by threads.keep, or null if the name may be mapped. */
    private static String keptBy(String name) {
        for (Glob g : keepGlobs) {
            if (g.matches(name)) {
                return "threads.keep matches " + name;
            }
        }
        return null;
    }

    static MappedThread record(Thread t) {
        return RECORDS.get(t);
    }

    /** The record of the calling thread if it is a mapped one. */
    static MappedThread current() {
        Thread c = Thread.currentThread();
        if (!c.isVirtual()) {
            return null;
        }
        Thread o = OWNER.get();
        return RECORDS.get(o != null ? o : c);
    }

    /**
     * The mapped virtual thread for a platform thread the app just constructed with {@code new Thread(...)}
     * or a factory (the template, never started), or the template itself when it stays a platform thread.
     * Everything the platform thread got from its constructor carries over: name (the JDK's own "Thread-N"
     * numbering), task, group, daemon status and priority (inherited from a mapped parent as the JDK
     * inherits them from a platform one), context class loader, inheritable thread-locals, handler.
     */
    static Thread adopt(Thread template, String site) {
        PreemptScheduler s = PreemptScheduler.active();
        if (!enabled || s == null || template.isVirtual() || template.getState() != Thread.State.NEW) {
            return template;
        }
        String keep = keptBy(template.getName());
        if (keep != null) {
            CreationSites.kept(site, keep);
            return template;
        }
        Inherited in = inherited(template);
        Runnable task = ThreadInternals.task(template);
        MappedThread rec = new MappedThread(site, in.group, in.daemon, in.priority, task);
        Thread v = s.newMappedBuilder().name(template.getName()).inheritInheritableThreadLocals(false).unstarted(rec.body(task));
        ThreadInternals.moveInheritableThreadLocals(template, v);
        v.setContextClassLoader(template.getContextClassLoader());
        Thread.UncaughtExceptionHandler own = ThreadInternals.ownHandler(template);
        if (own != null) {
            v.setUncaughtExceptionHandler(own);
        }
        if (in.priority != Thread.NORM_PRIORITY) {
            s.setPriority(v, in.priority);
        }
        RECORDS.put(v, rec);
        CreationSites.mapped(site);
        return v;
    }

    private record Inherited(ThreadGroup group, boolean daemon, int priority) {}

    /**
     * A platform thread constructed by a mapped thread inherited the virtual thread's group, daemon status
     * (always true) and priority (always 5) from the JDK; the app's thread would have inherited its mapped
     * parent's. Explicit settings (a pool's factory making non-daemon, normal-priority threads) are kept.
     */
    private static Inherited inherited(Thread t) {
        ThreadGroup g = t.getThreadGroup();
        boolean daemon = t.isDaemon();
        int priority = t.getPriority();
        MappedThread parent = current();
        if (parent != null) {
            if (g == Thread.currentThread().getThreadGroup() && parent.group != null) {
                g = parent.group;
            }
            if (daemon) {
                daemon = parent.daemon;
            }
            if (priority == Thread.NORM_PRIORITY && parent.priority != Thread.NORM_PRIORITY) {
                priority = Math.min(parent.priority, g.getMaxPriority());
            }
        }
        return new Inherited(g, daemon, priority);
    }

    /**
     * A {@code Thread} subclass instance was constructed (called after its {@code super(...)}): record it,
     * with what it inherits from a mapped parent, so later calls see the right daemon status and priority.
     */
    static void constructed(Thread owner, String site) {
        if (!enabled || owner.isVirtual() || RECORDS.get(owner) != null) {
            return;
        }
        Inherited in = inherited(owner);
        if (in.daemon != owner.isDaemon()) {
            owner.setDaemon(in.daemon);
        }
        if (in.priority != owner.getPriority()) {
            owner.setPriority(in.priority);
        }
        RECORDS.put(owner, new MappedThread(site, in.group, in.daemon, in.priority, null));
    }

    /**
     * {@code start()} of a {@code Thread} subclass instance: starts a shadow virtual thread that runs
     * {@code owner.run()}. False when the owner stays a platform thread (the caller then starts it
     * natively): no scheduler, a threads.keep name, or a shutdown hook.
     */
    static boolean startShadow(Thread owner) {
        PreemptScheduler s = PreemptScheduler.active();
        if (!enabled || s == null) {
            return false;
        }
        synchronized (owner) { // Thread.start is synchronized on the thread
            MappedThread rec = RECORDS.get(owner);
            if (rec == null) {
                constructed(owner, owner.getClass().getName());
                rec = RECORDS.get(owner);
            }
            if (rec.started || owner.getState() != Thread.State.NEW) {
                throw new IllegalThreadStateException();
            }
            String keep = rec.kept ? "shutdown hook" : keptBy(owner.getName());
            if (keep != null) {
                CreationSites.kept(rec.site, keep);
                rec.kept = true;
                return false;
            }
            rec.daemon = owner.isDaemon();
            rec.priority = owner.getPriority();
            Thread shadow = s.newBuilder().name(owner.getName()).inheritInheritableThreadLocals(false).unstarted(rec);
            ThreadInternals.moveInheritableThreadLocals(owner, shadow);
            shadow.setContextClassLoader(owner.getContextClassLoader());
            if (ThreadInternals.isInterrupted(owner)) {
                shadow.interrupt();
            }
            if (rec.priority != Thread.NORM_PRIORITY) {
                s.setPriority(shadow, rec.priority);
            }
            shadowsStarted = true;
            rec.onStart(shadow, owner);
            try {
                shadow.start();
            } catch (RuntimeException | Error e) {
                rec.startFailed(owner);
                throw e;
            }
            CreationSites.mapped(rec.site);
            return true;
        }
    }

    /** The scheduler saw an adopted thread's first submission: it was started (by the app or the JDK). */
    private static void onMappedStart(Thread vthread) {
        MappedThread rec = RECORDS.get(vthread);
        if (rec != null && !rec.started) {
            rec.onStart(vthread, null);
        }
    }

    /** An adopted thread terminated: its native state answers from now on. */
    private static void onMappedEnd(Thread vthread) {
        RUNNING.remove(vthread);
    }

    /** The running record of an app thread, or null (not mapped, not started, or finished). */
    static MappedThread running(Thread t) {
        return RUNNING.get(t);
    }

    /** A running mapped thread read once: the app's thread object, the virtual thread that runs it, its record. */
    record Live(Thread app, Thread runner, MappedThread rec) {}

    /** Every mapped thread running now (started, run not yet ended), for the enumeration APIs and dumps. */
    static java.util.List<Live> live() {
        java.util.List<Live> out = new java.util.ArrayList<>();
        for (MappedThread rec : RUNNING.values()) {
            Thread app = rec.appThread();
            Thread runner = rec.running;
            if (!rec.finished && app != null && runner != null) {
                out.add(new Live(app, runner, rec));
            }
        }
        return out;
    }

    /** The shadow that runs a subclass instance now, or null (not mapped, not running, or adopted). */
    static Thread shadowOf(Thread t) {
        MappedThread rec = RUNNING.get(t);
        return rec == null || rec.owner == null ? null : rec.running;
    }
}
