package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.runtime.telemetry.BlockedCarrierEvent;
import dev.preempt.runtime.telemetry.JfrGate;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Notices carriers held by a blocking call and keeps enough carriers free, as Go's {@code sysmon} does for
 * a thread stuck in a system call. Run from the scheduler's slice timer while anyone waits in a run queue
 * (the only time a held carrier costs anything), at each of its wake-ups.
 *
 * <p>When it looks. The timer wakes for a look of its own ({@link #nextCheckNanos}) only at a run that
 * is worth it: one that another carrier (between two of its runs) or a submitter saw last
 * {@link #CHECK_INTERVAL_NANOS} with its kernel thread asleep ({@link #askLook}), or one whose last look
 * found it suspect or blocked. Every other run is looked at only when the timer wakes anyway (a slice
 * end, an ask): a run that ends in microseconds costs nothing, and neither does a carrier the last look
 * found computing or runnable (waiting for a CPU on a loaded machine). Before, a look was armed 0.5 ms
 * into every run, and on a server nearly all of them found the run long over (2,254 of 2,509 timer
 * wake-ups in 3 s at 300 connections). A carrier that blocks while no other carrier dispatches and no
 * one submits is found from the timer's next slice end.
 *
 * <p>How "blocked" is told from "busy": a carrier whose current run started at least {@link #BOUND_NANOS}
 * ago and whose OS thread used less than a quarter of that wall time in CPU is held by something that
 * does not compute: a read of a pipe, a terminal or a device, a native call that waits, a pinned
 * {@code Object.wait} or monitor enter. A virtual thread cannot tell the scheduler that it blocks (the
 * JDK's {@code Blocker} only compensates its own ForkJoinPool, JDK 25), and no bytecode marks the call,
 * so the carrier's CPU clock is the one signal that covers every such call, JNI and FFM included. A
 * thread that computes without polls (long JDK loops) keeps its carrier's clock running and is not
 * mistaken for a blocked one: adding carriers for it would only oversubscribe the CPUs.
 *
 * <p>Low CPU alone also describes a busy carrier that the OS did not run (a loaded machine: measured here,
 * with two builds beside the app, 15 spares started for 20 CPU-bound workers). So on Linux the kernel is
 * asked too: the carrier's {@code /proc/self/task/TID/stat} state must be sleeping ({@code S}) or in
 * uninterruptible I/O ({@code D}); a runnable one ({@code R}) is busy, just not running now. Elsewhere
 * the CPU clock decides alone.
 *
 * <p>Low CPU and a sleeping kernel thread also describe a carrier stopped at a JVM safepoint (a GC pause
 * on a loaded machine: measured here, a thread map test with 100,000 sleepers got spares it did not
 * need). So the JVM is asked last: the carrier must be in native code ({@code ThreadInfo.isInNative}:
 * JNI, the JDK's own I/O, FFM downcalls) or waiting ({@code WAITING}, {@code TIMED_WAITING},
 * {@code BLOCKED}: a pinned {@code Object.wait}, a class initialiser another thread runs). A thread
 * stopped for a GC is in Java and {@code RUNNABLE}. A snapshot without a stack needs no safepoint.
 *
 * <p>All three must hold at {@link #SUSPECT_CHECKS} checks in a row, over at least {@link #BOUND_NANOS}.
 *
 * <p>A carrier is counted free again at the first look where one of the three no longer holds (its clock
 * runs again, more than half the wall time; the kernel has it runnable; the JVM has it in Java) or when its
 * run ends. Counted blocked, a carrier is never asked to yield, so while any is counted the timer keeps
 * looking at it even when nobody waits. A false positive (the OS descheduled a busy carrier for a whole window on a loaded machine) costs
 * one spare that leaves at its next switch once the count is right.
 *
 * <p>Cost: nothing while nobody waits; otherwise nothing for a run shorter than {@link #CHECK_INTERVAL_NANOS}
 * and, for a longer one, one {@code getThreadCpuTime} (a {@code clock_gettime} on the thread's CPU clock,
 * about a microsecond) at gaps that double while the carrier computes, up to {@link #MAX_GAP_NANOS}, and a
 * read of its {@code /proc} stat at its first look. The JVM is asked only about a carrier whose clock has
 * stalled.
 */
final class BlockedCarrierMonitor {
    /** A run this long with almost no CPU is a blocked call: far above a switch, far below a user's patience. */
    static final long BOUND_NANOS = 1_000_000L;
    static final long CHECK_INTERVAL_NANOS = 500_000L;
    /**
     * The longest gap between two clock reads of a carrier that computes: each busy sample doubles the gap
     * from {@link #CHECK_INTERVAL_NANOS} up to this, as Go's sysmon backs off, so a CPU-bound 10 ms run
     * costs five reads, not twenty; a call that blocks after a long computation is found within this gap
     * plus {@link #BOUND_NANOS} and the checks that confirm it.
     */
    static final long MAX_GAP_NANOS = 4_000_000L;
    /**
     * Consecutive checks that must all see the carrier blocked. Each signal alone has moments of truth on
     * a busy carrier (a thread descheduled on a loaded machine, a carrier waiting an instant on a JDK lock
     * while it unmounts); together, three times in a row, they have only been seen for real blocking calls.
     */
    static final int SUSPECT_CHECKS = 3;
    /** Frames of a blocked thread's stack kept in the JFR event and the log. */
    private static final int STACK_FRAMES = 24;

    private final CarrierSet carriers;
    private final SchedulerStats stats;
    private ThreadMXBean threads; // created at the first check: management classes load only if needed
    private boolean cpuClock;
    /** Written and read by the timer thread only. */
    private long lastCheckNanos;
    /** A carrier's {@code /proc} stat line (about 300 bytes; the name is at most 15); timer thread only. */
    private final byte[] statBuffer = new byte[Carrier.STAT_BUFFER_BYTES];

    BlockedCarrierMonitor(CarrierSet carriers, SchedulerStats stats) {
        this.carriers = carriers;
        this.stats = stats;
    }

    /**
     * Called by a carrier between two runs and by submitters that are not carriers, while someone waits:
     * whether some other carrier's run has lasted {@link #CHECK_INTERVAL_NANOS}, is neither watched nor
     * already asked about, and has its kernel thread asleep. If so, that run is marked as asked for
     * ({@link Carrier#lookAskedDispatches}) and the caller wakes the timer, whose next {@link #check} takes
     * the look. This is how a run's first look gets a wake-up: the timer arms none for a run on its own.
     *
     * <p>A submitter that is not a carrier allocates a buffer for the kernel's answer; it asks at most
     * once per interval for all of them, and only about a run that lasted.
     *
     * <p>Racy by design: {@code dispatches} is read first (acquire), then the slice start, which its
     * carrier stores before it; so the run's age is never overestimated. Two askers may both ask for the
     * same run: the cost is one spare wake-up.
     */
    boolean askLook(Carrier self, long nowNanos) {
        boolean asked = false;
        for (Carrier o : carriers.all()) {
            if (o == self || o.current == null || o.blocked) {
                continue;
            }
            long d = o.dispatches;
            if (o.lookAskedDispatches != d && o.watchedDispatches != d && nowNanos - o.sliceStartNanos >= CHECK_INTERVAL_NANOS
                    && o.sleepsInKernel(self != null ? self.statBuffer : new byte[Carrier.STAT_BUFFER_BYTES])) {
                // Asked only for a carrier the kernel has asleep: on a loaded machine most runs that last
                // are short ones whose carrier the OS descheduled (runnable), and each ask is a wake-up.
                o.lookAskedDispatches = d;
                asked = true;
            }
        }
        return asked;
    }

    /** One check, from the timer thread; {@code waiting} is the run queue's length now. */
    void check(long nowNanos, int waiting) {
        lastCheckNanos = nowNanos;
        if (waiting == 0 && carriers.blockedNow() == 0) {
            return; // nobody waits: a held carrier costs nothing now, and the slice timer sleeps until someone does
        }
        if (threads == null) {
            threads = ManagementFactory.getThreadMXBean();
            cpuClock = threads.isThreadCpuTimeSupported();
            if (cpuClock && !threads.isThreadCpuTimeEnabled()) {
                threads.setThreadCpuTimeEnabled(true);
            }
        }
        for (Carrier c : carriers.all()) {
            sample(c, nowNanos);
        }
        if (waiting > 0) {
            Carrier spare;
            do {
                spare = carriers.addSpareIfShort(); // one per carrier short of parallelism, up to the maximum
            } while (spare != null);
        }
    }

    /**
     * When the monitor wants its next look, for the slice timer, given {@code wake}: when the timer would
     * wake anyway (the next slice end; {@code Long.MAX_VALUE} if none). Only asked-for runs (now) and
     * watched ones (suspect or blocked: at their gap, {@link #CHECK_INTERVAL_NANOS} while suspect, backed
     * off while blocked) get a wake-up of their own; a watched look may come late by half its gap (at least
     * a quarter of {@link #CHECK_INTERVAL_NANOS}): a look that {@code wake} covers within that slack costs
     * no wake-up of its own. Never sooner than {@link #CHECK_INTERVAL_NANOS} after the last check. Returns
     * {@code wake} when no look needs an earlier one.
     *
     * <p>Why the slack: 8 CPU-bound threads on 2 carriers woke the timer about 1,750 times a second for
     * about 200 preemptions (looks at 0.5, 1, 1.5, 2.5, 4.5 and 8.5 ms into every 10 ms run of each carrier),
     * each wake-up a switch on a busy CPU.
     */
    long nextCheckNanos(long nowNanos, long wake) {
        long next = Long.MAX_VALUE;
        for (Carrier c : carriers.all()) {
            if (c.current == null) {
                continue;
            }
            long d = c.dispatches;
            boolean asked = c.lookAskedDispatches == d;
            if (!asked && c.watchedDispatches != d) {
                continue; // a run nobody asked about, or one last seen busy: its look rides on other wake-ups
            }
            boolean fresh = d != c.sampledDispatches;
            long due = asked ? (fresh ? c.sliceStartNanos + CHECK_INTERVAL_NANOS : nowNanos) : c.nextSampleNanos;
            long slack = Math.max(CHECK_INTERVAL_NANOS / 4, asked ? 0 : c.sampleGapNanos / 2);
            if (wake - (due + slack) <= 0) {
                continue; // the wake-up for a slice end comes soon enough: this look rides on it
            }
            next = Math.min(next, due);
        }
        return next == Long.MAX_VALUE ? wake : Math.min(wake, Math.max(next, lastCheckNanos + CHECK_INTERVAL_NANOS));
    }

    private void sample(Carrier c, long now) {
        Task t = c.current;
        long d = c.dispatches;
        boolean asked = t != null && c.lookAskedDispatches == d;
        if (t == null || d != c.sampledDispatches) {
            if (t != null && !asked && now + SliceTimer.EARLY_NANOS - (c.sliceStartNanos + CHECK_INTERVAL_NANOS) < 0) {
                return; // too young for a look: left unmarked, so no look is armed for it (most runs end in microseconds)
            }
            c.sampledDispatches = d; // a new run (or none): its first look reads the clock, the next compares
            c.sampledCpuNanos = -1;
            c.sampleGapNanos = CHECK_INTERVAL_NANOS;
            c.nextSampleNanos = now;
            c.suspectSinceNanos = 0;
            c.suspectChecks = 0;
            c.watchedDispatches = -1;
            if (t == null) {
                return;
            }
        } else if (!asked && now + SliceTimer.EARLY_NANOS - c.nextSampleNanos < 0) {
            // Not due, nor due within the timer's early margin: it wakes SliceTimer.EARLY_NANOS before what
            // it was asked for, and a look put off from there cost a second wake-up 0.5 ms later.
            return;
        }
        if (asked) {
            c.lookAskedDispatches = -1; // answered; an asker may ask again if this look finds the run busy
        }
        long cpu = cpuNanos(c);
        long wall = now - c.sampledAtNanos;
        long gap = CHECK_INTERVAL_NANOS;
        boolean watch = true; // whether the next look gets a wake-up of its own, or rides on others
        if (c.sampledCpuNanos < 0 || cpu < 0 || wall <= 0) {
            // The run's first look: its clock is read for the next look to compare. A carrier the kernel has
            // runnable is computing or waiting for a CPU, not blocked: its next look rides on other wake-ups.
            watch = c.blocked || c.sleepsInKernel(statBuffer);
        } else {
            long used = cpu - c.sampledCpuNanos;
            if (!c.blocked) {
                boolean idleClock = used * 4 < wall;
                boolean sleeps = idleClock && c.sleepsInKernel(statBuffer);
                if (sleeps && outOfJava(c, t)) {
                    if (c.suspectSinceNanos == 0) {
                        c.suspectSinceNanos = c.sampledAtNanos;
                    }
                    long heldNanos = now - c.suspectSinceNanos;
                    if (heldNanos >= BOUND_NANOS && ++c.suspectChecks >= SUSPECT_CHECKS && inContinuation(c) && carriers.markBlocked(c)) {
                        c.preemptRequested = false; // it cannot poll: a standing request would keep every poll slow
                        stats.blockedFoundAfterNanos.recordNanos(now - c.sliceStartNanos);
                        found(c, t, heldNanos);
                    }
                } else {
                    c.suspectSinceNanos = 0;
                    c.suspectChecks = 0;
                    if (used * 2 > wall || (idleClock && !sleeps)) {
                        // Computing, or runnable and waiting for a CPU (a loaded machine): look again later
                        // and later, and only when the timer wakes anyway or a carrier asks (it asks when
                        // the kernel has this one asleep). Without this every look at a descheduled busy
                        // carrier came 0.5 ms after the last (8 hogs on 2 carriers at load 10: the timer
                        // thread used 0.48 CPU-seconds in 3 s).
                        gap = Math.min(c.sampleGapNanos * 2, MAX_GAP_NANOS);
                        watch = false;
                    }
                }
            } else if (used * 2 > wall || !c.sleepsInKernel(statBuffer) || !outOfJava(c, t)) {
                // Counted free by the converse of what counted it blocked: its clock runs, or the kernel has it
                // runnable, or the JVM has it in Java. The clock alone kept a busy carrier counted blocked on a
                // loaded machine (a runnable thread that gets a quarter of a CPU never uses half the wall time),
                // and a counted carrier is never asked to yield: a DualPivotQuicksort hog, counted while it
                // linked a lambda at its start, then ran 453 ms past its slice at load 3 on 2 CPUs.
                carriers.markUnblocked(c);
                c.suspectSinceNanos = 0;
                c.suspectChecks = 0;
                watch = false;
            } else {
                // Still blocked: nothing to decide until its clock runs again or the run ends (which frees
                // it at once); looking every 0.5 ms cost a wake-up each.
                gap = Math.min(c.sampleGapNanos * 2, MAX_GAP_NANOS);
            }
        }
        c.sampledAtNanos = now;
        c.sampledCpuNanos = cpu;
        c.sampleGapNanos = gap;
        c.nextSampleNanos = now + gap;
        c.watchedDispatches = watch ? d : -1;
    }

    /**
     * Whether the carrier is inside the continuation it mounted, not in a switch of its own: after a
     * yield, the carrier's own frames resubmit the thread and may wait an instant for the run queue's
     * lock, which on a loaded machine (its holder descheduled) looked like a blocked call for milliseconds.
     * A carrier's stack stops at the mounted continuation, whose entry frame is then on top. Only asked
     * after the cheaper checks held {@link #SUSPECT_CHECKS} times: it needs a handshake with the carrier.
     */
    private static boolean inContinuation(Carrier c) {
        StackTraceElement[] frames = c.getStackTrace();
        return frames.length > 0 && frames[0].getClassName().equals("jdk.internal.vm.Continuation");
    }

    /** Whether the JVM has the carrier in native code or its thread waiting (not stopped for a GC). */
    private boolean outOfJava(Carrier c, Task t) {
        java.lang.management.ThreadInfo info = threads.getThreadInfo(c.threadId(), 0);
        if (info == null) {
            return false; // the carrier ended meanwhile
        }
        return info.isInNative() || waiting(info.getThreadState()) || waiting(t.thread.getState());
    }

    private static boolean waiting(Thread.State s) {
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    /** This thread's OS id on Linux ({@code /proc/thread-self} links to {@code PID/task/TID}), else -1. */
    static long currentOsTid() {
        try {
            Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Long.parseLong(link.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long cpuNanos(Carrier c) {
        return cpuClock ? threads.getThreadCpuTime(c.threadId()) : -1;
    }

    private void found(Carrier c, Task t, long wallNanos) {
        boolean jfr = JfrGate.open();
        boolean log = PreemptLog.enabled(PreemptLog.Level.INFO);
        if (!jfr && !log) {
            return;
        }
        String stack = stackOf(t.thread);
        if (jfr) {
            BlockedCarrierEvent e = new BlockedCarrierEvent();
            if (e.shouldCommit()) {
                e.carrier = c.getName();
                e.thread = t.toString();
                e.blockedNanos = wallNanos;
                e.carriers = carriers.all().length;
                e.stack = stack;
                e.commit();
            }
        }
        PreemptLog.once(PreemptLog.Level.INFO, "blocked:" + t.thread.threadId(), "thread " + t + " holds " + c.getName()
                + " in a blocking call (" + wallNanos / 1000 + " us without CPU); a spare carrier serves the others while it stays there:\n" + stack);
    }

    private static String stackOf(Thread t) {
        StackTraceElement[] frames = t.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(frames.length, STACK_FRAMES); i++) {
            sb.append("\tat ").append(frames[i]).append('\n');
        }
        if (frames.length > STACK_FRAMES) {
            sb.append("\t... ").append(frames.length - STACK_FRAMES).append(" more\n");
        }
        return sb.toString();
    }
}
