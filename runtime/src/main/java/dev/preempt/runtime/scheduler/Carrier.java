package dev.preempt.runtime.scheduler;

/**
 * A carrier: a daemon platform thread that runs virtual threads' continuations taken from the run queue.
 * Its fields are written by the carrier itself and read by the timer and by polls on other carriers,
 * hence volatile. A spare ({@link CarrierSet}) is one started while another carrier was blocked in a call;
 * it leaves between two runs once it is no longer needed.
 */
final class Carrier extends Thread {
    /** What the carrier does: the scheduler's carrier loop (a test's own in the queue tests). */
    private final java.util.function.Consumer<Carrier> loop;
    final int index;
    /** Started to stand in for a blocked carrier; leaves when surplus. Base carriers never leave. */
    final boolean spare;
    /** Counted out by {@link BlockedCarrierMonitor}: held by a blocking call. Changed under {@link CarrierSet}'s lock. */
    volatile boolean blocked;
    /** Set when a parked, retired spare is taken back into the set ({@link CarrierSet#awaitReuse}). */
    volatile boolean reused;
    /** Its run queue: what it yields and what the threads it runs wake ({@link RunQueues}). */
    final RunQueue local = new RunQueue();
    /** Scratch for moving half a queue at once (steal, spill, drain): this carrier's thread only. */
    final Task[] stealBuffer = new Task[RunQueues.LOCAL_CAPACITY / 2];
    /** Announced idle: parked or about to park ({@link RunQueues#idle}); cleared by CAS by whoever wakes it. */
    volatile boolean parked;
    /** The task running now, or null between tasks. */
    volatile Task current;
    /** When the current task was dispatched: its slice started then. */
    volatile long sliceStartNanos;
    /** Up to when the current task's CPU time is charged; read by other threads to estimate live runtime. */
    volatile long chargedUntilNanos;
    /** Incremented at each dispatch: a poll that yields and finds it unchanged was pinned, not switched. */
    volatile long dispatches;
    /** Polls on this carrier that took the slow path while another carrier was asked (plain: only the thread running here writes it; read racily for the counters). */
    long slowPolls;
    /** Set by the timer (slice over and someone waiting) or by a waking higher-priority task; cleared by the poll. */
    volatile boolean preemptRequested;
    /** Whether the pending request is for the end of the slice (else a waking higher-priority thread). */
    volatile boolean sliceExpired;

    // Observation only (SwitchObserver): written while profiling or JFR is on, by this carrier and by the
    // virtual thread running on it, never by two threads at once. Plain fields: the virtual thread's writes
    // precede its unmount, which publishes VirtualThread.state with a volatile write that the carrier reads
    // before it resubmits the thread or returns from the continuation (JDK 25), so the carrier sees them.
    /** The running task resubmitted itself from this carrier (a yield) during the current run. */
    boolean resubmitted;
    /** A poll on this carrier is yielding for preempt (not the app's own yield). */
    boolean yieldingAtPoll;
    /** Why and since when the current task was queued before this run. */
    dev.preempt.runtime.profile.Arrival arrival;
    long queuedAtNanos;
    /** The JFR slice event begun at dispatch, or null; typed Object so that no JFR class loads with Carrier. */
    Object jfrSlice;

    /** The OS thread id (Linux: from /proc/thread-self), or -1: lets the monitor ask the kernel whether it sleeps. */
    volatile long osTid = -1;
    /** Its {@code /proc/self/task/TID/stat}, opened by the monitor at its first need and read again from the start; closed when the thread ends. */
    volatile java.io.RandomAccessFile kernelStat;
    // BlockedCarrierMonitor's last sample of this carrier; timer thread only.
    long sampledDispatches = -1;
    long sampledAtNanos;
    long sampledCpuNanos = -1;
    /** When the monitor reads this carrier's clock next, and the gap it waits after a busy reading. */
    long nextSampleNanos;
    long sampleGapNanos;
    /** Since when (the sample before) every check saw this carrier blocked, or 0; and how many checks did. */
    long suspectSinceNanos;
    int suspectChecks;

    private static final java.lang.invoke.VarHandle SLICE_START, CHARGED_UNTIL, PREEMPT_REQUESTED, SLICE_EXPIRED, DISPATCHES, CURRENT;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            SLICE_START = l.findVarHandle(Carrier.class, "sliceStartNanos", long.class);
            CHARGED_UNTIL = l.findVarHandle(Carrier.class, "chargedUntilNanos", long.class);
            PREEMPT_REQUESTED = l.findVarHandle(Carrier.class, "preemptRequested", boolean.class);
            SLICE_EXPIRED = l.findVarHandle(Carrier.class, "sliceExpired", boolean.class);
            DISPATCHES = l.findVarHandle(Carrier.class, "dispatches", long.class);
            CURRENT = l.findVarHandle(Carrier.class, "current", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Carrier(java.util.function.Consumer<Carrier> loop, int index, boolean spare) {
        super(null, null, nameOf(index), 0, false);
        this.loop = loop;
        this.index = index;
        this.spare = spare;
        setDaemon(true);
    }

    static String nameOf(int index) {
        return "preempt-carrier-" + index;
    }

    @Override
    public void run() {
        osTid = BlockedCarrierMonitor.currentOsTid();
        try {
            loop.accept(this);
        } finally {
            java.io.RandomAccessFile f = kernelStat;
            kernelStat = null;
            if (f != null) {
                try {
                    f.close();
                } catch (java.io.IOException ignored) {
                    // nothing to do: the descriptor is gone either way
                }
            }
        }
    }

    /**
     * A run of {@code t} starts. Release stores, not volatile ones: on x86 a volatile store is a store and
     * a full fence, and these six cost tens of nanoseconds per switch; a release store is a plain store
     * there (AArch64: {@code stlr}). Nothing here needs a store ordered before a later load. Readers on
     * other threads (the slice timer, the monitor, polls) read {@code current} first, with a volatile
     * (acquire) load, and the slice's fields after it: {@code current} is stored last, so whoever sees the
     * new task sees its slice start, charge mark and cleared request with it.
     */
    void begin(Task t, long now) {
        SLICE_START.setRelease(this, now);
        CHARGED_UNTIL.setRelease(this, now);
        PREEMPT_REQUESTED.setRelease(this, false);
        SLICE_EXPIRED.setRelease(this, false);
        DISPATCHES.setRelease(this, dispatches + 1); // this carrier is the only writer
        CURRENT.setRelease(this, t);
    }

    /** Charges the current task for the CPU it used since the last charge. Called on this carrier only. */
    void chargeCurrent(long now) {
        Task t = current;
        if (t != null && now > chargedUntilNanos) {
            t.charge(now - chargedUntilNanos);
            CHARGED_UNTIL.setRelease(this, now); // only this carrier writes it; readers estimate from it
        }
    }

    void end() {
        CURRENT.setRelease(this, null); // after the run's charges: a reader that sees null sees them done
    }
}
