package dev.preempt.runtime.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * A virtual thread yielded at a poll because preempt asked it to: its slice was over while others waited,
 * or a higher-priority thread woke. Committed by the preempted thread at its poll, so the stack trace shows
 * where the poll sat; {@code pastSlice} is the time from the slice's end to that poll (time-to-safepoint).
 */
@Name("dev.preempt.Preemption")
@Label("Preemption")
@Category({"preempt", "Scheduler"})
@Description("A virtual thread was preempted at a safepoint poll")
public final class PreemptionEvent extends Event {
    @Label("Reason")
    public String reason;

    @Label("Past Slice")
    @Description("From the end of the slice to the poll that yielded; 0 for a wake-up preemption")
    @Timespan(Timespan.NANOSECONDS)
    public long pastSlice;

    @Label("Priority")
    public int priority;
}
