package dev.preempt.runtime.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A carrier was found held by a blocking call (a read of a file, pipe or terminal, a native call, a
 * pinned {@code Object.wait}): its virtual thread used almost no CPU for a while without reaching a
 * switch, so the scheduler counted the carrier out and, whenever anyone waits, keeps a spare in its place. Committed
 * by the scheduler's timer thread, so the event's own stack trace is off; {@link #stack} is the blocked
 * virtual thread's, taken when it was found.
 */
@Name("dev.preempt.BlockedCarrier")
@Label("Blocked Carrier")
@Category({"preempt", "Scheduler"})
@Description("A carrier was held by a blocking call; the scheduler compensated with a spare carrier")
@StackTrace(false)
public final class BlockedCarrierEvent extends Event {
    @Label("Carrier")
    public String carrier;

    @Label("Thread")
    public String thread;

    @Label("Blocked For")
    @Description("How long the thread had run without CPU when it was found")
    @Timespan(Timespan.NANOSECONDS)
    public long blockedNanos;

    @Label("Carriers")
    @Description("Carriers when it was found, spares included (a spare for it starts next, if anyone waits)")
    public int carriers;

    @Label("Stack")
    @Description("The blocked virtual thread's stack, innermost frame first")
    public String stack;
}
