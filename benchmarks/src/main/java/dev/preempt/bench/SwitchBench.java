package dev.preempt.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Thread switch cost. {@link #virtualYield}: two virtual threads on one carrier take turns with
 * {@code Thread.yield()}: each yield is one unmount, one trip through the scheduler's queue and one mount.
 * Run stock with the JDK scheduler limited to one carrier, and with the agent at {@code carriers=1} (its
 * {@code Thread.ofVirtual()} call is redirected to preempt's scheduler). {@link #platformParkUnpark}: the
 * same ping-pong between two platform threads with park/unpark, the cost virtual threads avoid.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SwitchBench {
    private static final int YIELDS = 20_000;
    private static final int ROUNDS = 5_000;

    @Benchmark
    @OperationsPerInvocation(2 * YIELDS)
    public void virtualYield() throws InterruptedException {
        Runnable yielder = () -> {
            for (int i = 0; i < YIELDS; i++) {
                Thread.yield();
            }
        };
        Thread a = Thread.ofVirtual().start(yielder);
        Thread b = Thread.ofVirtual().start(yielder);
        a.join();
        b.join();
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void platformParkUnpark() throws InterruptedException {
        AtomicBoolean pingTurn = new AtomicBoolean(true);
        Thread[] threads = new Thread[2];
        for (int side = 0; side < 2; side++) {
            boolean ping = side == 0;
            threads[side] = Thread.ofPlatform().unstarted(() -> {
                Thread other = threads[ping ? 1 : 0];
                for (int i = 0; i < ROUNDS; i++) {
                    while (pingTurn.get() != ping) {
                        LockSupport.park(this);
                    }
                    pingTurn.set(!ping);
                    LockSupport.unpark(other);
                }
            });
        }
        threads[0].start();
        threads[1].start();
        threads[0].join();
        threads[1].join();
    }
}
