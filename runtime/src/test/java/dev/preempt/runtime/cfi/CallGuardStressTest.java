package dev.preempt.runtime.cfi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The call guard's per-site caches under contention, in learn mode: many threads check receivers at
 * random sites (bimorphic and megamorphic ones included) while others register new sites, so the site
 * arrays grow under the readers' feet. Nothing may throw, and every (declared type, receiver class) edge
 * that was checked must be learned: a lost cache entry may cost a slow check, never a lost edge.
 */
class CallGuardStressTest {
    /** Ten receiver classes; sites cycle through three declared types. */
    static final class R0 {} static final class R1 {} static final class R2 {} static final class R3 {} static final class R4 {}
    static final class R5 {} static final class R6 {} static final class R7 {} static final class R8 {} static final class R9 {}

    private static final Object[] RECEIVERS = {new R0(), new R1(), new R2(), new R3(), new R4(), new R5(), new R6(), new R7(), new R8(), new R9()};
    private static final String[] TYPES = {"stress.A", "stress.B", "stress.C"};

    @Test
    void receiversCheckedWhileSitesAreRegisteredAreAllLearnedAndNothingThrows() throws Exception {
        Path dir = Files.createTempDirectory("preempt-callguard-stress");
        if (!Cfi.active()) { // CFI starts once per JVM; another test of this JVM may have started it in learn mode
            Cfi.start(Cfi.Mode.LEARN, CfiPolicy.empty(), dir.resolve("policy.json"), AuditLog.open(dir.resolve("audit.jsonl").toString(), AuditLog.Format.JSON));
        }
        int first = CallGuard.register("stress.Site.m()V#v0", TYPES[0], "m");
        AtomicInteger published = new AtomicInteger(1); // sites [first, first + published) are registered
        int checkers = 6;
        int registrars = 2;
        int sitesPerRegistrar = 1500; // 3,000 more sites: the arrays (1,024 at start) grow twice
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        Set<String>[] used = new Set[checkers];
        for (int t = 0; t < checkers; t++) {
            Set<String> mine = new TreeSet<>();
            used[t] = mine;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < 300_000; i++) {
                        int n = published.get();
                        int k = rnd.nextInt(n);
                        // site k is mono-, bi- or megamorphic by its number
                        Object r = RECEIVERS[k % 3 == 0 ? 0 : k % 3 == 1 ? rnd.nextInt(2) : rnd.nextInt(RECEIVERS.length)];
                        CallGuard.receiver(r, first + k);
                        mine.add(TYPES[k % 3] + "\t" + r.getClass().getName());
                        if ((i & 1023) == 0) Thread.sleep(0, rnd.nextInt(1000));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "checker-" + t));
        }
        for (int t = 0; t < registrars; t++) {
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < sitesPerRegistrar; i++) {
                        synchronized (published) {
                            int k = published.get();
                            int id = CallGuard.register("stress.Site.m()V#v" + k, TYPES[k % 3], "m");
                            assertEquals(first + k, id, "site ids are dense and in order");
                            published.set(k + 1); // only after register returned: as a class is defined after its rewrite
                        }
                        if (i % 100 == 0) Thread.yield();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "registrar-" + t));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError("a guard or a registration failed", failure.get());
        assertEquals(1 + registrars * sitesPerRegistrar, published.get());

        Set<String> expected = new TreeSet<>();
        for (Set<String> s : used) expected.addAll(s);
        Set<String> learned = new TreeSet<>();
        for (CfiPolicy.CallEdge e : Cfi.learnedPolicy().calls()) {
            if (e.site().startsWith("stress.")) learned.add(e.site() + "\t" + e.target());
        }
        assertEquals(expected, learned, "every checked edge was learned, and nothing else");
        assertEquals(1 + 2 + RECEIVERS.length, expected.size(), "mono-, bi- and megamorphic sites were all exercised: " + expected);
    }
}
