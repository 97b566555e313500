package dev.preempt.runtime.profile;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The run slices of one carrier, for the timeline and the trace: written by that carrier only (single
 * writer, no lock, no atomic read-modify-write), read by a report at any time from any thread.
 *
 * <p>Bounded: it keeps the first {@link #MAX_SLICES} slices and counts the rest as dropped (the report's
 * aggregates, kept elsewhere, still count every slice). Keeping the first rather than overwriting the
 * oldest means a slot is never rewritten, so a reader can never see one change under it.
 *
 * <p>Memory is taken a chunk of {@link #CHUNK} slices at a time as the carrier needs it, so a short run
 * costs a few KiB, not the bound. Each slice is four longs: start, end, when it was queued, and a packed
 * word (thread index, priority, arrival, end).
 *
 * <p>Publication: the writer fills a slot (and, first, stores the chunk reference), then publishes the new
 * count with a release store; a reader acquires the count and reads only slots below it. So a reader sees
 * whole slices and the chunks that hold them.
 */
final class SliceBuffer {
    static final int CHUNK = 4096;
    static final int MAX_SLICES = 64 * CHUNK;
    private static final int LONGS = 4;
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SliceBuffer.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[][] chunks = new long[MAX_SLICES / CHUNK][];
    @SuppressWarnings("unused") // through COUNT
    private int count;
    /** Slices that did not fit; written by the writer only, read racily. */
    private volatile long dropped;

    /** One slice as read back, times in the recorder's clock. */
    record Entry(long startNanos, long endNanos, long queuedNanos, int thread, int priority, Arrival arrival, RunEnd end) {}

    /** Appends a slice. Called by the owning carrier only. */
    void add(long startNanos, long endNanos, long queuedNanos, int thread, int priority, Arrival arrival, RunEnd end) {
        int n = (int) COUNT.getOpaque(this); // own writes: no ordering needed to read them back
        if (n >= MAX_SLICES) {
            dropped = dropped + 1; // single writer: a plain increment cannot lose updates
            return;
        }
        long[] chunk = chunks[n / CHUNK];
        if (chunk == null) {
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
