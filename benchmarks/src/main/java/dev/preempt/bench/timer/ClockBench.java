package dev.preempt.bench.timer;

import dev.preempt.timer.NativeTimerBackend;
import dev.preempt.timer.TimerBackend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Clock read cost: the native backend's calibrated cycle counter (an FFM critical downcall) against
 * {@code System.nanoTime} (the JVM's clock_gettime through the vDSO), in the same fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ClockBench {
    private final TimerBackend nativeTimer = new NativeTimerBackend();

    @Benchmark
    public long nativeCycleCounter() {
        return nativeTimer.clockNanos();
    }

    @Benchmark
    public long systemNanoTime() {
        return System.nanoTime();
    }
}
