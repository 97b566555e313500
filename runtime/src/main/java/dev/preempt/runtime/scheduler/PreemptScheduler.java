package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.profile.Recorder;
import dev.preempt.runtime.safepoint.JdkPollGuard;
import dev.preempt.runtime.safepoint.Safepoint;
import dev.preempt.runtime.telemetry.JfrGate;
import dev.preempt.runtime.telemetry.SchedulerMXBean;
import dev.preempt.timer.TimerBackend;
import dev.preempt.timer.TimerBackends;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Preempt's scheduler for virtual threads, installed through the JDK's builder hook: what the JDK submits
 * ({@link TaskExecutor}, {@link #submit}), the carriers' loop, and the wiring of its parts:
 * <pre>
 *   Policy        the key a task waits with (fair: weighted virtual runtime; strict: priority), priorities
 *   RunQueues     a run queue per carrier + an inject queue; stealing, balancing, idle carriers
 *   CarrierSet    base carriers and the spares BlockedCarrierMonitor adds while carriers are held by calls
 *   Preemption    the slice timer's work, wake-up preemption and the poll's slow path
 *   SliceTimer    one thread that sleeps until the next slice end while someone waits
 *   SwitchObserver the profiler's and JFR's view of each switch
 * </pre>
 *
 * <p>Why it cannot deadlock: the scheduler's locks are the run queues' (one per carrier, one inject queue);
 * no code path holds one while taking another, and no lock is held while a continuation runs.
 * {@link #submit} is called by the JDK with the continuation pinned and must not block: it takes one
 * queue's lock for an enqueue and unparks at most one carrier and the timer.
 */
public final class PreemptScheduler {
    private static volatile PreemptScheduler active;
    /** threads=map: told when a mapped thread is first submitted (it started) and when it terminated. */
    private static volatile Consumer<Thread> mappedStart;
    private static volatile Consumer<Thread> mappedEnd;

    private final RuntimeSettings settings;
    private final VirtualThreadHook hook;
    private final TimerBackend timer;
    private final long sliceNanos;
    private final Policy policy;
    /** Every carrier's own queue and the inject queue: where runnable tasks wait ({@link RunQueues}). */
    private final RunQueues queues;
    /** Base carriers plus spares standing in for blocked ones; iterate a snapshot ({@code carriers.all()}). */
    private final CarrierSet carriers;
    private final BlockedCarrierMonitor blockedMonitor;
    /** Tasks of threads that share a builder with another ({@link TaskExecutor}): the rest are bound to theirs. */
    private final Map<Runnable, Task> tasks = new ConcurrentHashMap<>();
    /** Thread to task for setPriority and priorityOf: written at a thread's start and end, never on a switch. */
    private final Map<Thread, Task> tasksByThread = new ConcurrentHashMap<>();
    /** setPriority on a thread not started yet; weak so unstarted threads are not kept alive. */
    private final Map<Thread, Integer> pendingPriorities = new WeakHashMap<>();
    private final SchedulerStats stats = new SchedulerStats();
    /** The profiler and JFR's view of switches; its calls are skipped unless it is on. */
    private final SwitchObserver observer;
    /** Wakes at slice deadlines while someone waits, and not otherwise. */
    private final SliceTimer sliceTimer;
    private final Preemption preemption;
    /** When the next submitter that is not a carrier asks for the monitor's looks ({@link #askLook}). */
    private final java.util.concurrent.atomic.AtomicLong nextExternalAskNanos = new java.util.concurrent.atomic.AtomicLong();

    /** How long an idle spare waits for work before it checks whether it is still needed. */
    private static final long SPARE_IDLE_NANOS = 20_000_000L;
    private PreemptScheduler(RuntimeSettings settings, VirtualThreadHook hook, TimerBackend timer) {
        this.settings = settings;
        this.hook = hook;
        this.timer = timer;
        this.sliceNanos = settings.sliceNanos();
        this.carriers = new CarrierSet(this::carrierLoop, this::carrierJoined, settings.carriers(), settings.maxCarriers());
        this.queues = new RunQueues(carriers, Policy.balanceKey(settings));
        this.policy = new Policy(settings, timer, carriers, queues);
        this.blockedMonitor = new BlockedCarrierMonitor(carriers, stats);
        // A poll later than Preemption.LATE_NANOS past its slice's end is late, and reported with its site.
        this.observer = new SwitchObserver(settings.record()
                ? new Recorder(timer::clockNanos, IntStream.range(0, settings.carriers()).mapToObj(Carrier::nameOf).toList(), sliceNanos,
                        Preemption.LATE_NANOS, settings.profileThreads(), settings.profileSlices())
                : null);
        this.preemption = new Preemption(timer, carriers, queues, blockedMonitor, stats, observer, sliceNanos, settings.strict());
        this.sliceTimer = new SliceTimer(timer, preemption::onTimer, () -> queues.size() > 0);
    }

    /**
     * Starts the scheduler for the JVM. On a JDK without the hook it logs why and returns null: virtual
     * threads then run on the JDK's scheduler, unpreempted, and the app runs as it would without preempt.
     */
    public static synchronized PreemptScheduler start(RuntimeSettings settings) {
        if (active != null) {
            throw new IllegalStateException("the scheduler is already started");
        }
        VirtualThreadHook hook;
        try {
            hook = VirtualThreadHook.open();
        } catch (ReflectiveOperationException | RuntimeException e) {
            PreemptLog.error("virtual threads stay on the JDK's scheduler: this JDK's virtual-thread builder hook is not usable (" + e + ")");
            return null;
        }
        PreemptScheduler s = new PreemptScheduler(settings, hook, TimerBackends.select(settings.timer()));
        JfrGate.prepare(); // a recording already on: its event classes are registered here, not in a poll
        s.carriers.startBase();
        s.sliceTimer.start();
        Safepoint.onSlowPath(s.preemption::onPoll);
        JdkPollGuard.warm();
        Safepoint.onJdkSlowPath(s.preemption::onJdkPoll);
        active = s;
        PreemptLog.info("scheduler started: " + s.carriers.parallelism() + " carriers (up to " + s.carriers.maxCarriers()
                + " while some are blocked), slice " + s.sliceNanos / 1000 + " us, deadline timer, " + (s.policy.strict() ? "strict" : "fair") + ", timer " + s.timer.name() + " (" + s.timer.probe().reason() + ")");
        return s;
    }

    /** The running scheduler, or null when preempt does not schedule virtual threads in this JVM. */
    public static PreemptScheduler active() {
        return active;
    }

    /**
     * The profiler's recording, or null unless {@code profile=} or {@code trace=} asked for one. Public for
     * the runtime's front ({@code PreemptRuntime.recording()}), through which the agent reads it.
     */
    public Recorder recorder() {
        return observer.recorder();
    }

    /** The live counters as a JMX bean (registered by the runtime once JMX is up). */
    public SchedulerMXBean monitor() {
        return new SchedulerMonitor(this, stats);
    }

    /** Carriers now, spares standing in for blocked ones included. */
    int carrierCount() {
        return carriers.all().length;
    }

    CarrierSet carrierSet() {
        return carriers;
    }

    /** A carrier is about to start: the recorder gets its slot first. */
    void carrierJoined(Carrier c) {
        Recorder r = observer.recorder();
        if (r != null) {
            r.carrierJoined(c.index, c.getName());
        }
    }

    long sliceNanos() {
        return sliceNanos;
    }

    /** Run-queue length now (racy: for monitoring). */
    public int queueLength() {
        return queues.size();
    }

    /** A builder of virtual threads that run on this scheduler. */
    public Thread.Builder.OfVirtual newBuilder() {
        return hook.builder(new TaskExecutor(this, false));
    }

    /**
     * A builder of virtual threads that stand for the app's platform threads ({@code threads=map}): the
     * same scheduling, and the listeners of {@link #onMappedThreads} hear of their start and termination.
     */
    public Thread.Builder.OfVirtual newMappedBuilder() {
        return hook.builder(new TaskExecutor(this, true));
    }

    /**
     * Listeners for mapped threads: {@code start} runs inside the app's {@code Thread.start} (the first
     * submission happens there), so it can keep the JVM alive before start returns; {@code end} runs on a
     * carrier once the thread has terminated. Neither may block.
     */
    public static void onMappedThreads(Consumer<Thread> start, Consumer<Thread> end) {
        mappedStart = start;
        mappedEnd = end;
    }

    public SchedulerStats stats() {
        stats.dispatchCount = carriers.dispatches();
        stats.carrierSlowPolls = carriers.slowPolls();
        stats.carriersNow = carriers.all().length;
        stats.carriersBlocked = carriers.blockedNow();
        stats.blockedCalls = carriers.blockedCalls();
        stats.sparesAdded = carriers.added();
        stats.sparesRetired = carriers.retired();
        stats.carrierThreads = carriers.threadsStarted();
        return stats;
    }

    /**
     * The task of a thread that {@code executor} built but did not bind: created at the thread's first
     * submission (from its start(), once per thread, so there is no race to create it twice) and bound to
     * the executor if it is the first thread built there, else kept in the map.
     */
    Task taskOf(Runnable runContinuation, TaskExecutor executor) {
        Task t = tasks.get(runContinuation);
        if (t == null) {
            t = newTask(runContinuation, executor.mapped);
            if (!executor.bind(t)) {
                tasks.put(runContinuation, t);
            }
            Consumer<Thread> l = mappedStart;
            if (executor.mapped && l != null) {
                l.accept(t.thread);
            }
        }
        return t;
    }

    /** Runs {@code t}'s continuation later, on a carrier. Only enqueues: the JDK calls it with the thread pinned. */
    void submit(Task t) {
        long key;
        Carrier c = submittingCarrier();
        boolean yielded = c != null && c.current == t;
        if (yielded) {
            // Resubmitted by its own yield, still on its carrier (the common case, and the hot one): the
            // slice is charged before the task's place in the queue is chosen.
            long now = timer.clockNanos();
            c.chargeCurrent(now);
            if (observer.on()) {
                observer.requeued(c, t, now);
            }
            key = policy.yieldKey(t);
        } else {
            if (observer.on()) {
                observer.arrived(t, timer.clockNanos());
            }
            key = policy.wakeKey(t);
        }
        queues.put(c, t, key, yielded);
        if (policy.mayPreemptOnWakeup(t)) {
            preemption.wakeupPreempt(t);
        }
        sliceTimer.queued();
        if (c == null) {
            askLook(null, timer.clockNanos()); // carriers ask between runs; this covers carriers that all sit in calls
        }
    }

    /**
     * At most every {@link BlockedCarrierMonitor#CHECK_INTERVAL_NANOS} per carrier (and once per that
     * interval for all submitters that are not carriers): if someone waits and another carrier's run has
     * lasted that long unlooked at, wakes the slice timer for the blocked-carrier monitor's first look.
     */
    private void askLook(Carrier c, long now) {
        if (c != null) {
            if (now - c.nextAskNanos < 0) {
                return;
            }
            c.nextAskNanos = now + BlockedCarrierMonitor.CHECK_INTERVAL_NANOS;
        } else {
            long next = nextExternalAskNanos.get();
            if (now - next < 0 || !nextExternalAskNanos.compareAndSet(next, now + BlockedCarrierMonitor.CHECK_INTERVAL_NANOS)) {
                return;
            }
        }
        if (queues.size() > 0 && blockedMonitor.askLook(c, now)) {
            stats.lookAsks.increment();
            sliceTimer.lookSoon(now);
        }
    }

    /** The carrier of this scheduler that runs the caller (itself, or the virtual thread on it), else null. */
    private static Carrier submittingCarrier() {
        Thread me = Thread.currentThread();
        if (me instanceof Carrier c) {
            return c; // the JDK resubmits a yielding thread from its carrier, after the unmount
        }
        return me.isVirtual() && VirtualThreadHook.currentCarrier() instanceof Carrier c ? c : null;
    }

    private Task newTask(Runnable runContinuation, boolean mapped) {
        Thread thread = VirtualThreadHook.threadOf(runContinuation);
        Integer pending;
        synchronized (pendingPriorities) {
            pending = pendingPriorities.remove(thread);
        }
        Task t = new Task(thread, runContinuation, pending != null ? pending : policy.priorityByName(thread.getName()), mapped);
        policy.started(t);
        observer.created(t, timer.clockNanos());
        tasksByThread.put(thread, t);
        stats.threadsStarted.increment();
        return t;
    }

    /** Records the app's {@code setPriority} for a virtual thread (the JDK ignores it for them). */
    public void setPriority(Thread thread, int priority) {
        policy.priorityChanged(priority);
        Task t = tasksByThread.get(thread);
        if (t != null) {
            t.priority = priority;
        } else if (thread.getState() == Thread.State.NEW) {
            synchronized (pendingPriorities) {
                pendingPriorities.put(thread, priority);
            }
        }
    }

    /** The priority preempt schedules {@code thread} with, or -1 if it is not one of its threads. */
    public int priorityOf(Thread thread) {
        Task t = tasksByThread.get(thread);
        return t == null ? -1 : t.priority;
    }

    /** Every live thread on this scheduler, for thread dumps; racy, and never on a scheduling path. */
    public java.util.List<ScheduledThread> threads() {
        Map<Task, Carrier> running = new java.util.IdentityHashMap<>();
        for (Carrier c : carriers.all()) {
            Task t = c.current;
            if (t != null) {
                running.put(t, c);
            }
        }
        long now = timer.clockNanos();
        return tasksByThread.values().stream().map(t -> snapshot(t, running.get(t), now)).toList();
    }

    /** {@link #threads()}' entry for one thread, or null if it is not live on this scheduler. */
    public ScheduledThread thread(Thread thread) {
        Task t = tasksByThread.get(thread);
        if (t == null) {
            return null;
        }
        Carrier on = null;
        for (Carrier c : carriers.all()) {
            if (c.current == t) {
                on = c;
            }
        }
        return snapshot(t, on, timer.clockNanos());
    }

    private static ScheduledThread snapshot(Task t, Carrier on, long now) {
        long inRun = on == null ? 0 : Math.max(0, now - on.chargedUntilNanos);
        return new ScheduledThread(t.thread, t.priority, on == null ? null : on.getName(), t.ranNanos + inRun, t.mapped);
    }

    void carrierLoop(Carrier c) {
        long now = timer.clockNanos();
        while (true) {
            if (c.spare && carriers.surplus(c) && carriers.retire(c)) {
                queues.drain(c); // out of the set: nobody steals from it any more, so what it holds moves
                if (!carriers.awaitReuse(c)) {
                    return; // a blocked carrier is back, and no spare was needed for the keep-alive: the thread ends
                }
            }
            // One clock read per switch: the end of the last run is the start of the next unless we waited.
            Task t = queues.next(c);
            if (t == null) {
                // A spare wakes now and then to see whether it is still needed; base carriers just wait.
                t = queues.idle(c, c.spare ? SPARE_IDLE_NANOS : Long.MAX_VALUE);
                // After a park the last run's end is long gone: a slice started (and a task charged) from it
                // would look expired at once and charge the idle time to the next task.
                now = timer.clockNanos();
                if (t == null) {
                    continue;
                }
            }
            askLook(c, now); // one compare unless due: a run elsewhere that lasts while others wait gets a look
            long key = t.queueKey; // ours now: written under the queue's lock, which the dequeue took after
            policy.dispatched(key);
            c.begin(t, now);
            boolean observed = observer.on();
            if (observed) {
                observer.dispatched(c, t, now);
            }
            try {
                t.runContinuation.run();
            } catch (Throwable x) {
                PreemptLog.error("a virtual thread's continuation threw on " + c.getName() + ": " + x);
            }
            now = timer.clockNanos();
            c.chargeCurrent(now);
            boolean terminated = t.thread.getState() == Thread.State.TERMINATED;
            if (observed) {
                observer.ended(c, t, now, terminated);
            }
            c.end();
            if (c.blocked) {
                carriers.markUnblocked(c); // the blocking call returned and the run is over
            }
            if (terminated) {
                if (!t.bound) {
                    tasks.remove(t.runContinuation);
                }
                tasksByThread.remove(t.thread);
                stats.threadsTerminated.increment();
                Consumer<Thread> l = mappedEnd;
                if (t.mapped && l != null) {
                    l.accept(t.thread);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PreemptScheduler" + settings;
    }
}
