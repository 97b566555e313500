package dev.preempt.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The native backend on this machine, and the Java backend taking over when it fails. */
class NativeTimerBackendTest {
    private final NativeTimerBackend nativeTimer = new NativeTimerBackend();

    @Test
    void theNativeLibraryLoadsOnThisMachineAndAutoPicksIt() {
        TimerBackend.Availability a = nativeTimer.probe();
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("timerfd") && a.reason().contains(NativeLibrary.platform()), a.reason());
        assertEquals("native", TimerBackends.select("auto").name());
        assertEquals("java", TimerBackends.select("java").name());
    }

    @Test
    void ticksArriveAtTheRequestedRateAndCountMissedOnesWithoutDrift() throws InterruptedException {
        AtomicLong calls = new AtomicLong();
        AtomicReference<TimerBackend.Ticker> ticker = new AtomicReference<>();
        long[] firstAndLast = new long[4]; // at the first and the latest callback: nanoTime, ticks (guarded by itself)
        try (TimerBackend.Ticker t = nativeTimer.start(1_000_000L, () -> {
            calls.incrementAndGet();
            TimerBackend.Ticker self = ticker.get();
            if (self != null) {
                long now = System.nanoTime(), ticks = self.ticks(); // a callback follows its tick count
                synchronized (firstAndLast) {
                    if (firstAndLast[0] == 0) {
                        firstAndLast[0] = now;
                        firstAndLast[1] = ticks;
                    }
                    firstAndLast[2] = now;
                    firstAndLast[3] = ticks;
                }
            }
        })) {
            ticker.set(t);
            Thread.sleep(500);
            long callbacks = calls.get();
            long ticks = t.ticks();
            long periods, counted;
            synchronized (firstAndLast) {
                periods = (firstAndLast[2] - firstAndLast[0]) / 1_000_000L;
                counted = firstAndLast[3] - firstAndLast[1];
            }
            // Expirations are counted by the kernel on the period grid: late wake-ups lose no tick and add
            // none. Measured between two callbacks, each right after the read it follows, so neither when the
            // timer was armed nor a tick thread that the OS has not run for a while (a loaded machine) counts.
            assertTrue(periods > 100, "callbacks spanned only " + periods + " periods");
            assertTrue(Math.abs(counted - periods) <= 3, counted + " ticks counted over " + periods + " periods");
            assertTrue(callbacks > 0 && callbacks <= ticks, "callbacks " + callbacks + ", ticks " + ticks);
        }
    }

    @Test
    void closeStopsTheTickThread() throws InterruptedException {
        TimerBackend.Ticker t = nativeTimer.start(1_000_000L, () -> { });
        Thread.sleep(20);
        t.close();
        long after = t.ticks();
        Thread.sleep(30);
        assertFalse(t.alive());
        assertTrue(t.ticks() - after <= 1, "ticked after close: " + (t.ticks() - after));
    }

    @Test
    void theClockIsMonotonicAndAgreesWithNanoTime() {
        long prev = nativeTimer.clockNanos();
        for (int i = 0; i < 1_000_000; i++) {
            long now = nativeTimer.clockNanos();
            assertTrue(now >= prev, "clock went back");
            prev = now;
        }
        long diff = nativeTimer.clockNanos() - System.nanoTime();
        assertTrue(Math.abs(diff) < 2_000_000L, "native clock differs from System.nanoTime by " + diff + " ns");
    }

    @Test
    void aStalledNativeTickerIsReplacedByTheJavaOneWithinAFewPeriods() throws InterruptedException {
        AtomicLong calls = new AtomicLong();
        AtomicReference<String> reported = new AtomicReference<>();
        NativeTimerBackend.NativeTicker primary = (NativeTimerBackend.NativeTicker) nativeTimer.start(1_000_000L, calls::incrementAndGet);
        SupervisedTicker s = new SupervisedTicker(primary, 1_000_000L, calls::incrementAndGet, reported::set);
        try {
            Thread.sleep(30);
            assertFalse(s.fellBack(), "a ticking native timer is kept");
            primary.stall(); // fault injection: the timer stops firing, its thread stays blocked
            // 10 on-time windows of 10 ms without a tick make a stall; windows in which the watchdog itself
            // woke late do not count, so on a loaded machine it takes longer: wait for it, with a deadline.
            assertTrue(within(5_000, () -> s.fellBack() && reported.get() != null), "no fallback after a stall"); // reported just after
            assertTrue(reported.get().contains("no tick for") && reported.get().contains("java timer"), reported.get());
            long before = calls.get();
            assertTrue(within(5_000, () -> calls.get() - before >= 20), "the java ticker keeps ticking: " + (calls.get() - before));
        } finally {
            s.close();
        }
    }

    @Test
    void aDeadNativeTickThreadIsReplacedToo() throws InterruptedException {
        AtomicReference<String> reported = new AtomicReference<>();
        TimerBackend.Ticker primary = nativeTimer.start(1_000_000L, () -> { });
        SupervisedTicker s = new SupervisedTicker(primary, 1_000_000L, () -> { }, reported::set);
        try {
            Thread.sleep(30);
            primary.close(); // the tick thread exits, as if it had died
            assertTrue(within(5_000, () -> s.fellBack() && reported.get() != null));
            assertTrue(s.alive());
            assertTrue(reported.get().contains("the tick thread stopped") || reported.get().contains("no tick for"), reported.get());
        } finally {
            s.close();
        }
    }

    @Test
    void twoJvmsWorthOfConcurrentExtractionsAgreeOnOneIntactFile() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Path>> jobs = new ArrayList<>();
            for (int i = 0; i < 16; i++) jobs.add(NativeLibrary::extract);
            List<Path> paths = new ArrayList<>();
            for (Future<Path> f : pool.invokeAll(jobs)) paths.add(f.get());
            assertEquals(1, paths.stream().distinct().count(), paths.toString());
            assertTrue(java.nio.file.Files.size(paths.get(0)) > 1000);
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void anArchitectureWithoutALibrarySaysSo() {
        String arch = System.getProperty("os.arch");
        try {
            System.setProperty("os.arch", "sparcv9");
            IOException e = assertThrows(IOException.class, NativeLibrary::extract);
            assertEquals("no native timer library for linux-sparcv9 in this build", e.getMessage());
        } finally {
            System.setProperty("os.arch", arch);
        }
    }

    @Test
    void anUnknownBackendIsNamedInTheError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TimerBackends.select("atomic"));
        assertEquals("timer=atomic: no such backend (expected auto, native or java)", e.getMessage());
    }

    /** {@code timer=}'s values, which the agent's option table lists, are auto and every backend this build has. */
    @Test
    void timerChoicesAreAutoAndEveryBackendByName() {
        List<String> names = new ArrayList<>(List.of("auto"));
        TimerBackends.all().forEach(b -> names.add(b.name()));
        assertEquals(names, TimerBackends.CHOICES);
    }

    /** Whether {@code condition} holds within {@code millis}, polled every millisecond. */
    private static boolean within(long millis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
