package dev.preempt.timer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native backend: {@code libpreempt-timer.so} (one per architecture, see {@code src/main/c}) bound with
 * the FFM API. Ticks come from a timerfd with absolute CLOCK_MONOTONIC deadlines; the clock is the cycle
 * counter ({@code rdtsc}, {@code cntvct_el0}, {@code rdtime}) calibrated against CLOCK_MONOTONIC.
 *
 * <p>Tick delivery: a Java platform thread blocks in a downcall to {@code read()} on the timerfd and runs
 * {@code onTick} when it returns. No upcall from a native thread: the tick thread is an ordinary Java thread
 * (named, visible to tools, stoppable), and a read returning the number of expirations tells it how many
 * ticks it missed without ever firing them in a burst.
 */
public final class NativeTimerBackend implements TimerBackend {
    private static final Binding BINDING = Binding.load();

    @Override
    public String name() {
        return "native";
    }

    @Override
    public Availability probe() {
        return BINDING.error() == null ? Availability.yes(BINDING.description()) : Availability.no(BINDING.error());
    }

    @Override
    public long clockNanos() {
        try {
            return (long) BINDING.clockNanos().invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("native clock read failed", t);
        }
    }

    @Override
    public boolean raiseTimerThreadPriority() {
        // Bit 1 of the status: the priority was raised (preempt_timer.h, PT_TUNED_PRIORITY); no CPU pinning.
        return BINDING.error() == null && (BINDING.call(BINDING.tuneThread(), -1) & 1) != 0;
    }

    @Override
    public Ticker start(long periodNanos, Runnable onTick) {
        if (BINDING.error() != null) {
            throw new IllegalStateException("timer=native cannot run here: " + BINDING.error());
        }
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be > 0, was " + periodNanos);
        }
        int fd = BINDING.call(BINDING.tickerCreate(), periodNanos);
        if (fd < 0) {
            throw new IllegalStateException("timerfd_create/settime failed: errno " + -fd);
        }
        NativeTicker t = new NativeTicker(fd, onTick);
        t.thread.start();
        return t;
    }

    /** A running native ticker; {@link #stall()} is the fault-injection hook the fallback is tested with. */
    public static final class NativeTicker implements Ticker {
        private final int fd;
        private final Thread thread;
        private final AtomicLong ticks = new AtomicLong();
        private volatile boolean stopped;
        private volatile int tuneStatus;

        private NativeTicker(int fd, Runnable onTick) {
            this.fd = fd;
            this.thread = new Thread(() -> loop(onTick), "preempt-timer-native");
            thread.setDaemon(true);
        }

        private void loop(Runnable onTick) {
            // Pin to the last CPU only where there are CPUs to spare; on 2 it would just fight a carrier.
            int cpus = Runtime.getRuntime().availableProcessors();
            tuneStatus = BINDING.call(BINDING.tuneThread(), cpus >= 4 ? cpus - 1 : -1);
            try {
                while (!stopped) {
                    long n = BINDING.callLong(BINDING.tickerWait(), fd);
                    if (n < 0 || stopped) {
                        return;
                    }
                    ticks.addAndGet(n);
                    onTick.run();
                }
            } finally {
                BINDING.call(BINDING.tickerClose(), fd);
            }
        }

        /** What tuning the tick thread got: raised priority and affinity, or why not. */
        public String tuning() {
            int s = tuneStatus;
            return ((s & 1) != 0 ? "priority raised (nice -10)" : (s & 4) != 0 ? "priority not raised (not permitted)" : "priority unchanged")
                    + ", " + ((s & 2) != 0 ? "pinned to the last CPU" : (s & 8) != 0 ? "affinity not permitted" : "not pinned (fewer than 4 CPUs)");
        }

        /** Stops the ticks without stopping the thread, as a stalled timer would: for fault-injection tests. */
        public void stall() {
            BINDING.call(BINDING.tickerStall(), fd);
        }

        @Override
        public long ticks() {
            return ticks.get();
        }

        @Override
        public boolean alive() {
            return thread.isAlive() && !stopped;
        }

        @Override
        public void close() {
            if (!stopped) {
                stopped = true;
                BINDING.call(BINDING.tickerKick(), fd); // wake the blocked read; the thread closes the fd
            }
        }
    }

    /**
     * The loaded library's entry points, or the reason it could not be loaded. A record because the JIT
     * trusts record fields as constants: {@code clockNanos} then compiles to a direct native call.
     */
    private record Binding(String error, String description, MethodHandle clockNanos, MethodHandle tickerCreate,
                           MethodHandle tickerWait, MethodHandle tickerStall, MethodHandle tickerKick,
                           MethodHandle tickerClose, MethodHandle tuneThread) {

        static Binding failed(String why) {
            return new Binding(why, null, null, null, null, null, null, null, null);
        }

        static Binding load() {
            try {
                Path lib = NativeLibrary.extract();
                SymbolLookup l = SymbolLookup.libraryLookup(lib, Arena.global());
                Linker linker = Linker.nativeLinker();
                MethodHandle describe = linker.downcallHandle(l.findOrThrow("pt_describe"), FunctionDescriptor.of(ADDRESS));
                MethodHandle calibrate = linker.downcallHandle(l.findOrThrow("pt_clock_calibrate"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
                // The clock read neither blocks nor calls back: critical skips the thread-state transition.
                MethodHandle clock = linker.downcallHandle(l.findOrThrow("pt_clock_nanos"), FunctionDescriptor.of(JAVA_LONG),
                        Linker.Option.critical(false));
                MethodHandle create = linker.downcallHandle(l.findOrThrow("pt_ticker_create"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
                MethodHandle waitTick = linker.downcallHandle(l.findOrThrow("pt_ticker_wait"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
                MethodHandle stall = linker.downcallHandle(l.findOrThrow("pt_ticker_stall"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                MethodHandle kick = linker.downcallHandle(l.findOrThrow("pt_ticker_kick"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                MethodHandle close = linker.downcallHandle(l.findOrThrow("pt_ticker_close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                MethodHandle tune = linker.downcallHandle(l.findOrThrow("pt_tune_current_thread"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                // 5 ms of calibration: a rate error near 1e-5, and once per JVM.
                int counterClock = (int) calibrate.invokeExact(5_000_000L);
                MemorySegment d = (MemorySegment) describe.invokeExact();
                String description = "timerfd ticker, " + d.reinterpret(200).getString(0) + " (" + NativeLibrary.platform()
                        + (counterClock == 1 ? "" : ", counter unusable") + ")";
                return new Binding(null, description, clock, create, waitTick, stall, kick, close, tune);
            } catch (Throwable t) {
                return failed(t.getMessage() == null ? t.toString() : t.getMessage());
            }
        }

        int call(MethodHandle h, long arg) {
            try {
                return (int) h.invokeExact(arg);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int call(MethodHandle h, int arg) {
            try {
                return (int) h.invokeExact(arg);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        long callLong(MethodHandle h, int arg) {
            try {
                return (long) h.invokeExact(arg);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
