package dev.preempt.runtime.scheduler;

import dev.preempt.runtime.profile.Recorder;
import dev.preempt.runtime.telemetry.SchedulerMXBean;

/** The {@link SchedulerMXBean} of one scheduler: reads its counters on each call, keeps nothing. */
final class SchedulerMonitor implements SchedulerMXBean {
    private final PreemptScheduler scheduler;
    private final SchedulerStats stats;

    SchedulerMonitor(PreemptScheduler scheduler, SchedulerStats stats) {
        this.scheduler = scheduler;
        this.stats = stats;
    }

    @Override public long getThreadsStarted() { return stats.threadsStarted.sum(); }
    @Override public long getThreadsTerminated() { return stats.threadsTerminated.sum(); }
    @Override public long getThreadsLive() { return getThreadsStarted() - getThreadsTerminated(); }
    @Override public long getPreemptions() { return stats.preemptions.sum(); }
    @Override public long getWakeupPreemptions() { return stats.wakeupPreemptions.sum(); }
    @Override public long getPinnedYields() { return stats.pinnedYields.sum(); }
    @Override public long getTicks() { return stats.ticks.sum(); }
    @Override public long getDispatches() { return scheduler.stats().dispatchCount; }
    @Override public int getQueueLength() { return scheduler.queueLength(); }
    @Override public int getCarriers() { return scheduler.carrierCount(); }
    @Override public int getBlockedCarriers() { return scheduler.carrierSet().blockedNow(); }
    @Override public long getBlockedCalls() { return scheduler.carrierSet().blockedCalls(); }
    @Override public long getSpareCarriersAdded() { return scheduler.carrierSet().added(); }
    @Override public long getSpareCarriersRetired() { return scheduler.carrierSet().retired(); }
    @Override public long getSliceMicros() { return scheduler.sliceNanos() / 1000; }
    @Override public long getTimeToSafepointP50Micros() { return stats.pastSliceNanos.percentileNanos(50) / 1000; }
    @Override public long getTimeToSafepointP99Micros() { return stats.pastSliceNanos.percentileNanos(99) / 1000; }
    @Override public long getTimeToSafepointMaxMicros() { return stats.pastSliceNanos.percentileNanos(100) / 1000; }
    @Override public boolean isRecording() { return scheduler.recorder() != null; }
    @Override public long getWakeupLatencyP50Micros() { return wakeup(50); }
    @Override public long getWakeupLatencyP99Micros() { return wakeup(99); }

    private long wakeup(double percentile) {
        Recorder r = scheduler.recorder();
        return r == null ? -1 : r.wakeupDelay().percentileNanos(percentile) / 1000;
    }
}
