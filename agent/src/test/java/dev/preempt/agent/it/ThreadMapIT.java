package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code threads=map} on real programs in forked JVMs: the app's platform threads run as virtual threads on
 * preempt's scheduler and the program cannot tell, except that it scales. Programs live in
 * {@code src/test/resources/it}; the legacy one is compiled for Java 8.
 */
class ThreadMapIT {
    private static Path legacy;
    private static Path modern;

    @BeforeAll
    static void compile() {
        legacy = ForkedJvm.compile(8, "LegacyThreads", source("LegacyThreads"));
        modern = ForkedJvm.compile(25, List.of(), "MapProbe", source("MapProbe"), "MappedStress", source("MappedStress"),
                "ManySleepers", source("ManySleepers"), "MappedPriorities", source("MappedPriorities"), "DaemonExit", source("DaemonExit"));
    }

    private static String source(String name) {
        try (InputStream in = ThreadMapIT.class.getResourceAsStream("/it/" + name + ".java")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> values(ForkedJvm.Result r) {
        Map<String, String> m = new HashMap<>();
        r.stdout().lines().filter(l -> l.contains("=")).forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return m;
    }

    /**
     * Plain threads, subclasses (one overriding start), a fixed pool, a pool without a factory,
     * wait/notify, interrupts of sleep/wait/park/interruptible I/O, thread-locals, handlers, a hand-written
     * join, a shutdown hook and a non-daemon worker that outlives main: the same output, line for line.
     */
    @Test
    void legacyProgramPrintsTheSameWithAndWithoutTheAgent() {
        ForkedJvm.Result stock = ForkedJvm.java().classpath(legacy).main("LegacyThreads").run().assertOk();
        ForkedJvm.Result mapped = ForkedJvm.java().agent("log=info").classpath(legacy).main("LegacyThreads").run().assertOk();
        assertTrue(stock.stdout().contains("non-daemon worker outlived main"), stock::toString);
        assertEquals(stock.stdout(), mapped.stdout(), mapped::toString);
        long sites = mapped.agentLogLines().stream().filter(l -> l.contains("mapped onto preempt's scheduler")).count();
        assertTrue(sites >= 15, "creation sites logged as mapped: " + sites + "\n" + mapped);
        assertTrue(mapped.agentLogLines().stream().noneMatch(l -> l.contains(" warn]") || l.contains(" error]")), mapped::toString);
    }

    @Test
    void everyCreationPathIsMappedAndThreadsKeepKeepsWhatItNames() {
        ForkedJvm.Result stock = ForkedJvm.java().classpath(modern).main("MapProbe").run().assertOk();
        assertTrue(values(stock).values().stream().allMatch("platform"::equals), stock::toString);

        Map<String, String> mapped = values(ForkedJvm.java().agent("").classpath(modern).main("MapProbe").run().assertOk());
        assertEquals(8, mapped.size(), mapped::toString);
        assertTrue(mapped.values().stream().allMatch("virtual"::equals), mapped::toString);

        Map<String, String> kept = values(ForkedJvm.java().agent("threads.keep=jni-*;Kept").classpath(modern).main("MapProbe").run().assertOk());
        assertEquals("platform", kept.get("jni-worker"), kept::toString);     // by thread name
        assertEquals("platform", kept.get("kept-by-class"), kept::toString);  // by creating class
        assertEquals("virtual", kept.get("plain"), kept::toString);
        assertEquals("virtual", kept.get("subclass"), kept::toString);

        Map<String, String> keep = values(ForkedJvm.java().agent("threads=keep").classpath(modern).main("MapProbe").run().assertOk());
        assertTrue(keep.values().stream().allMatch("platform"::equals), keep::toString);
    }

    /** 100,000 sleeping platform threads as the app writes them: a few OS threads, not 100,000. */
    @Test
    void hundredThousandSleepingThreadsUseFewOsThreads() {
        ForkedJvm.Result r = ForkedJvm.java().agent("carriers=2").jvmArg("-Xmx2g").classpath(modern)
                .main("ManySleepers", "100000", "1000").timeout(Duration.ofSeconds(120)).run().assertOk();
        Map<String, String> v = values(r);
        assertEquals("100000", v.get("alive"), r::toString);
        assertEquals("100000", v.get("finished"), r::toString);
        assertTrue(Long.parseLong(v.get("osThreads")) < 100 + 2, r::toString);
    }

    /** Monitors, wait/notify, ReentrantLock conditions, blocking queues and CPU hogs on 1 and 2 carriers. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void stressFinishesWithEveryCountRight(int carriers) {
        for (String slice : List.of("1ms", "10ms")) {
            ForkedJvm.Result r = ForkedJvm.java().agent("carriers=" + carriers + ",slice=" + slice).classpath(modern)
                    .main("MappedStress", "64", "3000", String.valueOf(carriers + 1)).timeout(Duration.ofSeconds(120)).run().assertOk();
            Map<String, String> v = values(r);
            assertEquals(String.valueOf(64L * 3000 * 3001 / 2), v.get("expected"), r::toString);
            assertEquals(v.get("expected"), v.get("consumed"), r::toString);
            assertEquals("true", v.get("hogsProgressed"), r::toString);
            assertEquals("true", v.get("virtual"), r::toString);
            assertTrue(r.stdout().contains("monitorCount=192000 lockCount=192000"), r::toString);
        }
    }

    /** setPriority on mapped platform threads feeds the scheduler; getPriority answers what was set. */
    @Test
    void prioritiesOfMappedThreadsMeanSomething() {
        ForkedJvm.Result r = ForkedJvm.java().agent("carriers=1,slice=2ms").classpath(modern).main("MappedPriorities").run().assertOk();
        Map<String, String> v = values(r);
        double ratio = Double.parseDouble(v.get("high")) / Math.max(1, Double.parseDouble(v.get("low")));
        assertTrue(ratio > 3, "high/low work ratio " + ratio + "\n" + r);
        assertEquals("10,1", v.get("getPriority"), r::toString);
    }

    /** A mapped daemon thread does not keep the JVM alive (and a non-daemon one does: the legacy test). */
    @Test
    void daemonMappedThreadDoesNotHoldTheJvm() {
        long t0 = System.nanoTime();
        ForkedJvm.Result r = ForkedJvm.java().agent("").classpath(modern).main("DaemonExit").timeout(Duration.ofSeconds(30)).run().assertOk();
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(r.stdout().contains("main ends, daemon=true"), r::toString);
        assertTrue(!r.stdout().contains("daemon woke"), r::toString);
        assertTrue(seconds < 20, "took " + seconds + " s");
    }
}
