package dev.preempt.runtime.scheduler;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler's carriers: {@code parallelism} base carriers that live as long as the scheduler, and
 * spares that {@link BlockedCarrierMonitor} adds while carriers are blocked in a call that holds them
 * (a file or terminal read, a native call, a pinned {@code Object.wait}) and that leave once enough
 * carriers are free again. At most {@code maxCarriers} exist at once.
 *
 * <p>The invariant the monitor keeps while anyone waits in the run queue: at least {@code parallelism}
 * carriers are not blocked, so a blocked call costs the app one OS thread, never a share of its CPUs.
 * A spare that is no longer needed parks, out of the set, for up to {@link #KEEP_ALIVE_NANOS} before its
 * thread ends, and the next spare needed is one of those: an app that blocks in short reads over and over
 * (a native usleep of 0-5 ms in a loop) reuses a few threads instead of starting one per call (measured:
 * 807 thread starts for 3,000 such calls without it).
 * It is the JDK's compensation for its own ForkJoinPool ({@code Blocker} / {@code ManagedBlocker}, which a
 * custom scheduler does not get, JDK 25) and Go's {@code sysmon} handing a stuck M's P to another M.
 *
 * <p>Concurrency: the array is copy-on-write ({@link #all()} is a snapshot that readers iterate without a
 * lock); every change to it, to a carrier's {@link Carrier#blocked} flag and to the count of blocked
 * carriers happens under this object's lock, so the count is exact and two spares cannot both decide to
 * leave when only one is surplus. Nothing here is on a switch's path except {@link #surplus}, one volatile
 * read and a compare, and only on spares.
 */
final class CarrierSet {
    /** What each carrier runs, and who hears of a carrier about to start (the recorder's slot). */
    private final Consumer<Carrier> loop;
    private final Consumer<Carrier> joined;
    private final int parallelism;
    private final int maxCarriers;
    private volatile Carrier[] all = new Carrier[0];
    /** Carriers flagged blocked now; written under the lock, read racily by spares. */
    private volatile int blocked;
    /** Indices in use: a spare takes the lowest free one, so indices (and the recorder's slots) stay dense. */
    private final BitSet indices = new BitSet();
    /** Dispatches of carriers that left: the scheduler's total counts them too. */
    private final LongAdder retiredDispatches = new LongAdder();
    private final LongAdder retiredSlowPolls = new LongAdder();
    private final LongAdder added = new LongAdder();
    private final LongAdder retired = new LongAdder();
    private final LongAdder blockedCalls = new LongAdder();
    private final LongAdder threadsStarted = new LongAdder();
    /** Spares out of the set, parked, waiting to be reused; most recently parked first (warm caches). */
    private final ArrayDeque<Carrier> idle = new ArrayDeque<>();
    /** How long an unneeded spare waits to be reused before its thread ends: the JDK scheduler's keep-alive. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(30);

    CarrierSet(Consumer<Carrier> loop, Consumer<Carrier> joined, int parallelism, int maxCarriers) {
        this.loop = loop;
        this.joined = joined;
        this.parallelism = parallelism;
        this.maxCarriers = Math.max(parallelism, maxCarriers);
    }

    /** Starts the base carriers. */
    synchronized void startBase() {
        for (int i = 0; i < parallelism; i++) {
            add(false);
        }
    }

    /** A snapshot of the carriers now; never modified, iterate freely. */
    Carrier[] all() {
        return all;
    }

    int parallelism() {
        return parallelism;
    }

    int maxCarriers() {
        return maxCarriers;
    }

    int blockedNow() {
        return blocked;
    }

    /** Carriers not blocked now (racy: for decisions that are re-checked under the lock). */
    int unblockedNow() {
        return all.length - blocked;
    }

    /**
     * Adds a spare when fewer than {@code parallelism} carriers are unblocked and the maximum allows it.
     * Returns the new carrier, or null when none was needed or allowed.
     */
    synchronized Carrier addSpareIfShort() {
        if (all.length - blocked >= parallelism || idle.isEmpty() && all.length >= maxCarriers) {
            return null;
        }
        added.increment();
        Carrier c = idle.pollFirst();
        if (c == null) {
            return add(true);
        }
        c.reused = true;
        all = append(all, c);
        LockSupport.unpark(c);
        return c;
    }

    private static Carrier[] append(Carrier[] cur, Carrier c) {
        Carrier[] next = Arrays.copyOf(cur, cur.length + 1);
        next[next.length - 1] = c;
        return next;
    }

    private Carrier add(boolean spare) {
        int index = indices.nextClearBit(0);
        indices.set(index);
        Carrier c = new Carrier(loop, index, spare);
        all = append(all, c); // publish before start: the monitor and the timer see the carrier from its first run
        joined.accept(c);
        threadsStarted.increment();
        c.start();
        return c;
    }

    /** The monitor saw {@code c} held by a blocking call. Returns false if it already was flagged. */
    synchronized boolean markBlocked(Carrier c) {
        if (c.blocked || !contains(c)) {
            return false;
        }
        c.blocked = true;
        blocked++;
        blockedCalls.increment();
        return true;
    }

    /** {@code c}'s call returned (the monitor saw CPU again, or the carrier finished the run). */
    synchronized void markUnblocked(Carrier c) {
        if (c.blocked) {
            c.blocked = false;
            blocked--;
        }
    }

    /**
     * Whether spare {@code c}, between two runs, is no longer needed: more than {@code parallelism}
     * carriers are unblocked. Racy first check, so that the common answer (keep going) takes no lock.
     */
    boolean surplus(Carrier c) {
        return c.spare && all.length - blocked > parallelism;
    }

    /**
     * Takes spare {@code c} out of the set if it is still surplus; it then waits in {@link #awaitReuse}.
     * Called by {@code c} itself between runs, so its last observer writes are done.
     */
    synchronized boolean retire(Carrier c) {
        if (!surplus(c) || c.blocked) {
            return false;
        }
        Carrier[] cur = all;
        Carrier[] next = new Carrier[cur.length - 1];
        int j = 0;
        for (Carrier x : cur) {
            if (x != c) {
                next[j++] = x;
            }
        }
        all = next;
        c.reused = false;
        idle.addFirst(c);
        retired.increment();
        return true;
    }

    /**
     * Parks retired spare {@code c} (the calling thread) until {@link #addSpareIfShort} reuses it (true:
     * serve again) or the keep-alive runs out (false: the thread ends, its index is free again).
     */
    boolean awaitReuse(Carrier c) {
        long deadline = System.nanoTime() + KEEP_ALIVE_NANOS;
        while (true) {
            if (c.reused) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                synchronized (this) {
                    if (c.reused) {
                        return true; // reused just as the keep-alive ran out
                    }
                    idle.remove(c);
                    retiredDispatches.add(c.dispatches);
                    retiredSlowPolls.add(c.slowPolls);
                    indices.clear(c.index);
                    return false;
                }
            }
            LockSupport.parkNanos(this, left); // spurious wake-ups only loop
        }
    }

    private boolean contains(Carrier c) {
        for (Carrier x : all) {
            if (x == c) {
                return true;
            }
        }
        return false;
    }

    /** Slow polls counted per carrier ({@link Carrier#slowPolls}), present and past. */
    long slowPolls() {
        return sum(retiredSlowPolls, c -> c.slowPolls);
    }

    /** Dispatches of every carrier, present and past. */
    long dispatches() {
        return sum(retiredDispatches, c -> c.dispatches); // kept per carrier: a shared counter on every switch costs more than it tells
    }

    /** A per-carrier counter summed over the carriers that left, the idle spares and the carriers now. */
    private long sum(LongAdder retiredPart, java.util.function.ToLongFunction<Carrier> counter) {
        long n = retiredPart.sum();
        synchronized (this) {
            for (Carrier c : idle) {
                n += counter.applyAsLong(c);
            }
        }
        for (Carrier c : all) {
            n += counter.applyAsLong(c);
        }
        return n;
    }

    long added() {
        return added.sum();
    }

    long retired() {
        return retired.sum();
    }

    /** OS threads started for carriers, base ones included; spares reused from the idle ones are not counted. */
    long threadsStarted() {
        return threadsStarted.sum();
    }

    long blockedCalls() {
        return blockedCalls.sum();
    }
}
