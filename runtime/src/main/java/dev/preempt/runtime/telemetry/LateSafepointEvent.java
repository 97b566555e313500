package dev.preempt.runtime.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * A preempted thread reached its poll late: more than the scheduler's tick after its slice ended (below
 * that, the timer's own resolution hides it). Committed by the preempted thread at its poll, so the stack
 * trace's top frame outside preempt is the code that ran too long without a poll.
 */
@Name("dev.preempt.LateSafepoint")
@Label("Late Safepoint")
@Category({"preempt", "Scheduler"})
@Description("A preempted virtual thread reached its poll late after its slice ended")
public final class LateSafepointEvent extends Event {
    @Label("Past Slice")
    @Description("From the end of the slice to the poll that yielded")
    @Timespan(Timespan.NANOSECONDS)
    public long pastSlice;

    @Label("Poll Site")
    @Description("The method and line of the poll: class.method(File:line)")
    public String site;

    @Label("Priority")
    public int priority;
}
