package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.NameGlob;
import dev.preempt.runtime.RuntimeSettings;
import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.profile.Recorder;
import dev.preempt.runtime.safepoint.Safepoint;
import dev.preempt.runtime.telemetry.JfrGate;
import dev.preempt.runtime.telemetry.PinnedYieldEvent;
import dev.preempt.runtime.telemetry.PreemptionEvent;
import dev.preempt.runtime.telemetry.SchedulerMXBean;
import dev.preempt.timer.TimerBackend;
import dev.preempt.timer.TimerBackends;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Preempt's scheduler for virtual threads: an {@link Executor} installed through the JDK's builder hook,
 * a global run queue ordered by policy, carrier threads, and a timer that asks a carrier's thread to yield
 * at its next poll when its slice is over and someone else is waiting.
 *
 * <p>Policies: {@code fair} (default) runs the smallest priority-weighted virtual runtime first, as CFS and
 * EEVDF do; {@code strict} runs the highest priority first, round-robin within a priority. In both, a task
 * that wakes with a higher priority than a running one asks that carrier to yield at its next poll.
 *
 * <p>Why nobody starves under {@code fair}: a queued task's key is fixed while it waits, and every task
 * that runs is charged at least its run time divided by the largest weight (7.5x), then re-enters the queue
 * with a larger key; a newcomer enters no lower than the floor minus one slice. So within a bounded number
 * of slices every key ahead of a waiting task grows past it, and it runs. (Under {@code strict} a lower
 * priority does wait for as long as a higher one is runnable: that is what strict means.)
 *
 * <p>Why it cannot deadlock: the scheduler's locks are the run queues' (one per carrier, one inject queue);
 * no code path holds one while taking another, and no lock is held while a continuation runs. {@link #execute} is
 * called by the JDK with the continuation pinned and must not block: it only takes the queue lock for an
 * enqueue.
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
    /** A poll later than this past its slice's end is late (the profiler's late-safepoint threshold). */
    private final long lateNanos;
    private final boolean strict;
    private final Pattern[] priorityGlobs;
    private final int[] priorityValues;
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
    /** How long an idle spare waits for work before it checks whether it is still needed. */
    private static final long SPARE_IDLE_NANOS = 20_000_000L;
    /**
     * Whether any thread ever had a priority other than 5: until one does, no wake-up can preempt a running
     * thread, and submissions skip the scan of the carriers for one of lower priority.
     */
    private volatile boolean prioritiesDiffer;
    /** The smallest virtual runtime worth giving a newcomer: newcomers and sleepers start just below it. */
    private volatile long floorVruntimeNanos;

    private PreemptScheduler(RuntimeSettings settings, VirtualThreadHook hook, TimerBackend timer) {
        this.settings = settings;
        this.hook = hook;
        this.timer = timer;
        this.sliceNanos = settings.sliceNanos();
        // The target for expiry-to-poll (issue 15): beyond it a poll is reported late, with its site.
        this.lateNanos = 200_000L;
        this.strict = settings.strict();
        this.priorityGlobs = settings.priorityRules().stream().map(r -> NameGlob.compile(r.nameGlob())).toArray(Pattern[]::new);
        this.priorityValues = settings.priorityRules().stream().mapToInt(RuntimeSettings.PriorityRule::priority).toArray();
        this.carriers = new CarrierSet(this::carrierLoop, this::carrierJoined, settings.carriers(), settings.maxCarriers());
        // Balancing under fair: a carrier steals another's head when it is more than a slice of virtual
        // runtime ahead of its own best (the cross-carrier unfairness bound, see RunQueues); under strict, any
        // higher priority.
        this.queues = new RunQueues(carriers, strict ? 0 : sliceNanos);
        this.blockedMonitor = new BlockedCarrierMonitor(carriers);
        this.sliceTimer = new SliceTimer(timer, this::onTimer, () -> queues.size() > 0);
        this.observer = new SwitchObserver(settings.record()
                ? new Recorder(timer::clockNanos, IntStream.range(0, settings.carriers()).mapToObj(Carrier::nameOf).toList(), sliceNanos, lateNanos)
                : null);
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
        s.carriers.startBase();
        s.sliceTimer.start();
        active = s;
        PreemptLog.info("scheduler started: " + s.carriers.parallelism() + " carriers (up to " + s.carriers.maxCarriers()
                + " while some are blocked), slice " + s.sliceNanos / 1000 + " us, deadline timer, " + (s.strict ? "strict" : "fair") + ", timer " + s.timer.name() + " (" + s.timer.probe().reason() + ")");
        return s;
    }

    /** The running scheduler, or null when preempt does not schedule virtual threads in this JVM. */
    public static PreemptScheduler active() {
        return active;
    }

    /** The profiler's recording, or null unless {@code profile=} or {@code trace=} asked for one. */
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
            key = strict ? -t.priority : t.vruntimeNanos.get();
        } else {
            if (observer.on()) {
                observer.arrived(t, timer.clockNanos());
            }
            key = strict ? -t.priority : arrivalKey(t);
        }
        queues.put(c, t, key, yielded);
        if (prioritiesDiffer && t.priority > Thread.MIN_PRIORITY) {
            wakeupPreempt(t);
        }
        sliceTimer.queued();
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
        Task t = new Task(thread, runContinuation, pending != null ? pending : priorityByName(thread.getName()), mapped);
        if (t.priority != Thread.NORM_PRIORITY) {
            prioritiesDiffer = true;
        }
        t.vruntimeNanos.set(floorVruntimeNanos);
        observer.created(t, timer.clockNanos());
        tasksByThread.put(thread, t);
        stats.threadsStarted.increment();
        return t;
    }

    private int priorityByName(String name) {
        for (int i = 0; i < priorityGlobs.length; i++) {
            if (priorityGlobs[i].matcher(name).matches()) {
                return priorityValues[i];
            }
        }
        return Thread.NORM_PRIORITY;
    }

    /** Records the app's {@code setPriority} for a virtual thread (the JDK ignores it for them). */
    public void setPriority(Thread thread, int priority) {
        if (priority != Thread.NORM_PRIORITY) {
            prioritiesDiffer = true;
        }
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

    /**
     * The fair key of a task that arrives (new, or woken): its virtual runtime, but no less than one slice
     * below the smallest live virtual runtime, so a sleeper gets a small bonus and never a hoard of credit.
     */
    private long arrivalKey(Task t) {
        long floor = liveFloor() - sliceNanos;
        long v = t.vruntimeNanos.get();
        if (v < floor) {
            t.vruntimeNanos.compareAndSet(v, floor);
            v = floor;
        }
        return v;
    }

    /**
     * The smallest virtual runtime among queued and running tasks, counting the running ones' time not
     * charged yet (as CFS's min_vruntime, monotonic). Without the running ones, a thread that ran alone for
     * a while (while the app was still creating its siblings) kept its whole lead over newcomers placed at
     * an old floor, and was starved until they caught up: measured 600 ms of starvation for the first of 6
     * hogs on one carrier.
     */
    private long liveFloor() {
        long now = timer.clockNanos();
        long m = queues.minKey();
        for (Carrier c : carriers.all()) {
            Task r = c.current;
            if (r != null) {
                long pending = Math.max(0, now - c.chargedUntilNanos);
                m = Math.min(m, r.vruntimeNanos.get() + pending * Weights.NORM / Weights.of(r.priority));
            }
        }
        long floor = floorVruntimeNanos;
        if (m != Long.MAX_VALUE && m > floor) {
            floorVruntimeNanos = floor = m; // racy but only ever moves up by a little; a floor, not a ledger
        }
        return floor;
    }

    /** A task of higher priority than a running one makes that carrier yield at its next poll. */
    private void wakeupPreempt(Task t) {
        Carrier lowest = null;
        for (Carrier c : carriers.all()) {
            Task running = c.current;
            if (running == null) {
                return; // an idle carrier will take it
            }
            if (c.blocked) {
                continue; // it cannot poll; the monitor keeps enough other carriers free
            }
            if (running.priority < t.priority && (lowest == null || running.priority < lowest.current.priority)) {
                lowest = c;
            }
        }
        if (lowest != null && !lowest.preemptRequested) {
            lowest.preemptRequested = true;
            stats.wakeupPreemptions.increment();
            request();
        }
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
            long key = t.queueKey; // ours now: written under the queue's lock, which the dequeue took after
            if (!strict && key > floorVruntimeNanos) {
                floorVruntimeNanos = key; // written by carriers only, monotonic enough for a floor
            }
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

    /**
     * The slice timer's work, at {@code now}: asks each carrier whose slice is over, while someone waits, to
     * yield at its next poll; lets the blocked-carrier monitor look; returns when to be woken next (the
     * earliest slice end or monitor look), or {@code Long.MAX_VALUE} when nobody waits.
     */
    private long onTimer(long now) {
        stats.ticks.increment();
        int waiting = queues.size();
        blockedMonitor.check(now, waiting);
        if (waiting == 0) {
            clearRequests();
            return Long.MAX_VALUE;
        }
        long minKey = strict ? queues.minKey() : 0;
        long next = Long.MAX_VALUE;
        boolean need = false;
        for (Carrier c : carriers.all()) {
            Task running = c.current;
            if (running == null || c.blocked) {
                c.preemptRequested = false;
                continue;
            }
            long deadline = c.sliceStartNanos + sliceNanos;
            if (deadline - now > SliceTimer.EARLY_NANOS) {
                next = Math.min(next, deadline);
            } else if (!strict || -minKey >= running.priority) {
                c.sliceExpired = true;
                c.preemptRequested = true;
            } else {
                next = Math.min(next, now + sliceNanos); // strict: only lower priorities wait; look again in a slice
            }
            need |= c.preemptRequested;
        }
        if (need) {
            request();
        } else {
            Safepoint.clear();
        }
        next = Math.min(next, blockedMonitor.nextCheckNanos(now));
        return next == Long.MAX_VALUE ? now + sliceNanos : next; // someone waits: never sleep for good
    }

    private void clearRequests() {
        for (Carrier c : carriers.all()) {
            c.preemptRequested = false;
        }
        settleFlag();
    }

    /**
     * The poll's slow path, run by the thread that polled: yields if the timer or a waking task asked this
     * carrier to. A yield that does not unmount (the thread is pinned: a native frame, a class initialiser)
     * is counted and not retried for a slice, so a pinned thread never spins on its polls.
     */
    public void onPoll() {
        stats.slowPolls.increment();
        Thread me = Thread.currentThread();
        Carrier c = me.isVirtual() ? carrierRunning(me) : null; // one intrinsic read, not a scan
        if (c == null || !c.preemptRequested) {
            settleFlag();
            return;
        }
        c.preemptRequested = false;
        boolean forSlice = c.sliceExpired;
        Task t = c.current;
        long now = timer.clockNanos();
        settleFlag();
        if (t.pinnedUntilNanos > now) {
            return;
        }
        long before = c.dispatches;
        long pastSlice = now - c.sliceStartNanos - sliceNanos;
        if (observer.on()) {
            if (forSlice) {
                observer.pollReached(c, t, pastSlice, lateNanos);
            } else {
                observer.pollReachedForWakeup(c);
            }
        }
        boolean jfr = JfrGate.open();
        if (jfr) {
            PreemptionEvent event = new PreemptionEvent();
            if (event.shouldCommit()) {
                // Committed before the yield, by the thread at its poll: the stack trace is the poll's site.
                event.reason = forSlice ? "slice" : "wakeup";
                event.pastSlice = forSlice ? Math.max(0, pastSlice) : 0;
                event.priority = t.priority;
                event.commit();
            }
        }
        Thread.yield();
        if (c.current == t && c.dispatches == before) {
            if (observer.on()) {
                observer.pinned(c, t);
            }
            if (jfr) {
                PinnedYieldEvent pinned = new PinnedYieldEvent();
                if (pinned.shouldCommit()) {
                    pinned.priority = t.priority;
                    pinned.commit();
                }
            }
            stats.pinnedYields.increment();
            t.pinnedUntilNanos = timer.clockNanos() + sliceNanos;
            PreemptLog.once(PreemptLog.Level.INFO, "pinned:" + t.thread.threadId(), "thread " + t
                    + " could not yield at a poll (pinned by a native frame or a class initialiser); retrying once per slice");
        } else {
            stats.preemptions.increment();
            if (forSlice) {
                stats.pastSliceNanos.recordNanos(pastSlice); // up to half a tick early counts as on time (0)
            }
        }
    }

    private Carrier carrierRunning(Thread vthread) {
        if (VirtualThreadHook.currentCarrier() instanceof Carrier c) {
            return c.current != null && c.current.thread == vthread ? c : null;
        }
        for (Carrier c : carriers.all()) { // the JDK's carrier accessor was not reachable: a scan
            Task t = c.current;
            if (t != null && t.thread == vthread) {
                return c;
            }
        }
        return null;
    }

    private void request() {
        if (!Safepoint.isRequested()) {
            stats.flagSets.increment();
        }
        Safepoint.request();
    }

    /**
     * Clears the poll flag unless a carrier still has a request. Clear first, then re-check: a request the
     * timer publishes meanwhile (it sets the carrier's field, then the flag) is seen by the re-check or
     * re-sets the flag after the clear, so no request is lost.
     */
    private void settleFlag() {
        Safepoint.clear();
        for (Carrier c : carriers.all()) {
            if (c.preemptRequested) {
                Safepoint.request();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "PreemptScheduler" + settings;
    }
}
