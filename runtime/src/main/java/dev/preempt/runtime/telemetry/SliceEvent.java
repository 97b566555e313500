package dev.preempt.runtime.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One run slice: a virtual thread ran on a carrier from the event's start to its end. Begun and committed
 * by the carrier around the continuation, so the event's own thread is the carrier and the virtual thread
 * is a field. Off by default (one event per switch); enable it with JFR settings
 * ({@code +dev.preempt.Slice#enabled=true}, or a .jfc file).
 */
@Name("dev.preempt.Slice")
@Label("Run Slice")
@Category({"preempt", "Scheduler"})
@Description("A virtual thread ran on a carrier of preempt's scheduler")
@StackTrace(false)
@Enabled(false)
public final class SliceEvent extends Event {
    @Label("Virtual Thread")
    public Thread virtualThread;

    @Label("Carrier")
    public String carrier;

    @Label("Priority")
    public int priority;

    @Label("Arrival")
    @Description("Why it was queued before this slice: NEW, WOKEN, YIELDED or PREEMPTED")
    public String arrival;

    @Label("End")
    @Description("How the slice ended: PREEMPTED, YIELDED, BLOCKED or TERMINATED")
    public String end;
}
