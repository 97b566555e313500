package dev.preempt.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void everyValueLandsInABucketWhoseBoundIsAtMostOneSixteenthAbove() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long v = r.nextLong(1L << 40);
            int b = LatencyHistogram.index(v);
            long upper = LatencyHistogram.upperBound(b);
            assertTrue(upper >= v && upper <= v + v / 16 + 1, v + " -> bucket " + b + " bound " + upper);
            assertTrue(b == 0 || LatencyHistogram.upperBound(b - 1) < v, "bucket below must end before " + v);
        }
    }

    @Test
    void percentilesOfAKnownDistribution() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 1000; v++) {
            h.recordNanos(v * 1000);
        }
        assertEquals(1000, h.count());
        long p50 = h.percentileNanos(50);
        long p99 = h.percentileNanos(99);
        assertTrue(p50 >= 500_000 && p50 <= 500_000 * 17 / 16, "p50 " + p50);
        assertTrue(p99 >= 990_000 && p99 <= 990_000 * 17 / 16, "p99 " + p99);
        assertEquals(0, new LatencyHistogram().percentileNanos(99));
    }

    @Test
    void mergedHistogramsCountBothAndBucketsCoverEveryValueOnce() {
        LatencyHistogram a = new LatencyHistogram(), b = new LatencyHistogram();
        a.recordNanos(0);
        a.recordNanos(1_000);
        b.recordNanos(1_000);
        b.recordNanos(5_000_000);
        a.add(b);
        assertEquals(4, a.count());
        var buckets = a.nonEmptyBuckets();
        assertEquals(3, buckets.size());
        assertEquals(new LatencyHistogram.Bucket(0, 0, 1), buckets.get(0));
        assertEquals(2, buckets.get(1).count());
        assertTrue(buckets.get(1).lowNanos() < 1_000 && buckets.get(1).highNanos() >= 1_000, buckets.get(1).toString());
        assertTrue(buckets.get(2).lowNanos() < 5_000_000 && buckets.get(2).highNanos() >= 5_000_000, buckets.get(2).toString());
        assertEquals(2, b.count(), "the source is unchanged");
    }

    @Test
    void aSingleWriterRecordsTheSameAsTheAtomicPath() {
        LatencyHistogram atomic = new LatencyHistogram(), single = new LatencyHistogram();
        for (long v = 0; v < 100_000; v += 7) {
            atomic.recordNanos(v);
            single.recordNanosSingleWriter(v);
        }
        assertEquals(atomic.nonEmptyBuckets(), single.nonEmptyBuckets());
    }
}
