package dev.preempt.runtime.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A long randomised stress of the run queues as the scheduler drives them: many outside producers (the
 * inject queue), carriers that yield and wake each other's tasks (their own queues, spilling past
 * {@link RunQueues#LOCAL_CAPACITY}), thieves, random pauses so that carriers park and wake over and over,
 * skew (one carrier wakes far more than the others), and carriers that come and go (a carrier counted out
 * as blocked, a spare started for it, the spare leaving again and draining its queue), all at once on a
 * few carriers. The property: every submission is run exactly once, by one carrier at a time, and nothing
 * is left queued. A lost task shows as a submission never run (the wait for the count times out), a task
 * run twice as more runs than submissions or as two carriers running it at once.
 *
 * <p>Bounded for CI: 4 s of traffic ({@code -Dstress.seconds=N} for a longer soak), then at most 60 s for
 * the queues to drain.
 */
class RunQueuesStressTest {
    private static final long SLICE = 10_000_000L;
    private static final int TASKS = 4_000;
    private static final int PRODUCERS = 6;
    private static final int CARRIERS = 3;

    /** One entry per task: 1 while submitted (queued or running), as the JDK submits a thread once per runnable transition. */
    private final AtomicIntegerArray submitted = new AtomicIntegerArray(TASKS);
    /** Carriers running each task right now: more than one is a task dequeued twice. */
    private final AtomicIntegerArray running = new AtomicIntegerArray(TASKS);
    private final AtomicLong submissions = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger runWhileNotSubmitted = new AtomicInteger();
    private final Task[] tasks = new Task[TASKS];
    private volatile boolean stop;
    /** After the traffic: carriers no longer yield or wake, so every task still queued runs once and the queues empty. */
    private volatile boolean draining;
    private volatile RunQueues queues;
    private volatile CarrierSet set;
    /** Runs per carrier index, to see that every carrier (spares too) took a share. */
    private final AtomicIntegerArray runsByCarrier = new AtomicIntegerArray(64);

    @Test
    void manyProducersThievesAndCarriersThatComeAndGoRunEverySubmissionExactlyOnce() throws Exception {
        for (int i = 0; i < TASKS; i++) {
            tasks[i] = new Task(new Thread("t" + i), () -> { }, 5, false);
        }
        java.util.IdentityHashMap<Task, Integer> ids = new java.util.IdentityHashMap<>();
        for (int i = 0; i < TASKS; i++) ids.put(tasks[i], i);
        List<Carrier> everStarted = new CopyOnWriteArrayList<>();
        Consumer<Carrier> loop = c -> carrierLoop(c, ids);
        set = new CarrierSet(loop, everStarted::add, CARRIERS, CARRIERS + 2);
        queues = new RunQueues(set, SLICE);
        set.startBase();

        long seconds = Long.getLong("stress.seconds", 4);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] producers = new Thread[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++) {
            producers[p] = Thread.ofPlatform().daemon().start(() -> produce(end));
        }
        Thread churn = Thread.ofPlatform().daemon().start(() -> churnCarriers(end));
        for (Thread p : producers) p.join();
        churn.join();
        draining = true;
        Thread.sleep(50); // a carrier that read the flag just before it was set finishes its run

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (runs.get() != submissions.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        stop = true;
        try {
            assertEquals(submissions.get(), runs.get(), "every submission runs exactly once (queued now: " + queues.size() + ")");
            assertTrue(submissions.get() > 100_000, "the stress did stress: " + submissions.get() + " submissions");
            assertEquals(0, overlaps.get(), "a task ran on two carriers at once");
            assertEquals(0, runWhileNotSubmitted.get(), "a task ran that nobody had submitted");
            assertEquals(0, queues.size(), "nothing left queued");
            for (int i = 0; i < TASKS; i++) assertEquals(0, submitted.get(i), "task " + i + " still marked submitted");
            int carriersThatRan = 0;
            for (int i = 0; i < runsByCarrier.length(); i++) if (runsByCarrier.get(i) > 0) carriersThatRan++;
            assertTrue(carriersThatRan >= CARRIERS, "every base carrier ran tasks: " + runsByCarrier);
            assertTrue(everStarted.size() > CARRIERS, "spares came (and went): " + everStarted.size() + " carrier threads");
        } finally {
            for (Carrier c : everStarted) LockSupport.unpark(c);
        }
    }

    /** An outside thread (a poller, a timer, a platform thread): submits idle tasks to the inject queue, in bursts with pauses. */
    private void produce(long end) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            int burst = 1 + rnd.nextInt(64);
            for (int k = 0; k < burst; k++) {
                int i = rnd.nextInt(TASKS);
                if (submitted.compareAndSet(i, 0, 1)) {
                    submissions.incrementAndGet();
                    queues.put(null, tasks[i], rnd.nextLong(1_000_000), false);
                }
            }
            if (rnd.nextInt(4) == 0) {
                LockSupport.parkNanos(rnd.nextInt(300_000)); // long enough for every carrier to go idle now and then
            }
        }
    }

    /**
     * Carriers that come and go: now and then one base carrier is counted out as blocked (its queue becomes
     * everyone's) and a spare is started or reused for it; later it is counted back in, and the spare, now
     * surplus, leaves at its next switch and drains its queue into the inject queue.
     */
    private void churnCarriers(long end) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            Carrier[] all = set.all();
            Carrier victim = all[rnd.nextInt(all.length)];
            if (!victim.spare && set.markBlocked(victim)) {
                set.addSpareIfShort();
                LockSupport.parkNanos(rnd.nextInt(2_000_000));
                set.markUnblocked(victim);
            }
            LockSupport.parkNanos(rnd.nextInt(2_000_000));
        }
    }

    /** The scheduler's carrier loop, with the run replaced by bookkeeping and random yields and wake-ups. */
    private void carrierLoop(Carrier c, java.util.IdentityHashMap<Task, Integer> ids) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (!stop) {
            if (c.spare && set.surplus(c) && set.retire(c)) {
                queues.drain(c);
                if (!set.awaitReuse(c)) {
                    return;
                }
            }
            Task t = queues.next(c);
            if (t == null) {
                t = queues.idle(c, c.spare ? 20_000_000L : 5_000_000L);
                if (t == null) continue;
            }
            int i = ids.get(t);
            if (running.incrementAndGet(i) != 1) overlaps.incrementAndGet();
            if (submitted.get(i) != 1) runWhileNotSubmitted.incrementAndGet();
            runs.incrementAndGet();
            runsByCarrier.incrementAndGet(c.index);
            long key = t.queueKey;
            if ((rnd.nextInt(8) & 3) == 0) Thread.onSpinWait();
            running.decrementAndGet(i);
            // Skew: carrier 0 wakes far more tasks into its own queue than the others do, which must steal.
            int wakes = draining ? 0 : c.index == 0 ? rnd.nextInt(4) : rnd.nextInt(10) == 0 ? 1 : 0;
            for (int k = 0; k < wakes; k++) {
                int j = rnd.nextInt(TASKS);
                if (submitted.compareAndSet(j, 0, 1)) {
                    submissions.incrementAndGet();
                    queues.put(c, tasks[j], key + rnd.nextInt(3), false);
                }
            }
            if (!draining && rnd.nextInt(3) == 0) {
                submissions.incrementAndGet();
                queues.put(c, t, key + 1, true); // a yield: resubmitted by its own carrier, still marked submitted
            } else {
                submitted.set(i, 0); // it parks: runnable again only when someone submits it
            }
        }
    }
}
