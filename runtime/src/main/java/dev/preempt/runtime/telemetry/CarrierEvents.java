package dev.preempt.runtime.telemetry;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Event;

/**
 * Commits, from a thread of its own, JFR events that a carrier measured (run slices, wake-up latencies).
 *
 * <p>Why not commit them on the carrier: on JDK 25 the first event a carrier thread commits after a virtual
 * thread committed one while mounted on it is lost. Measured with one carrier and three hogs: with
 * {@code dev.preempt.Preemption} on (committed by the hog at its poll), none of the slices that ended in a
 * preemption appeared while every slice that ended in a park did; committing a throw-away event first made
 * them all appear and lost the throw-away; with the Preemption event off they all appeared. Any virtual
 * thread's event counts (the app's and the JDK's too), so a carrier cannot know when its next commit is safe.
 *
 * <p>A JFR event keeps the start and duration that {@code begin()} and {@code end()} captured on the
 * carrier, so committing it later from another thread writes the same times; only the event's own thread
 * becomes {@code preempt-jfr} (the virtual thread and the carrier are fields of the event).
 *
 * <p>Bounded: if the committer falls behind by {@link #MAX_PENDING} events, later ones are dropped and counted.
 * Events still queued when a recording ends (at most one drain period, 10 ms) are lost.
 */
public final class CarrierEvents {
    static final int MAX_PENDING = 1 << 20;
    private static final long DRAIN_PERIOD_MILLIS = 10;
    private static final ConcurrentLinkedQueue<Event> PENDING = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger PENDING_COUNT = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static volatile Thread committer;

    private CarrierEvents() {}

    /** Queues an event whose fields, start and end are set and whose {@code shouldCommit()} was true. */
    public static void commitLater(Event e) {
        if (PENDING_COUNT.incrementAndGet() > MAX_PENDING) {
            PENDING_COUNT.decrementAndGet();
            DROPPED.incrementAndGet();
            return;
        }
        PENDING.add(e);
        if (committer == null) {
            startCommitter();
        }
    }

    /** Events dropped because the committer fell behind. */
    public static long dropped() {
        return DROPPED.get();
    }

    private static synchronized void startCommitter() {
        if (committer != null) {
            return;
        }
        Thread t = new Thread(null, CarrierEvents::drainForever, "preempt-jfr", 0, false);
        t.setDaemon(true);
        t.start();
        committer = t;
    }

    private static void drainForever() {
        while (true) {
            drain();
            try {
                Thread.sleep(DRAIN_PERIOD_MILLIS);
            } catch (InterruptedException e) {
                // nobody interrupts it on purpose; keep committing
            }
        }
    }

    static void drain() {
        for (Event e; (e = PENDING.poll()) != null; ) {
            PENDING_COUNT.decrementAndGet();
            e.commit();
        }
    }
}
