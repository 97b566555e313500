package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hogs inside the JDK's own code no longer hold their carriers (jdk.polls=on, the default): a
 * thread-per-request service ({@code it/jdkpolls/JdkHogs.java}) whose two handler threads run a
 * catastrophic regex, a huge sort or big-number arithmetic on 2 carriers while small requests keep
 * arriving on new threads. Under the defaults the small requests' p99 stays within 50 ms; with
 * {@code jdk.polls=off} the same program makes them wait for a hog to end (a second or more), so the bound
 * is what the polls buy. The hogs' results are the same with and without the polls.
 */
class JdkPollsIT {
    private static final Pattern LATENCY = Pattern.compile("requests=(\\d+) p50Ms=(\\d+) p99Ms=(\\d+) maxMs=(\\d+) hogMs=(\\d+)");
    /** The bound of the issue: small requests' p99 next to the hogs, on 2 carriers. */
    private static final long P99_BOUND_MS = 50;
    /** With jdk.polls=off a request that arrives while both hogs run waits for one to end: seconds. */
    private static final long HELD_MS = 1000;
    /**
     * Attempts at the bound. A run is a few seconds on a machine other work shares: a burst of that work can
     * take the CPUs from the carriers for longer than a slice (measured at load 12 on 2 CPUs: the app-code
     * control's p99 ranged 19-233 ms). The bound must hold in one of them; the failure prints all.
     */
    private static final int ATTEMPTS = 3;
    private static Path program;

    @BeforeAll
    static void compile() {
        program = ForkedJvm.compile(25, List.of(), "JdkHogs", ForkedJvm.resource("/it/jdkpolls/JdkHogs.java"));
    }

    private record Run(String results, long p99Millis, ForkedJvm.Result jvm) {}

    private static Run run(String options, String kind, int size, String... jvmArgs) {
        ForkedJvm.Result r = ForkedJvm.java(options).jvmArg(jvmArgs).classpath(program).main("JdkHogs", kind, String.valueOf(size))
                .timeout(Duration.ofSeconds(120)).run().assertOk();
        Matcher m = LATENCY.matcher(r.stdout());
        assertTrue(m.find(), () -> "no latency line: " + r);
        String results = r.stdout().lines().filter(l -> l.startsWith("result")).reduce("", (a, b) -> a + b + "\n");
        assertFalse(r.stderr().contains("keeps its code"), () -> "a JDK class could not be given its polls: " + r);
        return new Run(results, Long.parseLong(m.group(3)), r);
    }

    /**
     * The hog holds carriers without JDK polls, and with them (the defaults) small requests keep their p99.
     * An attempt that misses the bound is followed by the control, the same service whose hogs spin in app
     * code: when the control misses it too in every attempt, the machine cannot hold 50 ms for anyone at
     * the moment and the test is aborted (reported as skipped, with the figures); when the control holds it
     * and the JDK hog does not, the test fails.
     */
    private static void smallRequestsKeepTheirLatency(String kind, int size, String... jvmArgs) {
        Run off = run("carriers=2,jdk.polls=off", kind, size, jvmArgs);
        assertTrue(off.p99Millis() >= HELD_MS, () -> "without JDK polls the hog should hold the carriers for a second or more: " + off.jvm());
        StringBuilder attempts = new StringBuilder();
        boolean controlHeld = false;
        for (int i = 0; i < ATTEMPTS; i++) {
            Run r = run("carriers=2", kind, size, jvmArgs);
            assertEquals(off.results(), r.results(), () -> "the hog's results differ with JDK polls: " + r.jvm());
            if (r.p99Millis() <= P99_BOUND_MS) {
                return;
            }
            Run control = run("carriers=2", "app", 3000, jvmArgs);
            controlHeld |= control.p99Millis() <= P99_BOUND_MS;
            attempts.append(r.jvm()).append("\ncontrol (hogs in app code): ").append(control.jvm()).append('\n');
        }
        String figures = "small requests' p99 above " + P99_BOUND_MS + " ms in each of " + ATTEMPTS + " runs (without JDK polls: "
                + off.p99Millis() + " ms):\n" + attempts;
        Assumptions.assumeTrue(controlHeld, () -> "inconclusive, the machine is too loaded: the app-code control missed the bound too; " + figures);
        throw new AssertionError(figures);
    }

    @Test
    void aReDoSHandlerDoesNotHoldUpSmallRequests() {
        smallRequestsKeepTheirLatency("regex", 27); // (a+)+b\1 on 27 a's: seconds of backtracking per match
    }

    @Test
    void aHugeObjectSortDoesNotHoldUpSmallRequests() {
        smallRequestsKeepTheirLatency("osort", 3_000_000); // TimSort with a comparator on 3M Integers (1.5M sorted in 1.4 s on a quiet machine: p99 966 ms without polls, under the 1 s the control needs)
    }

    /**
     * A DualPivotQuicksort of 64M ints per hog, on a heap touched at start (40M: without JDK polls small
     * requests waited 1,970 ms at p99 at load 4, with them 16 ms; on a quiet machine only 978 ms without,
     * under the second this test needs of its control, hence 64M). Why touched: each hog first
     * allocates its 256 MB array, and on this project's VM the first write to fresh memory faults to the host
     * page by page: a 40 MB array took 400-700 ms to allocate and zero, during which the thread reaches no
     * poll, in the JVM's code (its own safepoints wait for it too). That, not the sort, was the 400-900 ms
     * p99 this test measured before (docs/limits.md); with the heap touched, p99 15-65 ms beside an app-code
     * control of 12-26 ms at load 4-5.
     */
    @Test
    void aHugeIntSortDoesNotHoldUpSmallRequests() {
        smallRequestsKeepTheirLatency("isort", 64_000_000, "-Xms2g", "-XX:+AlwaysPreTouch");
    }

    @Test
    void aBigIntegerHogDoesNotHoldUpSmallRequests() {
        smallRequestsKeepTheirLatency("bigint", 800_000); // 3^800000 squared and multiplied, then printed in decimal
    }

    @Test
    void infoListsTheJdkClassesThatPoll() {
        ForkedJvm.Result r = ForkedJvm.java().jar(ForkedJvm.agentJar(), "info").run().assertOk();
        for (String c : List.of("java.util.regex.Pattern$*", "java.util.DualPivotQuicksort", "java.util.TimSort", "java.math.BigInteger")) {
            assertTrue(r.stdout().contains("  " + c + " "), () -> c + " not listed: " + r);
        }
        assertTrue(r.stdout().contains("jdk.polls"), r::toString);
    }
}
