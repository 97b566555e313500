package dev.preempt.runtime.telemetry;

import java.util.List;

/**
 * Every live thread on preempt's scheduler over JMX, as {@code dev.preempt:type=Threads}: the mapped
 * platform threads (which {@code jstack} and {@code jcmd Thread.print} do not show, being virtual threads)
 * and the virtual threads the app created. {@code java -jar preempt-agent.jar threads PID} prints it.
 */
public interface ThreadsMXBean {
    /** The object name the bean is registered under. */
    String OBJECT_NAME = "dev.preempt:type=Threads";

    /** A snapshot, read racily, one entry per thread. */
    List<ThreadEntry> getThreads();
}
