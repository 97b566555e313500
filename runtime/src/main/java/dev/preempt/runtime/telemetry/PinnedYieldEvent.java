package dev.preempt.runtime.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A poll asked a virtual thread to yield and it could not unmount: a native frame or a class initialiser
 * is on its stack. The stack trace shows which. Preempt does not retry for a slice.
 */
@Name("dev.preempt.PinnedYield")
@Label("Pinned Yield")
@Category({"preempt", "Scheduler"})
@Description("A preemption request could not be honoured because the virtual thread was pinned")
public final class PinnedYieldEvent extends Event {
    @Label("Priority")
    public int priority;
}
