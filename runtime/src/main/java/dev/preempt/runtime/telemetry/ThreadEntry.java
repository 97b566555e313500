package dev.preempt.runtime.telemetry;

import java.util.List;

/**
 * One thread of {@link ThreadsMXBean}: a class with getters (not a record) because that is what the MXBean
 * mapping turns into a composite type.
 */
public final class ThreadEntry {
    private final String name;
    private final long id;
    private final long virtualThreadId;
    private final boolean mapped;
    private final String state;
    private final int priority;
    private final boolean daemon;
    private final String group;
    private final String carrier;
    private final long cpuNanos;
    private final String waitingFor;
    private final List<String> stack;

    /**
     * @param id              the id of the thread object the app holds (a mapped subclass instance's own id)
     * @param virtualThreadId the id of the virtual thread that runs it (the same unless a subclass's shadow)
     * @param group           the thread group the app sees, null for a virtual thread the app created
     * @param carrier         the carrier running it now, or null
     * @param waitingFor      the object a parked thread waits on ({@code class@hash}), or null
     * @param stack           its frames, innermost first, as {@code StackTraceElement.toString()}
     */
    public ThreadEntry(String name, long id, long virtualThreadId, boolean mapped, String state, int priority, boolean daemon,
            String group, String carrier, long cpuNanos, String waitingFor, List<String> stack) {
        this.name = name;
        this.id = id;
        this.virtualThreadId = virtualThreadId;
        this.mapped = mapped;
        this.state = state;
        this.priority = priority;
        this.daemon = daemon;
        this.group = group;
        this.carrier = carrier;
        this.cpuNanos = cpuNanos;
        this.waitingFor = waitingFor;
        this.stack = List.copyOf(stack);
    }

    public String getName() { return name; }
    public long getId() { return id; }
    public long getVirtualThreadId() { return virtualThreadId; }
    /** Whether it stands for one of the app's platform threads ({@code threads=map}). */
    public boolean isMapped() { return mapped; }
    /** A {@code Thread.State} name. */
    public String getState() { return state; }
    public int getPriority() { return priority; }
    public boolean isDaemon() { return daemon; }
    public String getGroup() { return group; }
    public String getCarrier() { return carrier; }
    /** Time on preempt's carriers, the run in progress included: the nearest a virtual thread has to CPU time. */
    public long getCpuNanos() { return cpuNanos; }
    public String getWaitingFor() { return waitingFor; }
    public List<String> getStack() { return stack; }
}
