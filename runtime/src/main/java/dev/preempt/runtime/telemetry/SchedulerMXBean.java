package dev.preempt.runtime.telemetry;

/**
 * The scheduler's live counters over JMX, as {@code dev.preempt:type=Scheduler} (jconsole, VisualVM,
 * {@code jcmd}-started agents, or the app's own platform MBean server). Counters count since the scheduler
 * started; latencies are microseconds.
 */
public interface SchedulerMXBean {
    /** The object name the bean is registered under. */
    String OBJECT_NAME = "dev.preempt:type=Scheduler";

    long getThreadsStarted();
    long getThreadsTerminated();
    /** Started and not yet terminated. */
    long getThreadsLive();
    /** Yields at a poll because preempt asked (slice over or a higher priority woke). */
    long getPreemptions();
    /** Requests to yield because a higher-priority thread woke. */
    long getWakeupPreemptions();
    /** Yields at a poll that could not unmount (a native frame or class initialiser on the stack). */
    long getPinnedYields();
    long getTicks();
    long getDispatches();
    /** Threads waiting in the run queue now. */
    int getQueueLength();
    /** Carriers now: the base ones plus spares standing in for carriers held by a blocking call. */
    int getCarriers();
    /** Carriers held by a blocking call now (a file, pipe or terminal read, a native call, a pinned wait). */
    int getBlockedCarriers();
    /** Blocking calls found holding a carrier since start. */
    long getBlockedCalls();
    /** Spare carriers started since start, and how many of them left again. */
    long getSpareCarriersAdded();
    long getSpareCarriersRetired();
    long getSliceMicros();
    /** Slice expiry to the poll that yielded: 50th, 99th percentile and maximum. */
    long getTimeToSafepointP50Micros();
    long getTimeToSafepointP99Micros();
    long getTimeToSafepointMaxMicros();
    /** Whether a profile or trace records (then the wake-up latencies below are measured). */
    boolean isRecording();
    /** Wake-up to run, while recording; -1 otherwise. */
    long getWakeupLatencyP50Micros();
    long getWakeupLatencyP99Micros();
}
