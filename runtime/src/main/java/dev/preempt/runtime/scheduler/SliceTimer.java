package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;

/**
 * The deadline timer: one daemon platform thread that sleeps until the next moment the scheduler may have
 * something to do (the earliest end of a running thread's slice, or the blocked-carrier monitor's next
 * look while someone waits), does it, and sleeps again. When no slice is left to end it sleeps with no
 * deadline at all, and the next enqueue wakes it ({@link #queued}). A fixed tick woke ten times per slice while threads
 * competed, and every wake-up was a context switch on a busy core (a 1 ms tick cost 12% of the hogs'
 * throughput on 2 cores); this wakes about once per preemption.
 *
 * <p>It sleeps with {@code LockSupport.parkNanos} (a futex wait on Linux, woken by a high-resolution
 * timer within the thread's timer slack, 50 us by default), and wakes {@link #EARLY_NANOS} before the
 * deadline so that the request is set by the time the slice ends. With the native backend its thread runs
 * at nice -10 ({@link dev.preempt.timer.TimerBackend#raiseTimerThreadPriority}).
 *
 * <p>No lost wake-up while it sleeps without a deadline: it announces {@link #sleeping} (volatile) and then
 * asks whether anyone waits; a submitter enqueues (a volatile write) and then reads {@link #sleeping}.
 * As with the carriers ({@link RunQueues}), one of the two sees the other.
 */
final class SliceTimer {
    /** How long before a slice's end the timer wakes and counts it as over: covers the wake-up's own delay. */
    static final long EARLY_NANOS = 50_000L;
    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(SliceTimer.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    /** Parked with no deadline; cleared by CAS by whoever unparks it (so one enqueue, one unpark). */
    private volatile boolean sleeping;
    /** When it wakes next ({@code Long.MAX_VALUE} while awake or asleep without a deadline): for {@link #lookSoon}. */
    private volatile long wakeAtNanos = Long.MAX_VALUE;

    /**
     * @param onWake given the clock now, does what is due and returns the next time it wants to be woken,
     *        or {@code Long.MAX_VALUE} when no slice is left to end and nobody waits
     * @param anyoneWaiting the re-check after announcing a deadline-less sleep
     */
    SliceTimer(dev.preempt.timer.TimerBackend clock, LongUnaryOperator onWake, java.util.function.BooleanSupplier anyoneWaiting) {
        this.thread = Thread.ofPlatform().daemon().name("preempt-slice-timer").unstarted(() -> loop(clock, onWake, anyoneWaiting));
    }

    void start() {
        thread.start();
    }

    private void loop(dev.preempt.timer.TimerBackend clock, LongUnaryOperator onWake, java.util.function.BooleanSupplier anyoneWaiting) {
        // On a loaded machine a timer thread at the default priority waited behind the busy carriers and
        // builds: expiry-to-poll p99 of 369 ms at slice=5ms (2 hogs, 1 carrier, load average 10), against
        // tens of ms for the niced native ticker it replaces. Nice -10, as that ticker had (timer=native only).
        clock.raiseTimerThreadPriority();
        while (true) {
            try {
                wakeAtNanos = Long.MAX_VALUE; // awake: a lookSoon now unparks, and its permit makes the next park return
                long now = clock.clockNanos();
                long next = onWake.applyAsLong(now);
                if (next != Long.MAX_VALUE) {
                    long sleep = next - EARLY_NANOS - now;
                    if (sleep > 0) {
                        wakeAtNanos = next - EARLY_NANOS;
                        LockSupport.parkNanos(this, sleep);
                    }
                    continue;
                }
                sleeping = true; // announce, then re-check: the timer's half of the handshake
                if (!anyoneWaiting.getAsBoolean()) {
                    LockSupport.park(this);
                }
                SLEEPING.compareAndSet(this, true, false);
            } catch (Throwable t) {
                // The timer must outlive anything a hook or a listener throws: without it nobody is preempted.
                PreemptLog.once(PreemptLog.Level.ERROR, "slice-timer", "the slice timer caught " + t + "; it goes on");
                LockSupport.parkNanos(this, 1_000_000L);
            }
        }
    }

    /**
     * The blocked-carrier monitor has a look to take now ({@link BlockedCarrierMonitor#askLook}): wakes the
     * timer unless it wakes within {@code BlockedCarrierMonitor.CHECK_INTERVAL_NANOS / 2} anyway.
     */
    void lookSoon(long nowNanos) {
        if (wakeAtNanos - nowNanos > BlockedCarrierMonitor.CHECK_INTERVAL_NANOS / 2) {
            LockSupport.unpark(thread);
        }
    }

    /** Something was enqueued: wakes the timer if it sleeps without a deadline. One volatile read otherwise. */
    void queued() {
        if (sleeping && SLEEPING.compareAndSet(this, true, false)) {
            LockSupport.unpark(thread);
        }
    }
}
