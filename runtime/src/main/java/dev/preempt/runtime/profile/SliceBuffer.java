package dev.preempt.runtime.profile;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The run slices of one carrier, for the timeline and the trace: written by that carrier only (single
 * writer, no lock, no atomic read-modify-write), read by a report at any time from any thread.
 *
 * <p>Bounded: memory is taken a chunk of {@link #CHUNK} slices at a time, as the carrier needs it, from a
 * {@link Budget} that all carriers share ({@code profile.slices}), so a short run costs a few KiB and a long
 * one, or one with hundreds of spare carriers, no more than the budget. Once the budget is spent a
 * carrier keeps the slices it has and counts the rest as dropped (the report's aggregates, kept elsewhere,
 * still count every slice). Keeping the first rather than overwriting the oldest means a slot is never
 * rewritten, so a reader can never see one change under it. Each slice is four longs (32 bytes): start,
 * end, when it was queued, and a packed word (thread index, priority, arrival, end).
 *
 * <p>Publication: the writer fills a slot (and, first, stores the chunk reference), then publishes the new
 * count with a release store; a reader acquires the count and reads only slots below it. So a reader sees
 * whole slices and the chunks that hold them.
 */
final class SliceBuffer {
    static final int CHUNK = 1024;
    /** The most chunks one carrier can hold (2^21 slices): the index array's size, not a budget. */
    private static final int MAX_CHUNKS = 2048;
    static final int MAX_SLICES = MAX_CHUNKS * CHUNK;
    private static final int LONGS = 4;
    /** What one slice costs in the heap. */
    static final int BYTES_PER_SLICE = LONGS * Long.BYTES;

    /** The slices every carrier's buffer may still take, in chunks; shared, taken a chunk at a time. */
    static final class Budget {
        private final java.util.concurrent.atomic.AtomicInteger chunksLeft;

        /** Room for at least {@code slices} slices in all (rounded up to whole chunks). */
        Budget(int slices) {
            this.chunksLeft = new java.util.concurrent.atomic.AtomicInteger((int) ((slices + (long) CHUNK - 1) / CHUNK));
        }

        /** Takes one chunk; false when the budget is spent. Once per CHUNK slices of one carrier. */
        boolean take() {
            return chunksLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        }
    }

    private final Budget budget;
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SliceBuffer.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[][] chunks = new long[MAX_CHUNKS][];

    SliceBuffer(Budget budget) {
        this.budget = budget;
    }
    @SuppressWarnings("unused") // through COUNT
    private int count;
    /** Slices that did not fit; written by the writer only, read racily. */
    private volatile long dropped;

    /** One slice as read back, times in the recorder's clock. */
    record Entry(long startNanos, long endNanos, long queuedNanos, int thread, int priority, Arrival arrival, RunEnd end) {}

    /** Appends a slice. Called by the owning carrier only. */
    void add(long startNanos, long endNanos, long queuedNanos, int thread, int priority, Arrival arrival, RunEnd end) {
        int n = (int) COUNT.getOpaque(this); // own writes: no ordering needed to read them back
        long[] chunk = n >= MAX_SLICES ? null : chunks[n / CHUNK];
        if (chunk == null) {
            if (n >= MAX_SLICES || !budget.take()) {
                dropped = dropped + 1; // single writer: a plain increment cannot lose updates
                return;
            }
            chunk = chunks[n / CHUNK] = new long[CHUNK * LONGS];
        }
        int i = (n % CHUNK) * LONGS;
        chunk[i] = startNanos;
        chunk[i + 1] = endNanos;
        chunk[i + 2] = queuedNanos;
        chunk[i + 3] = ((long) thread << 32) | (priority << 16) | (arrival.ordinal() << 8) | end.ordinal();
        COUNT.setRelease(this, n + 1); // publishes the slot and the chunk reference above
    }

    /** The slices written so far (an acquire of the count: every slot below it is complete). */
    int size() {
        return (int) COUNT.getAcquire(this);
    }

    Entry get(int n) {
        long[] chunk = chunks[n / CHUNK];
        int i = (n % CHUNK) * LONGS;
        long packed = chunk[i + 3];
        return new Entry(chunk[i], chunk[i + 1], chunk[i + 2], (int) (packed >>> 32), (int) (packed >>> 16) & 0xffff,
                Arrival.values()[(int) (packed >>> 8) & 0xff], RunEnd.values()[(int) packed & 0xff]);
    }

    long dropped() {
        return dropped;
    }
}
