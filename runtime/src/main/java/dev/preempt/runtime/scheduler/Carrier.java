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
    /** Its {@code /proc/self/task/TID/stat}, opened at the first need and read again from the start; closed when the thread ends. Under {@link #kernelStatLock}. */
    private java.io.RandomAccessFile kernelStat;
    /** The monitor (timer thread) and other carriers asking for its looks read {@link #kernelStat}: one at a time. */
    private final Object kernelStatLock = new Object();
    /** Bytes enough for a {@code /proc} stat line (about 300; the name is at most 15). */
    static final int STAT_BUFFER_BYTES = 1024;
    /** This carrier's scratch for reading another carrier's stat line ({@link BlockedCarrierMonitor#askLook}); its thread only. */
    final byte[] statBuffer = new byte[STAT_BUFFER_BYTES];
    /**
     * The run ({@link #dispatches}) that another carrier or a submitter asked the blocked-carrier monitor to
     * look at ({@link BlockedCarrierMonitor#askLook}): it lasted 0.5 ms with the kernel's thread asleep.
     * Set to -1 by the monitor when it has looked.
     */
    volatile long lookAskedDispatches = -1;
    /** The run whose looks the monitor wakes the timer for itself (suspected or found blocked), or -1. Written by the timer. */
    volatile long watchedDispatches = -1;
    /** When this carrier next asks whether another's run needs the monitor's look; this carrier only. */
    long nextAskNanos;
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
            synchronized (kernelStatLock) {
                java.io.RandomAccessFile f = kernelStat;
                kernelStat = null;
                osTid = -1;
                if (f != null) {
                    try {
                        f.close();
                    } catch (java.io.IOException ignored) {
                        // nothing to do: the descriptor is gone either way
                    }
                }
            }
        }
    }

    /**
     * Whether the kernel has this carrier's thread sleeping ({@code S}) or in uninterruptible I/O
     * ({@code D}) rather than runnable ({@code R}); true where it cannot be asked (not Linux, or the thread
     * ended). Reads {@code /proc/self/task/TID/stat} into {@code buf}, the caller's scratch. The file stays
     * open and is read again from its start: one {@code lseek} and one {@code read}, no allocation (a
     * {@code Files.readAllBytes} per look opened, sized and read the file through NIO, and kept the JIT
     * compiling NIO for the first seconds of a loaded run).
     */
    boolean sleepsInKernel(byte[] buf) {
        synchronized (kernelStatLock) {
            long tid = osTid;
            if (tid < 0) {
                return true;
            }
            try {
                java.io.RandomAccessFile f = kernelStat;
                if (f == null) {
                    f = new java.io.RandomAccessFile("/proc/self/task/" + tid + "/stat", "r");
                    kernelStat = f;
                }
                f.seek(0);
                int n = 0, r;
                while (n < buf.length && (r = f.read(buf, n, buf.length - n)) > 0) {
                    n += r;
                }
                int close = -1; // the name in parentheses may hold anything; the state follows the last ')'
                for (int i = n - 1; i >= 0; i--) {
                    if (buf[i] == ')') {
                        close = i;
                        break;
                    }
                }
                return close < 0 || close + 2 >= n || buf[close + 2] != 'R';
            } catch (java.io.IOException | RuntimeException e) {
                return true;
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
