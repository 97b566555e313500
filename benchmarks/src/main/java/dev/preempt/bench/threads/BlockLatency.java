package dev.preempt.bench.threads;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How long a runnable thread waits while both carriers sit in a native call: the blocked-carrier monitor's
 * time to find them and start a spare. Plain app code, run under the agent with {@code carriers=2} (and
 * {@code --enable-native-access=ALL-UNNAMED}). Each round starts two platform threads (mapped) that call
 * libc's {@code usleep(SLEEP_MS)} through FFM, which holds their carriers, and one more thread that only
 * notes when it first runs: {@code external}: started by the main thread 1 ms into the calls;
 * {@code internal}: started by the first blocking thread just before its call, so that nobody else runs
 * or submits. Prints the waits' median, 90th percentile and maximum in microseconds, and each round's.
 *
 *   BlockLatency external|internal ROUNDS SLEEP_MS
 */
public final class BlockLatency {
    private static final MethodHandle USLEEP;

    static {
        Linker linker = Linker.nativeLinker();
        USLEEP = linker.downcallHandle(linker.defaultLookup().find("usleep").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private BlockLatency() {}

    public static void main(String[] args) throws Exception {
        boolean internal = switch (args[0]) {
            case "internal" -> true;
            case "external" -> false;
            default -> throw new IllegalArgumentException("mode: external or internal, not " + args[0]);
        };
        int rounds = Integer.parseInt(args[1]);
        int sleepMicros = Integer.parseInt(args[2]) * 1000;
        long[] waitMicros = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            waitMicros[r] = round(internal, sleepMicros);
            Thread.sleep(5);
        }
        long[] sorted = waitMicros.clone();
        Arrays.sort(sorted);
        System.out.println("mode=" + args[0] + " wait_us p50=" + sorted[rounds / 2] + " p90=" + sorted[rounds * 9 / 10]
                + " max=" + sorted[rounds - 1] + " all=" + Arrays.toString(waitMicros));
    }

    /** One round: how long the extra thread waited from its start() to its first instruction, in microseconds. */
    private static long round(boolean internal, int sleepMicros) throws InterruptedException {
        CountDownLatch inCalls = new CountDownLatch(2);
        AtomicLong started = new AtomicLong();
        AtomicLong ran = new AtomicLong();
        AtomicReference<Thread> extra = new AtomicReference<>();
        Runnable note = () -> ran.set(System.nanoTime());
        List<Thread> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            boolean first = i == 0;
            Thread b = new Thread(() -> {
                inCalls.countDown();
                if (internal && first) {
                    await(inCalls);
                    started.set(System.nanoTime());
                    Thread w = new Thread(note);
                    w.start();
                    extra.set(w);
                }
                usleep(sleepMicros);
            });
            blockers.add(b);
            b.start();
        }
        inCalls.await();
        if (!internal) {
            Thread.sleep(1);
            started.set(System.nanoTime());
            Thread w = new Thread(note);
            w.start();
            extra.set(w);
        }
        for (Thread b : blockers) {
            b.join();
        }
        while (extra.get() == null) {
            Thread.onSpinWait();
        }
        extra.get().join();
        return (ran.get() - started.get()) / 1000;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void usleep(int micros) {
        try {
            int ignored = (int) USLEEP.invokeExact(micros);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
