package dev.preempt.runtime.profile;

import java.util.List;

/**
 * A consistent-enough copy of what the {@link Recorder} holds, taken while the app runs, for the HTML
 * report and the trace. Times are nanoseconds since the recording started (the scheduler's clock), so a
 * slice's {@code startNanos} is directly a timeline position.
 *
 * @param startEpochMillis   wall-clock time at which recording started
 * @param durationNanos      from the start of recording to this snapshot
 * @param sliceNanos         the scheduler's time slice
 * @param lateNanos          a poll this far past its slice's end counts as late
 * @param threads            every thread recorded, sorted by index (a slice's {@code thread} is an index: see {@link #thread})
 * @param carriers           every carrier, by index
 * @param slices             the timeline: slices of all carriers, each carrier's in time order
 * @param wakeupDelay        wake-up (or start) to run: the run-queue delay of a thread that waited for an event
 * @param requeueDelay       yield or preemption to run again
 * @param pastSlice          slice expiry to the poll that yielded (time-to-safepoint)
 * @param cpuByPriorityNanos CPU by priority, index 1..10
 * @param lateSites          late polls by site, most total lateness first
 * @param droppedSlices      slices not kept in the timeline (each carrier keeps its first ones); aggregates count them
 * @param droppedThreads     threads started after the registry was full: not in {@code threads}
 * @param creationSites      where the app created its threads (see {@link CreationSites})
 */
public record ProfileSnapshot(
        long startEpochMillis,
        long durationNanos,
        long sliceNanos,
        long lateNanos,
        List<ThreadRow> threads,
        List<CarrierRow> carriers,
        List<Slice> slices,
        LatencyHistogram wakeupDelay,
        LatencyHistogram requeueDelay,
        LatencyHistogram pastSlice,
        long[] cpuByPriorityNanos,
        List<LateSite> lateSites,
        long droppedSlices,
        long droppedThreads,
        List<CreationSite> creationSites) {

    /** One thread's totals; {@code endedNanos} is -1 while it lives. */
    public record ThreadRow(int index, long threadId, String name, int priority, long createdNanos, long endedNanos,
                            long cpuNanos, long slices, long preemptions, long yields, long blocks, long wakeups,
                            long pinnedYields) {}

    /** One carrier's totals: busy time over {@code durationNanos} is its utilisation. */
    public record CarrierRow(int index, String name, long busyNanos, long slices, long droppedSlices) {}

    /** One run slice: {@code thread} indexes {@code threads}; {@code queuedNanos} is when it entered the run queue. */
    public record Slice(int carrier, int thread, long startNanos, long endNanos, long queuedNanos, int priority,
                        Arrival arrival, RunEnd end) {}

    /** Where late polls sat ({@code class.method(File:line)}), how often and how late. */
    public record LateSite(String site, long count, long totalPastNanos, long maxPastNanos) {}

    /** The thread with this index, or null if it is not in the snapshot. */
    public ThreadRow thread(int index) {
        int lo = 0, hi = threads.size() - 1; // threads are sorted by index
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int i = threads.get(mid).index();
            if (i == index) return threads.get(mid);
            if (i < index) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    /** All CPU time recorded, over threads. */
    public long totalCpuNanos() {
        return threads.stream().mapToLong(ThreadRow::cpuNanos).sum();
    }

    /** Where the app created threads: how many were mapped onto the scheduler and how many kept, and why. */
    public record CreationSite(String site, long mapped, long kept, String keptBecause) {
        public long threads() {
            return mapped + kept;
        }
    }
}
