package dev.preempt.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecorderTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Recorder recorder = new Recorder(clock::get, List.of("c0", "c1"), 2_000_000, 200_000, 1_000, 64 * 1024);

    @Test
    void aSnapshotTotalsEachThreadAndCarrierAndTimesFromTheStart() {
        Thread a = Thread.ofVirtual().name("a").unstarted(() -> {});
        Thread b = Thread.ofVirtual().name("b").unstarted(() -> {});
        ThreadProfile pa = recorder.threadStarted(a, 5, 1_000_000);
        ThreadProfile pb = recorder.threadStarted(b, 8, 1_100_000);
        recorder.slice(0, pa, 5, Arrival.NEW, 1_000_000, 1_050_000, 3_050_000, RunEnd.PREEMPTED);
        recorder.slice(1, pb, 8, Arrival.NEW, 1_100_000, 1_100_500, 1_600_500, RunEnd.BLOCKED);
        recorder.slice(1, pa, 5, Arrival.PREEMPTED, 3_050_000, 3_060_000, 4_060_000, RunEnd.TERMINATED);
        recorder.slice(0, pb, 8, Arrival.WOKEN, 2_000_000, 2_000_100, 2_500_100, RunEnd.YIELDED);
        clock.set(5_000_000);
        ProfileSnapshot s = recorder.snapshot();

        assertEquals(4_000_000, s.durationNanos());
        ProfileSnapshot.ThreadRow ra = s.thread(pa.index), rb = s.thread(pb.index);
        assertEquals("a", ra.name());
        assertEquals(3_000_000, ra.cpuNanos());
        assertEquals(1, ra.preemptions());
        assertEquals(3_060_000, ra.endedNanos(), "ended at its last slice's end, since the start");
        assertEquals(1_000_000, rb.cpuNanos());
        assertEquals(1, rb.blocks());
        assertEquals(1, rb.yields());
        assertEquals(1, rb.wakeups());
        assertEquals(-1, rb.endedNanos());
        assertEquals(2_500_000, s.carriers().get(0).busyNanos());
        assertEquals(1_500_000, s.carriers().get(1).busyNanos());
        assertEquals(3_000_000, s.cpuByPriorityNanos()[5]);
        assertEquals(1_000_000, s.cpuByPriorityNanos()[8]);
        assertEquals(4, s.slices().size());
        assertEquals(50_000, s.slices().get(0).startNanos(), "slice times are since the start");
        // Wake-ups (NEW, WOKEN): 50 us, 0.5 us, 0.1 us; requeue (PREEMPTED): 10 us.
        assertEquals(3, s.wakeupDelay().count());
        assertEquals(1, s.requeueDelay().count());
        assertTrue(s.requeueDelay().percentileNanos(100) >= 10_000);
    }

    @Test
    void latePollsAreGroupedBySiteMostTotalLatenessFirst() {
        recorder.pollReached(0, 100, null);
        recorder.pollReached(0, 900_000, "A.slow(A.java:3)");
        recorder.pollReached(1, 300_000, "B.loop(B.java:9)");
        recorder.pollReached(1, 400_000, "B.loop(B.java:9)");
        ProfileSnapshot s = recorder.snapshot();
        assertEquals(List.of(new ProfileSnapshot.LateSite("A.slow(A.java:3)", 1, 900_000, 900_000),
                new ProfileSnapshot.LateSite("B.loop(B.java:9)", 2, 700_000, 400_000)), s.lateSites());
        assertEquals(4, s.pastSlice().count());
    }

    @Test
    void aStoppedRecorderRecordsNothingMore() {
        ThreadProfile p = recorder.threadStarted(Thread.ofVirtual().unstarted(() -> {}), 5, 1_000_000);
        recorder.stop();
        recorder.slice(0, p, 5, Arrival.NEW, 0, 1_000_000, 2_000_000, RunEnd.BLOCKED);
        assertEquals(0, recorder.snapshot().slices().size());
        assertEquals(null, recorder.threadStarted(Thread.ofVirtual().unstarted(() -> {}), 5, 0));
    }

    /** profile.threads: the first threads are recorded, the rest counted; a bound, not a function of run time. */
    @Test
    void threadsBeyondProfileThreadsAreCountedNotRecorded() {
        Recorder small = new Recorder(clock::get, List.of("c0"), 2_000_000, 200_000, 3, 64 * 1024);
        for (int i = 0; i < 5; i++) {
            Thread t = Thread.ofVirtual().name("t" + i).unstarted(() -> {});
            ThreadProfile p = small.threadStarted(t, 5, clock.get());
            assertEquals(i < 3, p != null, "thread " + i);
        }
        ProfileSnapshot s = small.snapshot();
        assertEquals(3, s.threads().size());
        assertEquals(2, s.droppedThreads());
    }
}
