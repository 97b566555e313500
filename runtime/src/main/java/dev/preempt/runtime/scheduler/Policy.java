package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.timer.TimerBackend;

/**
 * What the two policies decide: a task's key in the run queues (smallest runs first) and its priority.
 *
 * <p>{@code fair} (default) runs the smallest priority-weighted virtual runtime first, as CFS and EEVDF do;
 * {@code strict} runs the highest priority first, round-robin within a priority (the key is minus the
 * priority, FIFO among equal keys). In both, a task that wakes with a higher priority than a running one
 * asks that carrier to yield at its next poll ({@link Preemption#wakeupPreempt}).
 *
 * <p>Why nobody starves under {@code fair}: a queued task's key is fixed while it waits, and every task
 * that runs is charged at least its run time divided by the largest weight (7.5x), then re-enters a queue
 * with a larger key; a newcomer enters no lower than the floor minus one slice. So within a bounded number
 * of slices every key ahead of a waiting task grows past it, and it runs. (Under {@code strict} a lower
 * priority does wait for as long as a higher one is runnable: that is what strict means.)
 *
 * <p>Across carriers: each carrier orders its own queue; {@link RunQueues#next} steals another carrier's
 * head when it is better than its own by more than {@link #balanceKey()} (one slice of virtual runtime
 * under fair, any higher priority under strict). So every dispatch runs a task within one slice of
 * virtual runtime of the smallest queued anywhere, as published when it looked: that is the bound on
 * cross-carrier unfairness (docs: the scheduler).
 */
final class Policy {
    private final boolean strict;
    private final long sliceNanos;
    private final TimerBackend clock;
    private final CarrierSet carriers;
    private final RunQueues queues;
    private final Glob[] priorityGlobs;
    private final int[] priorityValues;
    /**
     * Whether any thread ever had a priority other than 5: until one does, no wake-up can preempt a running
     * thread, and submissions skip the scan of the carriers for one of lower priority.
     */
    private volatile boolean prioritiesDiffer;
    /** The smallest virtual runtime worth giving a newcomer: newcomers and sleepers start just below it. */
    private volatile long floorVruntimeNanos;

    private static final java.lang.invoke.VarHandle FLOOR;

    static {
        try {
            FLOOR = java.lang.invoke.MethodHandles.lookup().findVarHandle(Policy.class, "floorVruntimeNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Policy(RuntimeSettings settings, TimerBackend clock, CarrierSet carriers, RunQueues queues) {
        this.strict = settings.strict();
        this.sliceNanos = settings.sliceNanos();
        this.clock = clock;
        this.carriers = carriers;
        this.queues = queues;
        this.priorityGlobs = settings.priorityRules().stream().map(r -> Glob.ofName(r.nameGlob())).toArray(Glob[]::new);
        this.priorityValues = settings.priorityRules().stream().mapToInt(RuntimeSettings.PriorityRule::priority).toArray();
    }

    /** How much better another carrier's head must be for a carrier to steal it (see the class comment). */
    static long balanceKey(RuntimeSettings settings) {
        return settings.strict() ? 0 : settings.sliceNanos();
    }

    boolean strict() {
        return strict;
    }

    /** A new task's starting virtual runtime: the floor, so it neither starves others nor waits behind them. */
    void started(Task t) {
        t.vruntimeNanos.set(floorVruntimeNanos);
        priorityChanged(t.priority);
    }

    /** A thread got priority {@code p} (by name, or by setPriority). */
    void priorityChanged(int p) {
        if (p != Thread.NORM_PRIORITY && !prioritiesDiffer) {
            prioritiesDiffer = true;
        }
    }

    /** Whether a wake-up of {@code t} may preempt a running thread of lower priority. */
    boolean mayPreemptOnWakeup(Task t) {
        return prioritiesDiffer && t.priority > Thread.MIN_PRIORITY;
    }

    /** The key of a task its own yield resubmits (charged already): its virtual runtime, or its priority. */
    long yieldKey(Task t) {
        return strict ? -t.priority : t.vruntimeNanos.get();
    }

    /** The key of a task that arrives from elsewhere: new, or woken. */
    long wakeKey(Task t) {
        return strict ? -t.priority : arrivalKey(t);
    }

    /** A carrier took a task with {@code key}: the fair floor follows the keys dispatched. */
    void dispatched(long key) {
        if (!strict && key > floorVruntimeNanos) {
            // A release store, not a volatile one (a fence per dispatch on x86): racy between carriers and
            // read racily, it is a floor, not a ledger; it only ever moves up by about a slice.
            FLOOR.setRelease(this, key);
        }
    }

    /**
     * The fair key of a task that arrives (new, or woken): its virtual runtime, but no less than one slice
     * below the smallest live virtual runtime, so a sleeper gets a small bonus and never a hoard of credit.
     */
    long arrivalKey(Task t) {
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
        long now = clock.clockNanos();
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

    int priorityByName(String name) {
        for (int i = 0; i < priorityGlobs.length; i++) {
            if (priorityGlobs[i].matches(name)) {
                return priorityValues[i];
            }
        }
        return Thread.NORM_PRIORITY;
    }
}
