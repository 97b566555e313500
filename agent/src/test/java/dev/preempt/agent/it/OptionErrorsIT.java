package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of option error stops the JVM before the app's main runs, with exit status 1 and one line
 * on stderr that names the key, where it came from and what was expected.
 */
class OptionErrorsIT {
    private static Path app;

    @BeforeAll
    static void compileApp() {
        app = ForkedJvm.compile(8, "Hello", ForkedJvm.resource("/it/options/Hello.java"));
    }

    private static ForkedJvm.Result withAgent(String options, String... jvmArgs) {
        return ForkedJvm.java().agent(options).jvmArg(jvmArgs).classpath(app).main("Hello").run();
    }

    /** Exit 1, the main never ran, and exactly one line of preempt's on stderr, which is returned. */
    private static String refused(ForkedJvm.Result r) {
        assertEquals(1, r.exitCode(), r::toString);
        assertFalse(r.stdout().contains("MAIN RAN"), r::toString);
        List<String> lines = r.stderrLines();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("preempt: "), r::toString);
        return lines.get(0);
    }

    @Test
    void unknownKeySuggestsTheClosestKey() {
        String line = refused(withAgent("slise=2ms"));
        assertEquals("preempt: unknown option 'slise' (agent argument 1); did you mean 'slice'?", line);
    }

    @Test
    void unknownKeyFarFromAnyKeyListsTheKnownKeys() {
        String line = refused(withAgent("log=info,frobnication=1"));
        assertTrue(line.contains("unknown option 'frobnication' (agent argument 2); known keys: schedule, jdk.polls, threads"), line);
    }

    @Test
    void durationWithoutUnitIsRefused() {
        String line = refused(withAgent("slice=10"));
        assertEquals("preempt: option slice=10 (agent argument 1): expected a duration with a unit: ns, us, ms, s or m (500us, 2ms, 1s)", line);
    }

    @Test
    void durationOutOfRangeIsRefused() {
        String line = refused(withAgent("slice=5us"));
        assertTrue(line.contains("slice=5us") && line.contains("between 100us and 10s"), line);
    }

    @Test
    void badIntegerIsRefused() {
        assertTrue(refused(withAgent("carriers=zero")).contains("carriers=zero (agent argument 1): expected an integer from 1 to 1024"));
    }

    @Test
    void badChoiceIsRefused() {
        assertTrue(refused(withAgent("sched=roundrobin")).contains("sched=roundrobin (agent argument 1): expected one of fair, strict"));
    }

    @Test
    void badPriorityIsRefused() {
        String line = refused(withAgent("priority=worker-*:11"));
        assertTrue(line.contains("'worker-*:11': priority must be an integer from 1 to 10"), line);
    }

    @Test
    void systemPropertyErrorsNameTheProperty() {
        String line = refused(withAgent("", "-Dpreempt.timer=atomic"));
        assertTrue(line.contains("timer=atomic (-Dpreempt.timer): expected one of auto, native, java"), line);
        assertTrue(refused(withAgent("", "-Dpreempt.slices=1ms")).contains("unknown option 'slices' (-Dpreempt.slices)"));
    }

    @Test
    void missingConfigFileIsRefusedWithItsPath() {
        String line = refused(withAgent("config=/nonexistent/preempt.properties"));
        assertEquals("preempt: cannot read config file '/nonexistent/preempt.properties' (from agent argument 1): no such file", line);
    }

    @Test
    void configFileErrorsNameTheLine() throws Exception {
        Path cfg = ForkedJvm.scratch("cfg").resolve("preempt.properties");
        Files.writeString(cfg, "# comment\nslice=2ms\n\ncarriers=-3\n");
        String line = refused(withAgent("config=" + cfg));
        assertTrue(line.contains("carriers=-3 (config file '" + cfg + "' line 4): expected an integer from 1 to 1024"), line);
    }

    @Test
    void configFileLineWithoutKeyValueIsRefused() throws Exception {
        Path cfg = ForkedJvm.scratch("cfg").resolve("preempt.properties");
        Files.writeString(cfg, "slice=2ms\njust words\n");
        assertTrue(refused(withAgent("config=" + cfg)).contains("line 2 'just words': expected key=value"));
    }

    @Test
    void enforceWithoutItsPolicyFileFailsClosed() {
        Path dir = ForkedJvm.scratch("no-policy");
        String line = refused(ForkedJvm.java().agent("cfi=enforce").workDir(dir).classpath(app.toAbsolutePath()).main("Hello").run());
        assertEquals("preempt: option policy=preempt-policy.json: cannot read CFI policy '" + dir.toAbsolutePath().resolve("preempt-policy.json")
                + "': no such file (cfi=enforce fails closed)", line);
    }

    @Test
    void cfiSettingsWithoutACfiModeChangeNothing() {
        ForkedJvm.Result r = withAgent("audit.format=csv,policy=no-such-policy.json").assertOk();
        assertTrue(r.stdout().contains("MAIN RAN"));
        assertEquals(List.of(), r.stderrLines(), "cfi=off: no policy is read, nothing is guarded, nothing is said");
    }

    @Test
    void goodOptionsFromAllThreeSourcesStartTheApp() throws Exception {
        Path cfg = ForkedJvm.scratch("cfg").resolve("preempt.properties");
        Files.writeString(cfg, "slice: 2ms\nlog=info\n");
        ForkedJvm.Result r = withAgent("carriers=1,config=" + cfg, "-Dpreempt.sched=strict").assertOk();
        assertTrue(r.stdout().contains("MAIN RAN"));
        String started = r.stderr().lines().filter(l -> l.contains("started on JDK")).findFirst().orElseThrow(() -> new AssertionError(r));
        assertTrue(started.contains("SLICE=2ms") && started.contains("CARRIERS=1") && started.contains("SCHED=strict"), started);
    }
}
