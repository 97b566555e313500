package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.safepoint.JdkPollGuard;
import dev.preempt.runtime.safepoint.Safepoint;
import dev.preempt.runtime.telemetry.JfrGate;
import dev.preempt.runtime.telemetry.PinnedYieldEvent;
import dev.preempt.runtime.telemetry.PreemptionEvent;
import dev.preempt.timer.TimerBackend;

/**
 * How a running thread is made to yield: the slice timer's work ({@link #onTimer}: a carrier whose slice
 * is over while someone waits gets a request), a waking thread of higher priority ({@link #wakeupPreempt}),
 * and the poll's slow path ({@link #onPoll}), which the poll reaches through the hook {@link Safepoint}
 * was given at start.
 *
 * <p>A request is two writes: the carrier's {@link Carrier#preemptRequested}, then the global poll flag
 * ({@link Safepoint#request}). Polls of every thread then take the slow path; the one on the asked
 * carrier yields, the others clear the flag unless some carrier still has a request ({@link #settleFlag}).
 */
final class Preemption {
    private final TimerBackend timer;
    private final CarrierSet carriers;
    private final RunQueues queues;
    private final BlockedCarrierMonitor blockedMonitor;
    private final SchedulerStats stats;
    private final SwitchObserver observer;
    private final long sliceNanos;
    private final boolean strict;
    /** A poll later than this past its slice's end is late (the profiler's late-safepoint threshold). */
    static final long LATE_NANOS = 200_000L;

    Preemption(TimerBackend timer, CarrierSet carriers, RunQueues queues, BlockedCarrierMonitor blockedMonitor,
            SchedulerStats stats, SwitchObserver observer, long sliceNanos, boolean strict) {
        this.timer = timer;
        this.carriers = carriers;
        this.queues = queues;
        this.blockedMonitor = blockedMonitor;
        this.stats = stats;
        this.observer = observer;
        this.sliceNanos = sliceNanos;
        this.strict = strict;
    }

    /** A task of higher priority than a running one makes that carrier yield at its next poll. */
    void wakeupPreempt(Task t) {
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

    /**
     * The slice timer's work, at {@code now}: asks each carrier whose slice is over, while someone waits, to
     * yield at its next poll; lets the blocked-carrier monitor look; returns when to be woken next (the
     * earliest slice end or monitor look), or {@code Long.MAX_VALUE} when nobody waits.
     */
    long onTimer(long now) {
        stats.ticks.increment();
        int waiting = queues.size();
        blockedMonitor.check(now, waiting);
        if (waiting == 0) {
            clearRequests();
            return nextSliceEnd(now);
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
        next = blockedMonitor.nextCheckNanos(now, next);
        return next == Long.MAX_VALUE ? now + sliceNanos : next; // someone waits: never sleep for good
    }

    /**
     * With nobody waiting: the earliest slice end still to come, or {@code Long.MAX_VALUE} when no running
     * slice ends later than now. The timer sleeps until then rather than for good, so that while carriers
     * keep starting slices (a server's requests) an enqueue never has to wake it: measured on ServerBench
     * at 1,000 connections, waking the timer at every empty-to-queued transition cost 1.43x the stock CPU
     * per request. It sleeps for good only when no slice is left to end (idle, or a lone thread past its
     * slice), and then the next enqueue wakes it.
     */
    private long nextSliceEnd(long now) {
        long next = Long.MAX_VALUE;
        for (Carrier c : carriers.all()) {
            if (c.current != null && !c.blocked) {
                long deadline = c.sliceStartNanos + sliceNanos;
                if (deadline - now > SliceTimer.EARLY_NANOS) {
                    next = Math.min(next, deadline);
                }
            }
        }
        return next;
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
        onPoll(false);
    }

    /**
     * The slow path of a poll in the JDK's own code (jdk.polls=on): as {@link #onPoll()}, but the thread
     * yields only where {@link JdkPollGuard} allows. The request is taken before the guard walks the stack,
     * so polls in the JDK code the walk runs find none and return. A refusal drops this slice's request: the
     * timer asks again a slice later.
     */
    public void onJdkPoll() {
        Carrier c = carrierRunning(Thread.currentThread());
        if (c != null && c.preemptRequested) {
            onPoll(true);
        }
        // Not asked: return without settling the flag. A JDK loop polls far more often than app code (a
        // partition step per poll), and a hog whose neighbour was asked would otherwise clear and re-set the
        // global flag at each of its polls until that neighbour yields.
    }

    private void onPoll(boolean inJdk) {
        Thread me = Thread.currentThread();
        Carrier c = me.isVirtual() ? carrierRunning(me) : null; // one intrinsic read, not a scan
        if (c == null || !c.preemptRequested) {
            // Not asked: the flag is up for another carrier, whose thread may be off its CPU for milliseconds
            // on a loaded machine while this one polls on. Counted in a plain field of the carrier (only the
            // thread it runs writes it) rather than a shared atomic, and the flag is left alone: this path
            // runs millions of times a second then (8 hogs on 2 carriers at load 11: 4.7 million in 3 s).
            if (c != null) {
                c.slowPolls++;
            } else {
                stats.slowPolls.increment();
            }
            settleFlag();
            return;
        }
        stats.slowPolls.increment();
        c.preemptRequested = false;
        boolean forSlice = c.sliceExpired;
        Task t = c.current;
        long now = timer.clockNanos();
        settleFlag();
        if (t.pinnedUntilNanos > now) {
            return;
        }
        if (inJdk) {
            String refusal = JdkPollGuard.refusal();
            if (refusal != null) {
                stats.jdkPollsRefused.increment();
                if (PreemptLog.enabled(PreemptLog.Level.DEBUG)) {
                    PreemptLog.once(PreemptLog.Level.DEBUG, "jdk-poll-refused:" + refusal, "a poll in JDK code did not yield: " + refusal + " on the stack");
                }
                return;
            }
        }
        long before = c.dispatches;
        long pastSlice = now - c.sliceStartNanos - sliceNanos;
        if (observer.on()) {
            if (forSlice) {
                observer.pollReached(c, t, pastSlice, LATE_NANOS);
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
                stats.pastSliceNanos.recordNanos(pastSlice); // up to SliceTimer.EARLY_NANOS early counts as on time (0)
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
        if (anyRequested()) {
            // Someone still has to yield: leave the flag as it is. The other carriers' polls come here over
            // and over until the asked one polls, and on a loaded machine that carrier may be off its CPU for
            // milliseconds: clearing and setting the flag each time made them write the flag's cache line
            // at every poll (8 hogs on 2 carriers at load 6-10: 1.3-1.9 million slow polls in 3 s).
            return;
        }
        Safepoint.clear();
        if (anyRequested()) {
            Safepoint.request();
        }
    }

    private boolean anyRequested() {
        for (Carrier c : carriers.all()) {
            if (c.preemptRequested) {
                return true;
            }
        }
        return false;
    }
}
