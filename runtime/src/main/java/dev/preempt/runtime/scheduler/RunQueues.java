package dev.preempt.runtime.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Where runnable tasks wait: one {@link RunQueue} per carrier ({@link Carrier#local}) and one inject queue
 * for submissions from threads that are not carriers (the app's platform threads, the JDK's pollers and
 * timers) and for what a leaving carrier still held. The carrier's own queue takes what it produces: the
 * thread it yields and the threads that the thread it runs wakes, as Go's {@code runqput} and Tokio's
 * local queue do, so a switch touches only a lock no one else is holding.
 *
 * <pre>
 *   submit from carrier c (yield, wake-up by the thread c runs) --> c.local --+
 *   submit from elsewhere (pollers, platform threads, timers)   --> inject ---+--> next(c) on carrier c
 *                                              other carriers' locals -- steal --+
 * </pre>
 *
 * <p><b>Which task runs next</b> ({@link #next}): the smaller head key of {@code c.local} and the inject
 * queue, unless another carrier's head is better by more than {@code balanceKey} (fair: one slice of
 * virtual runtime; strict: any higher priority), in which case that one is stolen. So under both policies
 * every dispatch runs a task whose key is within {@code balanceKey} of the best key queued anywhere (as
 * published when the carrier looked): this is the cross-carrier bound (CFS balances its per-CPU queues
 * every few milliseconds; here each dispatch does, from the heads' published keys, which costs one volatile
 * read per carrier). A carrier with nothing of its own and nothing injected steals half of the fullest
 * queue. A carrier counted out as blocked in a call has its queue stolen from unconditionally: its tasks
 * must not wait for the call to return.
 *
 * <p><b>Idle carriers and the lost wake-up</b>: a carrier that finds nothing spins briefly, then announces
 * itself ({@link Carrier#parked} = true, {@link #idle}++), looks once more (volatile reads of the queues'
 * sizes and heads), and parks. A submitter enqueues (the queue's {@code size} store), issues a full fence,
 * and then reads {@link #idle}. Each side has a store, then a StoreLoad barrier (the atomic increment; the
 * fence), then a load of what the other side stored, so in every interleaving either the submitter's read
 * sees the announced carrier, or the carrier's second look sees the task: a task can never sit in a queue while every carrier
 * that could run it parks. Whoever clears a carrier's {@code parked} flag by CAS (a waker, or the carrier
 * itself on a spurious return) decrements {@link #idle}, so it is exact. {@code LockSupport.unpark} before
 * the park is kept as a permit, so a wake-up between the second look and the park is not lost either.
 */
final class RunQueues {
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(Carrier.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A carrier's queue beyond this many tasks sends half to the inject queue (Go: 256 and half). */
    static final int LOCAL_CAPACITY = 256;
    /** Tries of the whole search before a carrier with nothing to do announces itself idle and parks. */
    private static final int SPINS = 16;

    private final CarrierSet carriers;
    private final RunQueue inject = new RunQueue();
    /** Carriers announced idle (parked or about to): the submitter's half of the handshake reads it. */
    private final AtomicInteger idle = new AtomicInteger();
    /** Under fair, a virtual runtime; under strict, 0 (any better key is a higher priority). */
    private final long balanceKey;

    RunQueues(CarrierSet carriers, long balanceKey) {
        this.carriers = carriers;
        this.balanceKey = balanceKey;
    }

    /**
     * Enqueues {@code t} with {@code key}: on {@code c}'s own queue when the submitter runs on carrier
     * {@code c} (null otherwise), else on the inject queue; then wakes an idle carrier if there is one and
     * the task is not merely the one {@code c} will run next anyway ({@code yielded}: its own thread, alone).
     */
    void put(Carrier c, Task t, long key, boolean yielded) {
        if (c == null) {
            inject.put(t, key);
            // StoreLoad: the enqueue's size store (a release store) must be ordered before the read of the
            // idle count (and, in the caller, the slice timer's sleeping flag): the submitter's half of the
            // handshake. One fence per submission, where volatile stores cost one each.
            VarHandle.fullFence();
            wakeIdle();
            return;
        }
        RunQueue local = c.local;
        local.put(t, key);
        VarHandle.fullFence(); // as above
        int n = local.size();
        if (n > LOCAL_CAPACITY) {
            spill(c);
        }
        if (!yielded || n > 1) {
            wakeIdle();
        }
    }

    /** Half of an overfull local queue goes to the inject queue, where every carrier looks. */
    private void spill(Carrier c) {
        int n = c.local.takeHalf(c.stealBuffer, false);
        inject.putAll(c.stealBuffer, n);
    }

    /** The next task for carrier {@code c}, or null when none is queued anywhere it may take from. */
    Task next(Carrier c) {
        RunQueue local = c.local;
        long best = Math.min(local.peekKey(), inject.peekKey());
        Carrier victim = null;
        long victimKey = Long.MAX_VALUE;
        for (Carrier o : carriers.all()) {
            if (o == c) {
                continue;
            }
            long k = o.local.peekKey();
            if (o.blocked && k != Long.MAX_VALUE) {
                victim = o; // held by a call: its queue is everyone's
                victimKey = Long.MIN_VALUE;
                break;
            }
            if (k < victimKey) {
                victim = o;
                victimKey = k;
            }
        }
        if (victim != null && victimKey != Long.MAX_VALUE
                && (best == Long.MAX_VALUE || victimKey < best - balanceKey || victimKey == Long.MIN_VALUE)) {
            Task t = steal(c, victim);
            if (t != null) {
                return t;
            }
        }
        Task t = inject.peekKey() < local.peekKey() ? inject.poll() : null;
        if (t == null) {
            t = local.poll();
        }
        return t != null ? t : inject.poll();
    }

    /** Moves half of {@code victim}'s queue to {@code c}'s and returns the best of it (a release store publishes them; see put). */
    private Task steal(Carrier c, Carrier victim) {
        Task[] buf = c.stealBuffer;
        int n = victim.local.takeHalf(buf, false);
        if (n == 0) {
            return null;
        }
        Task first = buf[0]; // takeHalf hands them out best first
        buf[0] = null;
        if (n > 1) {
            System.arraycopy(buf, 1, buf, 0, n - 1);
            c.local.putAll(buf, n - 1);
            VarHandle.fullFence(); // the handshake, as in put
            wakeIdle(); // more than this carrier can run at once: let an idle one take its half
        }
        return first;
    }

    /**
     * Carrier {@code c} found nothing: spins through the search a few times, then announces itself idle,
     * searches once more and parks for at most {@code parkNanos} (forever if {@code Long.MAX_VALUE}).
     * Returns a task, or null after a wake-up with nothing found (the caller loops).
     */
    Task idle(Carrier c, long parkNanos) {
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            Task t = next(c);
            if (t != null) {
                return t;
            }
        }
        c.parked = true; // volatile write, then the atomic increment: the carrier's half of the handshake
        idle.incrementAndGet();
        Task t = next(c); // the second look, ordered after the announcement
        if (t == null) {
            if (parkNanos == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, parkNanos);
            }
        }
        if (PARKED.compareAndSet(c, true, false)) {
            idle.decrementAndGet(); // nobody woke us (found work, timeout or spurious return): un-announce
        }
        return t;
    }

    /** Wakes one idle carrier, if any: the submitter's half of the handshake, after its enqueue and a fence. */
    void wakeIdle() {
        if (idle.get() == 0) {
            return;
        }
        for (Carrier o : carriers.all()) {
            if (o.parked && PARKED.compareAndSet(o, true, false)) {
                idle.decrementAndGet();
                LockSupport.unpark(o);
                return;
            }
        }
    }

    /** A carrier leaves: what it still holds goes to the inject queue, and someone is woken to take it. */
    void drain(Carrier c) {
        int n;
        while ((n = c.local.takeHalf(c.stealBuffer, true)) > 0) {
            inject.putAll(c.stealBuffer, n);
        }
        VarHandle.fullFence(); // the handshake, as in put
        wakeIdle();
    }

    /** Tasks queued anywhere (racy: a sum of published sizes). */
    int size() {
        int n = inject.size();
        for (Carrier c : carriers.all()) {
            n += c.local.size();
        }
        return n;
    }

    /** The smallest key queued anywhere, or {@code Long.MAX_VALUE} (racy, as {@link #size}). */
    long minKey() {
        long m = inject.peekKey();
        for (Carrier c : carriers.all()) {
            m = Math.min(m, c.local.peekKey());
        }
        return m;
    }

    /** Carriers announced idle now. */
    int idleCarriers() {
        return idle.get();
    }
}
