package dev.preempt.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SliceBufferTest {

    @Test
    void slicesReadBackAsWrittenAcrossChunks() {
        SliceBuffer b = new SliceBuffer();
        int n = SliceBuffer.CHUNK * 2 + 7;
        for (int i = 0; i < n; i++) {
            b.add(i * 10L, i * 10L + 5, i * 10L - 3, i % 1000, 1 + i % 10, Arrival.values()[i % 4], RunEnd.values()[i % 4]);
        }
        assertEquals(n, b.size());
        for (int i = 0; i < n; i++) {
            SliceBuffer.Entry e = b.get(i);
            assertEquals(new SliceBuffer.Entry(i * 10L, i * 10L + 5, i * 10L - 3, i % 1000, 1 + i % 10, Arrival.values()[i % 4],
                    RunEnd.values()[i % 4]), e);
        }
    }

    @Test
    void beyondTheBoundSlicesAreCountedAsDroppedNotKept() {
        SliceBuffer b = new SliceBuffer();
        for (int i = 0; i < SliceBuffer.MAX_SLICES + 5; i++) {
            b.add(i, i + 1, 0, 0, 5, Arrival.NEW, RunEnd.BLOCKED);
        }
        assertEquals(SliceBuffer.MAX_SLICES, b.size());
        assertEquals(5, b.dropped());
        assertEquals(SliceBuffer.MAX_SLICES - 1, b.get(SliceBuffer.MAX_SLICES - 1).startNanos(), "the first slices are kept");
    }

    /** A reader racing the writer only ever sees whole slices: each slot's fields agree with each other. */
    @Test
    void aConcurrentReaderSeesOnlyCompleteSlices() throws Exception {
        SliceBuffer b = new SliceBuffer();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!done.get() && problem.get() == null) {
                int n = b.size();
                for (int i = Math.max(0, n - 64); i < n; i++) {
                    SliceBuffer.Entry e = b.get(i);
                    if (e.startNanos() != i || e.endNanos() != 2L * i || e.thread() != i % 5000) {
                        problem.set("slot " + i + " read as " + e);
                    }
                }
            }
        });
        for (int i = 0; i < 200_000; i++) {
            b.add(i, 2L * i, 0, i % 5000, 5, Arrival.WOKEN, RunEnd.YIELDED);
        }
        done.set(true);
        reader.join();
        assertTrue(problem.get() == null, problem::get);
    }
}
