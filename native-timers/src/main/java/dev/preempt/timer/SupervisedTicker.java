package dev.preempt.timer;

import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * A ticker that watches another and takes over with the Java backend if it stops: a native tick thread
 * that died, or that has not ticked in {@value #STALL_WINDOWS} consecutive windows of {@value #STALL_PERIODS}
 * periods and at least {@value #MIN_CHECK_MILLIS} ms each (windows in which the watchdog itself was late do
 * not count), is replaced, so preemption never stops for longer than that. The
 * watchdog is a daemon platform thread that wakes once per such window, which is all it costs. It starts
 * judging only after the first tick: the first downcall links the native entry points, which takes
 * milliseconds, and an early check mistook that for a stall (measured on a loaded 2-core machine).
 */
final class SupervisedTicker implements TimerBackend.Ticker {
    static final int STALL_PERIODS = 8;
    /** Consecutive on-time watchdog windows without a tick that make a stall. */
    static final int STALL_WINDOWS = 10;
    static final long MIN_CHECK_MILLIS = 10;
    static final long FIRST_TICK_GRACE_MILLIS = 1000;

    private final long periodNanos;
    private final Runnable onTick;
    private final Consumer<String> onFallback;
    private final Thread watchdog;
    private volatile TimerBackend.Ticker current;
    private volatile boolean fellBack;
    private volatile boolean closed;

    SupervisedTicker(TimerBackend.Ticker primary, long periodNanos, Runnable onTick, Consumer<String> onFallback) {
        this.current = primary;
        this.periodNanos = periodNanos;
        this.onTick = onTick;
        this.onFallback = onFallback;
        this.watchdog = new Thread(this::watch, "preempt-timer-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void watch() {
        long checkNanos = Math.max(STALL_PERIODS * periodNanos, MIN_CHECK_MILLIS * 1_000_000L);
        long graceEnd = System.nanoTime() + FIRST_TICK_GRACE_MILLIS * 1_000_000L;
        while (!closed && current.ticks() == 0 && current.alive() && System.nanoTime() < graceEnd) {
            LockSupport.parkNanos(checkNanos / 4);
        }
        long last = current.ticks();
        int stalledWindows = 0;
        while (!closed && !fellBack) {
            long before = System.nanoTime();
            LockSupport.parkNanos(checkNanos);
            if (closed) {
                return;
            }
            TimerBackend.Ticker t = current;
            long now = t.ticks();
            // A window in which the watchdog itself woke late (a GC pause, a saturated CPU) proves nothing
            // about the timer: everything stood still. Seen: a 100,000-thread start-up's GC pauses made a
            // healthy native timer look stalled for one window and lose its place for the JVM's lifetime.
            boolean onTime = System.nanoTime() - before < 2 * checkNanos;
            stalledWindows = now != last ? 0 : onTime ? stalledWindows + 1 : stalledWindows;
            if (stalledWindows >= STALL_WINDOWS || !t.alive()) {
                String why = t.alive() ? "no tick for " + STALL_WINDOWS * checkNanos / 1000 + " us" : "the tick thread stopped";
                current = new JavaTimerBackend().start(periodNanos, onTick);
                fellBack = true;
                t.close();
                onFallback.accept("native timer failed (" + why + "): switched to the java timer");
                return;
            }
            last = now;
        }
    }

    /** Whether the Java backend has taken over. */
    boolean fellBack() {
        return fellBack;
    }

    @Override
    public long ticks() {
        return current.ticks();
    }

    @Override
    public boolean alive() {
        return !closed && current.alive();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
        current.close();
    }
}
