package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.profile.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of what the scheduler did, cheap to bump from any thread. */
public final class SchedulerStats {
    final LongAdder threadsStarted = new LongAdder();
    final LongAdder threadsTerminated = new LongAdder();
    volatile long dispatchCount;
    /** Carriers now, blocked now, spares started and left, blocking calls found: copied in by {@code stats()}. */
    volatile long carriersNow;
    volatile long carriersBlocked;
    volatile long sparesAdded;
    volatile long sparesRetired;
    volatile long blockedCalls;
    volatile long carrierThreads;
    final LongAdder preemptions = new LongAdder();
    final LongAdder wakeupPreemptions = new LongAdder();
    final LongAdder pinnedYields = new LongAdder();
    final LongAdder slowPolls = new LongAdder();
    /** Requests a thread at a poll in JDK code did not act on: runtime or JDK machinery on its stack. */
    final LongAdder jdkPollsRefused = new LongAdder();
    /** Slow polls counted by the carriers themselves (those of carriers not asked): copied in by {@code stats()}. */
    volatile long carrierSlowPolls;
    final LongAdder flagSets = new LongAdder();
    final LongAdder ticks = new LongAdder();
    /** Times a carrier or submitter woke the timer for the blocked-carrier monitor's first look at a run. */
    final LongAdder lookAsks = new LongAdder();
    /** Slice expiry to the poll that yielded (time-to-safepoint), for slice preemptions. */
    final LatencyHistogram pastSliceNanos = new LatencyHistogram();
    /** How long a carrier's run had lasted when the monitor found it blocked in a call. */
    final LatencyHistogram blockedFoundAfterNanos = new LatencyHistogram();

    /** A snapshot, by name, in a stable order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("threadsStarted", threadsStarted.sum());
        m.put("threadsTerminated", threadsTerminated.sum());
        m.put("dispatches", dispatchCount);
        m.put("preemptions", preemptions.sum());
        m.put("wakeupPreemptions", wakeupPreemptions.sum());
        m.put("pinnedYields", pinnedYields.sum());
        m.put("slowPolls", slowPolls.sum() + carrierSlowPolls);
        m.put("jdkPollsRefused", jdkPollsRefused.sum());
        m.put("flagSets", flagSets.sum());
        m.put("ticks", ticks.sum());
        m.put("lookAsks", lookAsks.sum());
        m.put("carriers", carriersNow);
        m.put("carriersBlocked", carriersBlocked);
        m.put("blockedCalls", blockedCalls);
        m.put("sparesAdded", sparesAdded);
        m.put("sparesRetired", sparesRetired);
        m.put("carrierThreads", carrierThreads);
        m.put("pastSliceP50Micros", pastSliceNanos.percentileNanos(50) / 1000);
        m.put("pastSliceP99Micros", pastSliceNanos.percentileNanos(99) / 1000);
        m.put("pastSliceMaxMicros", pastSliceNanos.percentileNanos(100) / 1000);
        m.put("blockedFoundAfterP50Micros", blockedFoundAfterNanos.percentileNanos(50) / 1000);
        m.put("blockedFoundAfterMaxMicros", blockedFoundAfterNanos.percentileNanos(100) / 1000);
        return m;
    }
}
