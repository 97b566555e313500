package dev.preempt.timer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The pure-Java fallback: a daemon platform thread that parks until absolute deadlines
 * ({@code start + n * period}), so late wake-ups do not accumulate into drift. Runs everywhere.
 */
public final class JavaTimerBackend implements TimerBackend {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Availability probe() {
        return Availability.yes("parkNanos ticker on a platform thread, System.nanoTime clock");
    }

    @Override
    public long clockNanos() {
        return System.nanoTime();
    }

    @Override
    public Ticker start(long periodNanos, Runnable onTick) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be > 0, was " + periodNanos);
        }
        JavaTicker ticker = new JavaTicker(periodNanos, onTick);
        ticker.thread.start();
        return ticker;
    }

    private static final class JavaTicker implements Ticker {
        private final AtomicLong ticks = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopped;

        JavaTicker(long periodNanos, Runnable onTick) {
            thread = new Thread(() -> loop(periodNanos, onTick), "preempt-timer-java");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
        }

        private void loop(long periodNanos, Runnable onTick) {
            long deadline = System.nanoTime() + periodNanos;
            while (!stopped) {
                long now;
                while ((now = System.nanoTime()) < deadline && !stopped) {
                    LockSupport.parkNanos(deadline - now);
                }
                if (stopped) {
                    return;
                }
                onTick.run();
                ticks.incrementAndGet();
                deadline += periodNanos;
                // After a long stall (GC, suspended VM) skip the missed ticks instead of firing a burst.
                if (System.nanoTime() - deadline > 4 * periodNanos) {
                    deadline = System.nanoTime() + periodNanos;
                }
            }
        }

        @Override
        public long ticks() {
            return ticks.get();
        }

        @Override
        public boolean alive() {
            return thread.isAlive() && !stopped;
        }

        @Override
        public void close() {
            stopped = true;
            LockSupport.unpark(thread);
        }
    }
}
