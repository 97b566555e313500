package dev.preempt.runtime.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of nanosecond latencies for the bootstrap runtime, which may depend on
 * nothing outside the JDK (HdrHistogram lives in the agent and benchmarks). Values are grouped by power of
 * two, each split into 16 linear sub-buckets, so a reported percentile is within 1/16 (6.25%) above the
 * true value. Invariant: {@code count == sum of buckets}, up to concurrent records in flight.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private final AtomicLongArray buckets = new AtomicLongArray(64 * SUB);

    /** Records one latency; negative values count as 0. */
    public void recordNanos(long nanos) {
        buckets.incrementAndGet(index(Math.max(0, nanos)));
    }

    /**
     * Records one latency when this histogram has one writer at a time, each seeing the last one's writes
     * (a carrier's own histogram): a plain read and a release store instead of an atomic add, which is
     * most of the cost of a record on a switch path. Readers may see a count one record behind.
     */
    public void recordNanosSingleWriter(long nanos) {
        int i = index(Math.max(0, nanos));
        buckets.setRelease(i, buckets.getPlain(i) + 1);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // v in [2^exp, 2^(exp+1))
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    /** The upper bound of bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) {
            return i;
        }
        int exp = i / SUB + SUB_BITS - 1;
        long sub = i % SUB;
        return ((SUB + sub + 1) << (exp - SUB_BITS)) - 1;
    }

    /** One non-empty bucket: values in {@code (lowNanos, highNanos]} ({@code [0, 0]} for the first), and how many. */
    public record Bucket(long lowNanos, long highNanos, long count) {}

    /** Adds every value recorded in {@code other} to this one (per-carrier histograms merged for a report). */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < buckets.length(); i++) {
            long n = other.buckets.get(i);
            if (n != 0) {
                buckets.addAndGet(i, n);
            }
        }
    }

    /** The non-empty buckets, smallest values first: what a plot of the distribution needs. */
    public List<Bucket> nonEmptyBuckets() {
        List<Bucket> out = new ArrayList<>();
        for (int i = 0; i < buckets.length(); i++) {
            long n = buckets.get(i);
            if (n != 0) {
                out.add(new Bucket(i == 0 ? 0 : upperBound(i - 1), upperBound(i), n));
            }
        }
        return out;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) n += buckets.get(i);
        return n;
    }

    /** The value at percentile {@code p} (0..100), in nanoseconds; 0 when empty. */
    public long percentileNanos(double p) {
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(buckets.length() - 1);
    }
}
