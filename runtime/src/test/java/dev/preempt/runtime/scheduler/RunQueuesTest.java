package dev.preempt.runtime.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The per-carrier run queues: which task a carrier takes next, stealing and balancing, and the idle
 * protocol under stress (a lost wake-up shows as a task that never runs: these tests then time out).
 */
class RunQueuesTest {
    private static final long SLICE = 10_000_000L;

    private static Task task(int priority) {
        return new Task(new Thread("t"), () -> { }, priority, false);
    }

    /** Carriers whose threads end at once: their queues are driven from the test thread. */
    private static CarrierSet idleSet(int n) throws InterruptedException {
        CarrierSet set = new CarrierSet(c -> { }, c -> { }, n, n);
        set.startBase();
        for (Carrier c : set.all()) c.join();
        return set;
    }

    @Test
    void aCarrierRunsTheBetterOfItsOwnHeadAndTheInjectedHead() throws InterruptedException {
        CarrierSet set = idleSet(1);
        RunQueues q = new RunQueues(set, SLICE);
        Carrier c = set.all()[0];
        Task own = task(5), injected = task(5);
        q.put(c, own, 200, false);
        q.put(null, injected, 100, false);
        assertSame(injected, q.next(c));
        assertSame(own, q.next(c));
        assertNull(q.next(c));
    }

    @Test
    void underFairACarrierStealsAnotherCarriersHeadOnlyWhenItIsMoreThanASliceAhead() throws InterruptedException {
        CarrierSet set = idleSet(2);
        RunQueues q = new RunQueues(set, SLICE);
        Carrier a = set.all()[0], b = set.all()[1];
        Task mine = task(5), close = task(5), far = task(5);
        q.put(a, mine, 5 * SLICE, false);
        q.put(b, close, 5 * SLICE - SLICE / 2, false);
        assertSame(mine, q.next(a), "half a slice ahead is within the bound: a keeps its own order");
        q.put(a, mine, 5 * SLICE, false);
        q.put(b, far, 3 * SLICE, false);
        assertSame(far, q.next(a), "two slices ahead: a steals b's head (the best half of b's queue)");
    }

    @Test
    void underStrictAnyHigherPriorityQueuedElsewhereRunsFirst() throws InterruptedException {
        CarrierSet set = idleSet(2);
        RunQueues q = new RunQueues(set, 0);
        Carrier a = set.all()[0], b = set.all()[1];
        Task low = task(4), high = task(5);
        q.put(a, low, -4, false);
        q.put(b, high, -5, false);
        assertSame(high, q.next(a));
        assertSame(low, q.next(a));
    }

    @Test
    void anIdleCarrierStealsHalfOfTheFullestQueueAndABlockedCarriersQueueIsEveryones() throws InterruptedException {
        CarrierSet set = idleSet(2);
        RunQueues q = new RunQueues(set, SLICE);
        Carrier a = set.all()[0], b = set.all()[1];
        for (int i = 0; i < 10; i++) q.put(b, task(5), 1000 + i, false);
        Task t = q.next(a);
        assertEquals(1000, t.queueKey, "the best of b's queue");
        assertEquals(4, a.local.size(), "the rest of the half it stole");
        assertEquals(5, b.local.size());
        b.blocked = true; // as BlockedCarrierMonitor marks it
        q.put(a, task(5), 0, false); // a's own head is better than anything of b's
        assertTrue(q.next(a).queueKey >= 1000, "yet a takes from the blocked carrier first");
    }

    @Test
    void anOverfullLocalQueueSpillsHalfToTheInjectQueue() throws InterruptedException {
        CarrierSet set = idleSet(2);
        RunQueues q = new RunQueues(set, SLICE);
        Carrier a = set.all()[0], b = set.all()[1];
        for (int i = 0; i <= RunQueues.LOCAL_CAPACITY; i++) q.put(a, task(5), i, false);
        assertTrue(a.local.size() <= RunQueues.LOCAL_CAPACITY, "spilled: " + a.local.size());
        assertEquals(RunQueues.LOCAL_CAPACITY + 1, q.size(), "nothing lost");
        int taken = 0;
        while (q.next(b) != null) taken++;
        while (q.next(a) != null) taken++;
        assertEquals(RunQueues.LOCAL_CAPACITY + 1, taken);
    }

    /**
     * The race the idle protocol exists for, hit 20,000 times: one carrier goes idle (parks with no
     * timeout) exactly while a task is put from outside. A lost wake-up leaves the task queued and the
     * carrier parked forever, and the round times out.
     */
    @Test
    void aTaskPutWhileTheOnlyCarrierGoesIdleIsAlwaysRun() throws InterruptedException {
        AtomicReference<RunQueues> queues = new AtomicReference<>();
        AtomicInteger ran = new AtomicInteger();
        Consumer<Carrier> loop = c -> {
            while (!Thread.currentThread().isInterrupted()) {
                RunQueues q = queues.get();
                Task t = q.next(c);
                if (t == null) t = q.idle(c, Long.MAX_VALUE);
                if (t != null) ran.incrementAndGet();
            }
        };
        CarrierSet set = new CarrierSet(loop, c -> { }, 1, 1);
        queues.set(new RunQueues(set, SLICE));
        set.startBase();
        try {
            for (int round = 1; round <= 20_000; round++) {
                if (round % 2 == 0) LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(20_000));
                queues.get().put(null, task(5), round, false);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ran.get() < round) {
                    assertTrue(System.nanoTime() < deadline, "round " + round + ": a queued task and a parked carrier");
                    Thread.onSpinWait();
                }
            }
        } finally {
            set.all()[0].interrupt();
        }
    }

    /**
     * Four carriers on a small machine (oversubscribed), 3,000 tasks that each need 30 runs: submitted from
     * outside in bursts with pauses (so carriers park and wake over and over), and between runs either
     * yielded (back on their carrier), woken by the carrier's thread (its own queue) or handed to an
     * outside waker (the inject queue). Every run must happen, every task exactly once at a time.
     */
    @Test
    void randomSubmissionsYieldsAndWakeUpsAcrossParkingCarriersLoseNothing() throws InterruptedException {
        int tasks = 3_000, runs = 30, carriers = 4;
        Map<Task, AtomicInteger> left = new IdentityHashMap<>();
        Map<Task, AtomicInteger> running = new IdentityHashMap<>();
        List<Task> all = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            Task t = task(5);
            all.add(t);
            left.put(t, new AtomicInteger(runs));
            running.put(t, new AtomicInteger());
        }
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicInteger overlaps = new AtomicInteger();
        AtomicReference<RunQueues> queues = new AtomicReference<>();
        java.util.concurrent.LinkedBlockingQueue<Task> toWake = new java.util.concurrent.LinkedBlockingQueue<>();
        Consumer<Carrier> loop = c -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (!Thread.currentThread().isInterrupted()) {
                RunQueues q = queues.get();
                Task t = q.next(c);
                if (t == null) t = q.idle(c, rnd.nextBoolean() ? Long.MAX_VALUE : 1_000_000);
                if (t == null) continue;
                if (running.get(t).incrementAndGet() != 1) overlaps.incrementAndGet();
                long key = t.queueKey;
                running.get(t).decrementAndGet();
                int r = left.get(t).decrementAndGet();
                if (r == 0) {
                    done.countDown();
                } else switch (rnd.nextInt(10)) {
                    case 0, 1, 2 -> toWake.add(t);
                    case 3, 4 -> q.put(c, t, key + rnd.nextInt(3), false);
                    default -> q.put(c, t, key + 1, true);
                }
            }
        };
        CarrierSet set = new CarrierSet(loop, c -> { }, carriers, carriers);
        queues.set(new RunQueues(set, SLICE));
        set.startBase();
        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                while (true) {
                    Task t = toWake.take();
                    if (ThreadLocalRandom.current().nextInt(100) == 0) LockSupport.parkNanos(50_000);
                    queues.get().put(null, t, t.queueKey, false);
                }
            } catch (InterruptedException e) {
                // the end
            }
        });
        try {
            for (int i = 0; i < tasks; i++) {
                queues.get().put(null, all.get(i), i, false);
                if (i % 100 == 99) LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(2_000_000));
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), done.getCount() + " tasks never finished: queued " + queues.get().size());
            assertEquals(0, overlaps.get(), "a task ran on two carriers at once");
            assertEquals(0, queues.get().size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queues.get().idleCarriers() != carriers && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(carriers, queues.get().idleCarriers(), "with nothing to do every carrier parks");
        } finally {
            waker.interrupt();
            for (Carrier c : set.all()) c.interrupt();
        }
    }
}
