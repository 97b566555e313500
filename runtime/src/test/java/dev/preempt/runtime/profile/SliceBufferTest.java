package dev.preempt.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SliceBufferTest {

    private static SliceBuffer unbudgeted() {
        return new SliceBuffer(new SliceBuffer.Budget(Integer.MAX_VALUE));
    }

    @Test
    void slicesReadBackAsWrittenAcrossChunks() {
        SliceBuffer b = unbudgeted();
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
        SliceBuffer b = unbudgeted();
        for (int i = 0; i < SliceBuffer.MAX_SLICES + 5; i++) {
            b.add(i, i + 1, 0, 0, 5, Arrival.NEW, RunEnd.BLOCKED);
        }
        assertEquals(SliceBuffer.MAX_SLICES, b.size());
        assertEquals(5, b.dropped());
        assertEquals(SliceBuffer.MAX_SLICES - 1, b.get(SliceBuffer.MAX_SLICES - 1).startNanos(), "the first slices are kept");
    }

    /**
     * The budget ({@code profile.slices}) is shared: carriers take whole chunks from it while they need
     * them, and once it is spent every carrier keeps what it has and counts the rest, however many carriers
     * (spares included) there are.
     */
    @Test
    void carriersShareOneBudgetAndDropWhatIsBeyondIt() {
        SliceBuffer.Budget budget = new SliceBuffer.Budget(3 * SliceBuffer.CHUNK);
        SliceBuffer[] carriers = new SliceBuffer[8];
        for (int c = 0; c < carriers.length; c++) {
            carriers[c] = new SliceBuffer(budget);
        }
        for (int i = 0; i < 2 * SliceBuffer.CHUNK; i++) {
            for (SliceBuffer b : carriers) {
                b.add(i, i + 1, 0, 0, 5, Arrival.NEW, RunEnd.YIELDED);
            }
        }
        long kept = 0, dropped = 0;
        for (SliceBuffer b : carriers) {
            kept += b.size();
            dropped += b.dropped();
        }
        assertEquals(3L * SliceBuffer.CHUNK, kept, "no more than the budget is kept");
        assertEquals(8L * 2 * SliceBuffer.CHUNK, kept + dropped, "every slice is kept or counted");
    }

    /** A reader racing the writer only ever sees whole slices: each slot's fields agree with each other. */
    @Test
    void aConcurrentReaderSeesOnlyCompleteSlices() throws Exception {
        SliceBuffer b = unbudgeted();
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
