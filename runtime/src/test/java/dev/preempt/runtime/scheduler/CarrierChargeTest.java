package dev.preempt.runtime.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a run is charged: its wall time, less what a late poll found the carrier spent off its CPU. */
class CarrierChargeTest {
    private static final long MS = 1_000_000L;

    private static Carrier carrier() {
        return new Carrier(c -> { }, 0, false); // never started: driven from the test thread
    }

    @Test
    void aRunIsChargedItsWallTime() {
        Carrier c = carrier();
        Task t = new Task(new Thread("t"), () -> { }, Thread.NORM_PRIORITY, false);
        c.begin(t, 100 * MS);
        c.chargeCurrent(105 * MS);
        assertEquals(5 * MS, t.ranNanos);
        assertEquals(5 * MS, t.vruntimeNanos.get());
    }

    @Test
    void timeTheCarrierSpentOffItsCpuBeforeALatePollIsNotCharged() {
        Carrier c = carrier();
        Task t = new Task(new Thread("t"), () -> { }, Thread.NORM_PRIORITY, false);
        c.begin(t, 100 * MS);
        c.chargeCurrentExcept(135 * MS, 29 * MS); // a 5 ms slice, then 30 ms late of which 29 off the CPU
        assertEquals(6 * MS, t.ranNanos);
        c.chargeCurrent(136 * MS); // the yield's own charge counts from the poll on
        assertEquals(7 * MS, t.ranNanos);
        assertEquals(7 * MS, t.vruntimeNanos.get());
    }

    @Test
    void aLowerPriorityIsStillChargedMoreVirtualTimeForWhatItRan() {
        Carrier c = carrier();
        Task low = new Task(new Thread("low"), () -> { }, 1, false);
        c.begin(low, 0);
        c.chargeCurrentExcept(20 * MS, 10 * MS);
        assertEquals(10 * MS, low.ranNanos);
        assertEquals(10 * MS * Weights.NORM / Weights.of(1), low.vruntimeNanos.get());
    }
}
