package dev.preempt.runtime.profile;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one carrier recorded: its slices, its busy time, CPU by priority, and its share of the latency
 * distributions. Written by that carrier only (and by the thread it runs, at a poll), so nothing here is
 * contended; the report merges the carriers.
 */
final class CarrierProfile {
    final int index;
    final String name;
    final SliceBuffer slices;
    /** Wake-up (or start) to run: the run-queue delay a thread that waited for an event sees. */
    final LatencyHistogram wakeupDelayNanos = new LatencyHistogram();
    /** Yield or preemption to run again: how long a runnable thread waits for CPU. */
    final LatencyHistogram requeueDelayNanos = new LatencyHistogram();
    /** Slice expiry to the poll that yielded, for slice preemptions. */
    final LatencyHistogram pastSliceNanos = new LatencyHistogram();
    /** CPU nanoseconds by priority 0..10 (0 unused); single writer: release stores, no atomic add. */
    final AtomicLongArray cpuByPriorityNanos = new AtomicLongArray(11);
    private final AtomicLongArray busy = new AtomicLongArray(2); // [busy nanos, slices]

    CarrierProfile(int index, String name, SliceBuffer.Budget budget) {
        this.index = index;
        this.name = name;
        this.slices = new SliceBuffer(budget);
    }

    void ran(int priority, long nanos) {
        // Single writer: get then a release store is exact and costs a plain store on x86 and AArch64.
        busy.setRelease(0, busy.get(0) + nanos);
        busy.setRelease(1, busy.get(1) + 1);
        cpuByPriorityNanos.setRelease(priority, cpuByPriorityNanos.get(priority) + nanos);
    }

    long busyNanos() {
        return busy.get(0);
    }

    long sliceCount() {
        return busy.get(1);
    }
}
