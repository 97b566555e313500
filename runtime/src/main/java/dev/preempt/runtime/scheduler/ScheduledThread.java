package dev.preempt.runtime.scheduler;

/**
 * One live thread on preempt's scheduler as a thread dump shows it, read racily at one moment.
 *
 * @param thread   the virtual thread (for a mapped {@code Thread} subclass, its shadow)
 * @param priority the priority preempt schedules it with, 1..10
 * @param carrier  the name of the carrier running it now, or null when it is queued or waiting
 * @param cpuNanos its time on carriers so far, the run in progress included
 * @param mapped   whether it stands for one of the app's platform threads ({@code threads=map})
 */
public record ScheduledThread(Thread thread, int priority, String carrier, long cpuNanos, boolean mapped) {}
