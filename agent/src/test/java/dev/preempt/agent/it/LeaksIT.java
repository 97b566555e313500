package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Safe to leave running: class loaders the app drops are collected under the agent as on the stock JVM,
 * whatever the agent does with their classes (polls, mapped threads, CFI site tables, the profiler), and an
 * app redeployed 500 times into new loaders (a real library, threads, a pool, a reflective call) leaves
 * the live heap where it was after the 50th deployment (under the profiler: once its bounds are reached).
 */
class LeaksIT {
    private static final Pattern RESULT = Pattern.compile("alive=(\\d+) of (\\d+) heap50=(\\d+) heapN=(\\d+) meta50=(\\d+) metaN=(\\d+)");
    /** Live heap growth allowed from the 50th to the last deployment. */
    private static final double FLAT = 0.05;
    private static Path harness;
    private static Path app;
    private static Path library;

    @BeforeAll
    static void compile() {
        harness = ForkedJvm.compile(11, "Redeploy", ForkedJvm.resource("/it/leaks/Redeploy.java"));
        library = Path.of(System.getProperty("preempt.corpus.dir"), "commons-lang3-3.20.0.jar");
        app = ForkedJvm.compile(8, List.of(library), "Deployed", ForkedJvm.resource("/it/leaks/Deployed.java"));
    }

    private record Outcome(int alive, int of, long heapEarly, long heapLate, long metaEarly, long metaLate, ForkedJvm.Result run) {
        double heapGrowth() {
            return (double) (heapLate - heapEarly) / heapEarly;
        }

        @Override
        public String toString() {
            return String.format("alive=%d of %d, live heap %,d -> %,d B (%+.1f%%), metaspace %,d -> %,d B%n%s",
                    alive, of, heapEarly, heapLate, 100 * heapGrowth(), metaEarly, metaLate, run);
        }
    }

    private static Outcome run(String options, String... args) {
        ForkedJvm.Result r = ForkedJvm.java(options).jvmArg("-Xmx256m").classpath(harness)
                .main("Redeploy", args).timeout(Duration.ofSeconds(240)).run();
        assertEquals(0, r.exitCode(), r::toString);
        Matcher m = RESULT.matcher(r.stdout());
        assertTrue(m.find(), r::toString);
        System.out.println((options == null ? "stock" : "agent " + options) + ": " + m.group());
        return new Outcome(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), r);
    }

    private static Outcome redeploy(String options, int times) {
        return run(options, "deploy", String.valueOf(times), app.toString(), library.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cfi=learn,cfi.types=interfaces", "profile=,trace="})
    void threeThousandThrowawayLoadersAreCollected(String options) {
        Path dir = ForkedJvm.scratch("loaders");
        String o = options.replace("cfi=learn", "cfi=learn,policy=" + dir.resolve("policy.json"))
                .replace("profile=", "profile=" + dir.resolve("report.html")).replace("trace=", "trace=" + dir.resolve("trace.json"));
        Outcome agent = run(o, "loaders", "3000");
        assertEquals(3000, agent.of(), agent::toString);
        assertEquals(0, agent.alive(), agent::toString);
    }

    @Test
    void theStockJvmCollectsThemToo() {
        Outcome stock = run(null, "loaders", "3000");
        assertEquals(0, stock.alive(), stock::toString); // the control: the harness itself keeps nothing
    }

    @Test
    void fiveHundredDeploymentsOfMappedThreadsLeaveTheHeapFlat() {
        Outcome o = redeploy("", 500);
        assertEquals(0, o.alive(), o::toString);
        assertTrue(o.heapGrowth() <= FLAT, o::toString);
    }

    @Test
    void fiveHundredDeploymentsLearnedThenEnforcedLeaveTheHeapFlatAndRefuseNothing() {
        Path dir = ForkedJvm.scratch("redeploy-cfi");
        Path policy = dir.resolve("policy.json");
        Path audit = dir.resolve("audit.jsonl");
        Outcome learn = redeploy("cfi=learn,policy=" + policy, 500);
        assertEquals(0, learn.alive(), learn::toString);
        assertTrue(learn.heapGrowth() <= FLAT, learn::toString);
        Outcome enforce = redeploy("cfi=enforce,policy=" + policy + ",audit=" + audit, 500);
        assertEquals(0, enforce.alive(), enforce::toString);
        assertTrue(enforce.heapGrowth() <= FLAT, enforce::toString);
        assertEquals(List.of(), ForkedJvm.linesOf(audit), "a redeployed app makes the calls it was learned making");
    }

    /**
     * Under the profiler the recording grows until its settings' bounds (profile.threads, profile.slices)
     * and no further: with 100 threads, reached in the first 20 deployments, the heap is flat afterwards.
     */
    @Test
    void fiveHundredDeploymentsUnderTheProfilerGrowOnlyToItsBounds() {
        Path dir = ForkedJvm.scratch("redeploy-profile");
        Outcome o = redeploy("profile=" + dir.resolve("report.html") + ",trace=" + dir.resolve("trace.json") + ",profile.threads=100", 500);
        assertEquals(0, o.alive(), o::toString);
        assertTrue(o.heapGrowth() <= FLAT, o::toString);
        assertTrue(ForkedJvm.linesOf(dir.resolve("report.html")).size() > 0, "the report is still written");
    }
}
