package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.profile.Arrival;
import dev.preempt.runtime.profile.PollSite;
import dev.preempt.runtime.profile.Recorder;
import dev.preempt.runtime.profile.RunEnd;
import dev.preempt.runtime.telemetry.CarrierEvents;
import dev.preempt.runtime.telemetry.JfrGate;
import dev.preempt.runtime.telemetry.LateSafepointEvent;
import dev.preempt.runtime.telemetry.SliceEvent;
import dev.preempt.runtime.telemetry.WakeupLatencyEvent;

/**
 * The scheduler's switch path as the profiler ({@link Recorder}) and JFR see it: when a thread enters the
 * run queue and why, when a carrier starts and ends running it and how the run ended, and polls that yield.
 * Kept apart so that {@link PreemptScheduler} reads as policy.
 *
 * <p>Cost: the scheduler calls in only while {@link #on()}: a final field (the recorder exists only with
 * {@code profile=} or {@code trace=}) and JFR's initialised flag. Otherwise a switch pays those two reads.
 *
 * <p>Events the carrier measures are committed by {@link CarrierEvents}, not by the carrier: see there for
 * the JDK behaviour that loses them otherwise.
 *
 * <p>How the end of a slice is known: the carrier clears {@link Carrier#resubmitted} and
 * {@link Carrier#yieldingAtPoll} before it runs a continuation. A yield resubmits the thread from its own
 * carrier before the continuation returns ({@link #requeued}); a poll that yields marks the carrier first.
 * So when it returns: terminated, else resubmitted (preempted if marked, else yielded), else blocked.
 */
final class SwitchObserver {
    /** Fault injection for tests ({@code -Dpreempt_fault.recorder=oom}): the 20th slice recorded throws OOM. */
    private static final boolean INJECT_OOM = "oom".equals(System.getProperty("preempt_fault.recorder"));

    /** The profile's recorder for the report at exit, or null when no profile or trace is asked for. */
    private final Recorder profile;
    /** The recorder while recording: null when no profile is asked for, or once it ran out of memory. */
    private Recorder recorder;
    private int slicesSeen;

    /** @param recorder the profile's recorder, or null when no profile or trace is asked for (JFR only) */
    SwitchObserver(Recorder recorder) {
        this.profile = recorder;
        this.recorder = recorder;
    }

    Recorder recorder() {
        return profile;
    }

    /** Whether anyone listens now: the scheduler skips every other call when not. */
    boolean on() {
        return recorder != null || JfrGate.open();
    }

    /** A new task, at its first submission: registered with the recorder. */
    void created(Task t, long nowNanos) {
        Recorder r = recorder;
        if (r != null) {
            try {
                t.profile = r.threadStarted(t.thread, t.priority, nowNanos);
            } catch (OutOfMemoryError e) {
                stopRecording(r, e);
            }
        }
    }

    /**
     * The recorder allocates as threads and slices come (a thread's totals, a slice buffer's next chunk),
     * on carriers and in the threads' own polls: an OutOfMemoryError there must not kill a carrier or the
     * app's thread. Recording stops for good (what was recorded is still written at exit), once, loudly.
     */
    private void stopRecording(Recorder r, OutOfMemoryError e) {
        recorder = null;
        r.stop();
        PreemptLog.once(PreemptLog.Level.WARN, "recorder-oom", "profile recording stopped: out of memory (" + e.getMessage()
                + "); the report will hold what was recorded until now");
    }

    /** A task submitted from outside its carrier: new (its arrival is still NEW) or woken. */
    void arrived(Task t, long nowNanos) {
        t.enqueuedAtNanos = nowNanos;
    }

    /** The running task resubmitted itself from its own carrier: a yield, ours at a poll or the app's. */
    void requeued(Carrier c, Task t, long nowNanos) {
        c.resubmitted = true;
        t.arrival = c.yieldingAtPoll ? Arrival.PREEMPTED : Arrival.YIELDED;
        t.enqueuedAtNanos = nowNanos;
    }

    /** A carrier took {@code t} off the queue and is about to run it. */
    void dispatched(Carrier c, Task t, long nowNanos) {
        c.resubmitted = false;
        c.yieldingAtPoll = false;
        Arrival a = t.arrival;
        long queued = t.enqueuedAtNanos;
        c.arrival = a;
        c.queuedAtNanos = queued;
        t.arrival = Arrival.WOKEN; // what its next submission from outside its carrier will be
        t.enqueuedAtNanos = 0;
        if (JfrGate.open()) {
            if (a.isWakeUp() && queued != 0) {
                WakeupLatencyEvent w = new WakeupLatencyEvent();
                if (w.shouldCommit()) {
                    w.virtualThread = t.thread;
                    w.carrier = c.getName();
                    // Stamped and read on two CPUs: the clock (rdtsc, calibrated) may differ between them by
                    // a fraction of a microsecond (-220 ns seen once), and a latency is never negative.
                    w.latency = Math.max(0, nowNanos - queued);
                    w.priority = t.priority;
                    CarrierEvents.commitLater(w);
                }
            }
            SliceEvent s = new SliceEvent();
            if (s.isEnabled()) {
                s.begin();
                c.jfrSlice = s;
            }
        }
    }

    /** The continuation returned to carrier {@code c}: the slice that began at its dispatch is over. */
    void ended(Carrier c, Task t, long nowNanos, boolean terminated) {
        RunEnd end = terminated ? RunEnd.TERMINATED
                : c.resubmitted ? (c.yieldingAtPoll ? RunEnd.PREEMPTED : RunEnd.YIELDED) : RunEnd.BLOCKED;
        Recorder r = recorder;
        if (r != null) {
            try {
                if (INJECT_OOM && ++slicesSeen == 20) {
                    throw new OutOfMemoryError("injected: preempt_fault.recorder=oom");
                }
                r.slice(c.index, t.profile, t.priority, c.arrival, c.queuedAtNanos, c.sliceStartNanos, nowNanos, end);
            } catch (OutOfMemoryError e) {
                stopRecording(r, e);
            }
        }
        Object pending = c.jfrSlice;
        if (pending != null) {
            c.jfrSlice = null;
            SliceEvent s = (SliceEvent) pending;
            s.end();
            if (s.shouldCommit()) {
                s.virtualThread = t.thread;
                s.carrier = c.getName();
                s.priority = t.priority;
                s.arrival = c.arrival.name();
                s.end = end.name();
                CarrierEvents.commitLater(s);
            }
        }
    }

    /**
     * A poll about to yield for the end of {@code t}'s slice, {@code pastSliceNanos} after it, run by
     * {@code t} itself on carrier {@code c}: a late one is recorded with its site, and as a JFR event whose
     * stack trace is the poll's.
     */
    void pollReached(Carrier c, Task t, long pastSliceNanos, long lateNanos) {
        c.yieldingAtPoll = true;
        boolean late = pastSliceNanos > lateNanos;
        LateSafepointEvent e = null;
        if (late && JfrGate.open()) {
            e = new LateSafepointEvent();
            if (!e.shouldCommit()) {
                e = null;
            }
        }
        Recorder r = recorder;
        String site = null;
        try {
            site = late && (r != null || e != null) ? PollSite.ofCaller() : null;
            if (r != null) {
                r.pollReached(c.index, Math.max(0, pastSliceNanos), site);
            }
        } catch (OutOfMemoryError oom) {
            if (r != null) {
                stopRecording(r, oom);
            }
        }
        if (e != null) {
            e.pastSlice = pastSliceNanos;
            e.site = site;
            e.priority = t.priority;
            e.commit();
        }
    }

    /** A poll that yielded for a wake-up preemption (not the slice's end): marks the carrier only. */
    void pollReachedForWakeup(Carrier c) {
        c.yieldingAtPoll = true;
    }

    /** The yield at a poll did not unmount (pinned): the slice goes on, so it is not a preemption. */
    void pinned(Carrier c, Task t) {
        c.yieldingAtPoll = false;
        Recorder r = recorder;
        if (r != null) {
            r.pinnedYield(t.profile);
        }
    }
}
