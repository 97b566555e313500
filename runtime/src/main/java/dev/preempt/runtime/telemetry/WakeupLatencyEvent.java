package dev.preempt.runtime.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A virtual thread that was woken (or started) began to run: {@code latency} is how long it waited in the
 * run queue. Committed by the carrier at the dispatch. Off by default (one event per wake-up).
 */
@Name("dev.preempt.WakeupLatency")
@Label("Wake-up Latency")
@Category({"preempt", "Scheduler"})
@Description("From a virtual thread's wake-up (or start) to its run on a carrier of preempt's scheduler")
@StackTrace(false)
@Enabled(false)
public final class WakeupLatencyEvent extends Event {
    @Label("Virtual Thread")
    public Thread virtualThread;

    @Label("Carrier")
    public String carrier;

    @Label("Latency")
    @Timespan(Timespan.NANOSECONDS)
    public long latency;

    @Label("Priority")
    public int priority;
}
