package dev.preempt.runtime.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The concurrency profiler's recording: what every scheduled thread and every carrier did, from the
 * scheduler's switch path, for the HTML report ({@code profile=}) and the trace ({@code trace=}).
 *
 * <p>It exists only when one of those is asked for: the scheduler holds it in a final field that is null
 * otherwise, so without them a switch pays one null check. With them, a switch appends one slice to its
 * carrier's {@link SliceBuffer} (single writer, no lock) and bumps a few uncontended counters.
 *
 * <p>Thread lifecycle as recorded: {@link #threadStarted} at the first submission, then one slice per run,
 * then {@link ThreadProfile#ended} when the carrier sees it terminated.
 */
public final class Recorder implements Recording {
    private final LongSupplier clockNanos;
    private final long startNanos;
    private final long startEpochMillis;
    private final long sliceNanos;
    private final long lateNanos;
    /** By carrier index; grows (copy-on-write) when a spare carrier takes an index never used before. */
    private volatile CarrierProfile[] carriers;
    /**
     * Threads recorded, in registration order; appended under its own lock (once per thread, at its first
     * run), copied under it by a snapshot. A copy-on-write list cost a copy of every earlier entry per new
     * thread: quadratic for a server that starts a thread per request.
     */
    private final List<ThreadProfile> threads = new ArrayList<>();
    /** Threads kept ({@code profile.threads}); later ones are counted, not recorded. */
    private final int maxThreads;
    /** Slices kept for the timeline and trace, all carriers together ({@code profile.slices}). */
    private final SliceBuffer.Budget sliceBudget;
    private final AtomicInteger nextThread = new AtomicInteger();
    private final LongAdder droppedThreads = new LongAdder();
    private final PollSites pollSites = new PollSites();
    private volatile boolean stopped;

    /**
     * @param clockNanos   the scheduler's clock: every time given to this recorder is read from it
     * @param carrierNames one per carrier, by index
     * @param sliceNanos   the time slice
     * @param lateNanos    a poll this far past its slice's end is late and has its site recorded
     * @param maxThreads   threads recorded; later ones are counted only ({@code profile.threads})
     * @param maxSlices    run slices kept, all carriers together; later ones are counted only ({@code profile.slices})
     */
    public Recorder(LongSupplier clockNanos, List<String> carrierNames, long sliceNanos, long lateNanos, int maxThreads, int maxSlices) {
        this.clockNanos = clockNanos;
        this.maxThreads = maxThreads;
        this.sliceBudget = new SliceBuffer.Budget(maxSlices);
        this.startNanos = clockNanos.getAsLong();
        this.startEpochMillis = System.currentTimeMillis();
        this.sliceNanos = sliceNanos;
        this.lateNanos = lateNanos;
        this.carriers = new CarrierProfile[carrierNames.size()];
        for (int i = 0; i < carriers.length; i++) {
            carriers[i] = new CarrierProfile(i, carrierNames.get(i), sliceBudget);
        }
    }

    /**
     * A carrier with {@code index} started (a spare, standing in for a blocked one): gives it a slot unless
     * an earlier spare had that index, whose slot it continues. Spares take the lowest free index, so the
     * slots are bounded by the most carriers that ever ran at once.
     */
    public synchronized void carrierJoined(int index, String name) {
        CarrierProfile[] cur = carriers;
        if (index < cur.length) {
            return;
        }
        CarrierProfile[] next = java.util.Arrays.copyOf(cur, index + 1);
        for (int i = cur.length; i <= index; i++) {
            next[i] = new CarrierProfile(i, i == index ? name : "preempt-carrier-" + i, sliceBudget);
        }
        carriers = next; // published before the carrier's first run, which the carrier's start() orders
    }

    /** A poll this many nanoseconds past its slice's end is late: its site is worth walking the stack for. */
    public long lateNanos() {
        return lateNanos;
    }

    @Override
    public void stop() {
        stopped = true;
    }

    /** A thread's first submission; null when stopped or when the registry is full (then counted). */
    public ThreadProfile threadStarted(Thread thread, int priority, long nowNanos) {
        if (stopped) {
            return null;
        }
        int index = nextThread.getAndIncrement();
        if (index >= maxThreads) {
            droppedThreads.increment();
            return null;
        }
        ThreadProfile p = new ThreadProfile(index, thread, priority, nowNanos);
        synchronized (threads) {
            threads.add(p);
        }
        return p;
    }

    /**
     * One run slice, from its carrier when the continuation returned.
     *
     * @param queuedNanos when the thread entered the run queue before this slice, 0 if unknown
     */
    public void slice(int carrier, ThreadProfile thread, int priority, Arrival arrival, long queuedNanos,
                      long startNanos, long endNanos, RunEnd end) {
        if (stopped || thread == null) {
            return;
        }
        CarrierProfile c = carriers[carrier];
        long ran = Math.max(0, endNanos - startNanos);
        c.slices.add(startNanos, endNanos, queuedNanos, thread.index, priority, arrival, end);
        c.ran(priority, ran);
        if (queuedNanos != 0) {
            (arrival.isWakeUp() ? c.wakeupDelayNanos : c.requeueDelayNanos).recordNanosSingleWriter(startNanos - queuedNanos);
        }
        if (thread.priority() != priority) {
            thread.priority(priority);
        }
        thread.add(ThreadProfile.Counter.CPU_NANOS, ran);
        if (arrival == Arrival.WOKEN) {
            thread.add(ThreadProfile.Counter.WAKEUPS, 1);
        }
        switch (end) {
            case PREEMPTED -> thread.add(ThreadProfile.Counter.PREEMPTIONS, 1);
            case YIELDED -> thread.add(ThreadProfile.Counter.YIELDS, 1);
            case BLOCKED -> thread.add(ThreadProfile.Counter.BLOCKS, 1);
            case TERMINATED -> {
                thread.add(ThreadProfile.Counter.TERMINATED, 1);
                thread.ended(endNanos);
            }
        }
    }

    /**
     * A slice preemption's time-to-safepoint, from the preempted thread at its poll on {@code carrier},
     * before it yields. {@code site} is the poll's site when the poll was late (else null).
     */
    public void pollReached(int carrier, long pastSliceNanos, String site) {
        if (stopped) {
            return;
        }
        // Single writer: the thread polling on this carrier, serialised with the carrier itself by mount and unmount.
        carriers[carrier].pastSliceNanos.recordNanosSingleWriter(pastSliceNanos);
        if (site != null) {
            pollSites.record(site, pastSliceNanos);
        }
    }

    /** A yield at a poll that could not unmount. */
    public void pinnedYield(ThreadProfile thread) {
        if (!stopped && thread != null) {
            thread.add(ThreadProfile.Counter.PINNED_YIELDS, 1);
        }
    }

    /** Wake-up (or start) to run, all carriers merged: for live monitoring. */
    public LatencyHistogram wakeupDelay() {
        LatencyHistogram h = new LatencyHistogram();
        for (CarrierProfile c : carriers) {
            h.add(c.wakeupDelayNanos);
        }
        return h;
    }

    @Override
    public ProfileSnapshot snapshot() {
        long now = clockNanos.getAsLong();
        List<ProfileSnapshot.ThreadRow> threadRows = new ArrayList<>();
        List<ThreadProfile> recorded;
        synchronized (threads) {
            recorded = new ArrayList<>(threads);
        }
        for (ThreadProfile t : recorded) {
            long ended = t.endedNanos();
            threadRows.add(new ProfileSnapshot.ThreadRow(t.index, t.threadId, t.name(), t.priority(),
                    t.createdNanos - startNanos, ended < 0 ? -1 : ended - startNanos,
                    t.get(ThreadProfile.Counter.CPU_NANOS), t.slices(),
                    t.get(ThreadProfile.Counter.PREEMPTIONS), t.get(ThreadProfile.Counter.YIELDS),
                    t.get(ThreadProfile.Counter.BLOCKS), t.get(ThreadProfile.Counter.WAKEUPS),
                    t.get(ThreadProfile.Counter.PINNED_YIELDS)));
        }
        // The list is in registration order, which is index order only up to racing registrations.
        threadRows.sort(Comparator.comparingInt(ProfileSnapshot.ThreadRow::index));
        List<ProfileSnapshot.CarrierRow> carrierRows = new ArrayList<>();
        List<ProfileSnapshot.Slice> slices = new ArrayList<>();
        LatencyHistogram wakeup = new LatencyHistogram();
        LatencyHistogram requeue = new LatencyHistogram();
        LatencyHistogram past = new LatencyHistogram();
        long[] byPriority = new long[11];
        long dropped = 0;
        boolean[] present = new boolean[threadRows.isEmpty() ? 0 : threadRows.get(threadRows.size() - 1).index() + 1];
        threadRows.forEach(r -> present[r.index()] = true);
        for (CarrierProfile c : carriers) {
            int n = c.slices.size();
            for (int i = 0; i < n; i++) {
                SliceBuffer.Entry e = c.slices.get(i);
                if (e.thread() < present.length && present[e.thread()]) { // else registered after the list was read
                    slices.add(new ProfileSnapshot.Slice(c.index, e.thread(), e.startNanos() - startNanos,
                            e.endNanos() - startNanos, e.queuedNanos() == 0 ? -1 : e.queuedNanos() - startNanos,
                            e.priority(), e.arrival(), e.end()));
                }
            }
            carrierRows.add(new ProfileSnapshot.CarrierRow(c.index, c.name, c.busyNanos(), c.sliceCount(), c.slices.dropped()));
            dropped += c.slices.dropped();
            wakeup.add(c.wakeupDelayNanos);
            requeue.add(c.requeueDelayNanos);
            past.add(c.pastSliceNanos);
            for (int p = 0; p < byPriority.length; p++) {
                byPriority[p] += c.cpuByPriorityNanos.get(p);
            }
        }
        return new ProfileSnapshot(startEpochMillis, now - startNanos, sliceNanos, lateNanos, threadRows, carrierRows,
                slices, wakeup, requeue, past, byPriority, pollSites.rows(), dropped, droppedThreads.sum(), CreationSites.snapshot());
    }
}
