package dev.preempt.runtime.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunQueueTest {

    private static Task task(String name, int priority) {
        return new Task(new Thread(name), () -> { }, priority, false);
    }

    @Test
    void smallestKeyRunsFirstAndTiesAreFifo() {
        RunQueue q = new RunQueue();
        Task a = task("a", 5), b = task("b", 5), c = task("c", 5), d = task("d", 5);
        q.put(a, 30);
        q.put(b, 10);
        q.put(c, 10);
        q.put(d, 20);
        assertEquals(10, q.peekKey());
        List<Task> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) order.add(q.poll());
        assertEquals(List.of(b, c, d, a), order);
        assertNull(q.poll());
        assertEquals(Long.MAX_VALUE, q.peekKey());
    }

    @Test
    void strictKeysPutHigherPrioritiesFirst() {
        RunQueue q = new RunQueue();
        Task low = task("low", 1), high = task("high", 10), mid = task("mid", 5);
        q.put(low, -low.priority);
        q.put(high, -high.priority);
        q.put(mid, -mid.priority);
        assertSame(high, q.poll());
        assertSame(mid, q.poll());
        assertSame(low, q.poll());
    }

    @Test
    void takeHalfHandsOutTheBestHalfBestFirstAndPutAllKeepsTheKeys() {
        RunQueue q = new RunQueue();
        for (int k = 0; k < 5; k++) q.put(task("t" + k, 5), 50 - k * 10); // keys 50, 40, 30, 20, 10
        Task[] buf = new Task[8];
        assertEquals(3, q.takeHalf(buf, false), "half of 5, rounded up");
        assertEquals(List.of(10L, 20L, 30L), List.of(buf[0].queueKey, buf[1].queueKey, buf[2].queueKey));
        assertEquals(2, q.size());
        assertEquals(40, q.peekKey());
        RunQueue other = new RunQueue();
        other.putAll(buf, 3);
        assertNull(buf[0], "moved, not copied");
        assertEquals(10, other.peekKey());
        assertEquals(3, other.size());
    }

    @Test
    void takeHalfIsBoundedByTheBuffer() {
        RunQueue q = new RunQueue();
        for (int k = 0; k < 100; k++) q.put(task("t", 5), k);
        assertEquals(4, q.takeHalf(new Task[4], true));
        assertEquals(96, q.size());
    }

    @Test
    void manyProducersLoseNothing() throws InterruptedException {
        RunQueue q = new RunQueue();
        int producers = 8, each = 5_000;
        List<Thread> ts = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p;
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) q.put(task("t", 5), base * each + i);
            }));
        }
        for (Thread t : ts) t.join();
        assertEquals(producers * each, q.size());
        long last = Long.MIN_VALUE;
        for (int i = 0; i < producers * each; i++) {
            long k = q.poll().queueKey;
            assertTrue(k >= last, "keys come out in order");
            last = k;
        }
        assertEquals(0, q.size());
    }

    @Test
    void priorityWeightsStepByAQuarterAndTenVersusOneIsAboutSevenAndAHalf() {
        assertEquals(Weights.NORM, Weights.of(Thread.NORM_PRIORITY));
        for (int p = 2; p <= 10; p++) {
            double step = (double) Weights.of(p) / Weights.of(p - 1);
            assertTrue(Math.abs(step - 1.25) < 0.01, "step " + p + ": " + step);
        }
        double ratio = (double) Weights.of(10) / Weights.of(1);
        assertTrue(ratio > 7 && ratio < 8, "10 vs 1: " + ratio);
        assertEquals(Weights.of(1), Weights.of(-3), "out-of-range priorities clamp");
    }

    @Test
    void aHigherPriorityAgesMoreSlowly() {
        Task high = task("h", 10), low = task("l", 1);
        high.charge(1_000_000);
        low.charge(1_000_000);
        assertTrue(low.vruntimeNanos.get() > 7 * high.vruntimeNanos.get());
    }
}
