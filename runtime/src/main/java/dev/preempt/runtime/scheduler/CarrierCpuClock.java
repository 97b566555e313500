package dev.preempt.runtime.scheduler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The carriers' CPU clocks: their OS threads' CPU time, read from any thread through the JVM's
 * {@link ThreadMXBean} (a {@code clock_gettime} on the thread's CPU clock, about a microsecond). The class
 * loads at its first use, so {@code java.management}'s classes load only if the scheduler ever needs a
 * carrier's CPU time (someone waits: the blocked-carrier monitor, a slice's end).
 */
final class CarrierCpuClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean SUPPORTED = THREADS.isThreadCpuTimeSupported();

    static {
        if (SUPPORTED && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
    }

    private CarrierCpuClock() {}

    /** The JVM's thread bean, for the monitor's questions beyond CPU time. */
    static ThreadMXBean threads() {
        return THREADS;
    }

    /** {@code c}'s CPU time so far, or -1 where the JVM cannot tell. */
    static long cpuNanos(Carrier c) {
        return SUPPORTED ? THREADS.getThreadCpuTime(c.threadId()) : -1;
    }
}
