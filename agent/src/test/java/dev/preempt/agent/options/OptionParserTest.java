package dev.preempt.agent.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.base.RuntimeSettings.PriorityRule;
import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.cfi.AuditLog;
import dev.preempt.runtime.cfi.Cfi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionParserTest {

    @Test
    void defaultsAreTheContractsDefaults() throws Exception {
        AgentConfig c = OptionParser.parse(null, Map.of());
        assertTrue(c.schedule());
        assertEquals(RuntimeSettings.Threads.MAP, c.threads());
        assertEquals(Duration.ofMillis(10), c.slice());
        assertEquals(Runtime.getRuntime().availableProcessors(), c.carriers());
        assertEquals(RuntimeSettings.Sched.FAIR, c.sched());
        assertEquals("auto", c.timer());
        assertEquals(Cfi.Mode.OFF, c.cfi());
        assertEquals(Path.of("preempt-policy.json"), c.policy());
        assertEquals("stderr", c.audit());
        assertEquals(AuditLog.Format.JSON, c.auditFormat());
        assertEquals(10L << 20, c.auditMaxBytes());
        assertEquals(5, c.auditKeep());
        assertTrue(c.profile().isEmpty() && c.trace().isEmpty());
        assertEquals(dev.preempt.runtime.log.PreemptLog.Level.WARN, c.log());
    }

    @Test
    void auditMaxIsASizeWithAUnitAndAuditKeepACount() throws Exception {
        assertEquals(64L << 10, OptionParser.parse("audit.max=64KB", Map.of()).auditMaxBytes());
        assertEquals(3L << 30, OptionParser.parse("audit.max=3gb", Map.of()).auditMaxBytes());
        assertEquals(0, OptionParser.parse("audit.keep=0", Map.of()).auditKeep());
        OptionException bare = assertThrows(OptionException.class, () -> OptionParser.parse("audit.max=1000", Map.of()));
        assertEquals("preempt: option audit.max=1000 (agent argument 1): expected a size with a unit: B, KB, MB, GB or TB (64KB, 10MB, 1GB)",
                bare.getMessage());
        OptionException small = assertThrows(OptionException.class, () -> OptionParser.parse("audit.max=1KB", Map.of()));
        assertTrue(small.getMessage().endsWith("expected a size from 64KB to 1TB"), small.getMessage());
        assertThrows(OptionException.class, () -> OptionParser.parse("audit.keep=-1", Map.of()));
    }

    @Test
    void jdkPollsIsOnByDefaultAndTakesOnOrOff() throws Exception {
        assertTrue(OptionParser.parse(null, Map.of()).jdkPolls());
        assertFalse(OptionParser.parse("jdk.polls=off", Map.of()).jdkPolls());
        assertTrue(OptionParser.parse(null, Map.of("preempt.jdk.polls", "ON")).jdkPolls());
        OptionException bad = assertThrows(OptionException.class, () -> OptionParser.parse("jdk.polls=maybe", Map.of()));
        assertEquals("preempt: option jdk.polls=maybe (agent argument 1): expected one of on, off", bad.getMessage());
    }

    @Test
    void durationsTakeEveryUnit() throws Exception {
        assertEquals(Duration.ofNanos(500_000), OptionParser.parse("slice=500us", Map.of()).slice());
        assertEquals(Duration.ofNanos(500_000), OptionParser.parse("slice=500µs", Map.of()).slice());
        assertEquals(Duration.ofMillis(2), OptionParser.parse("slice=2ms", Map.of()).slice());
        assertEquals(Duration.ofSeconds(1), OptionParser.parse("slice=1s", Map.of()).slice());
        assertEquals(Duration.ofMillis(2), OptionParser.parse("slice=2000000ns", Map.of()).slice());
    }

    @Test
    void laterSourcesWinAgentArgsThenPropertiesThenConfigFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("p.properties");
        Files.writeString(cfg, "carriers=3\n");
        AgentConfig c = OptionParser.parse("slice=1ms,carriers=1,sched=strict,config=" + cfg,
                Map.of("preempt.slice", "3ms", "preempt.carriers", "2", "unrelated.key", "x"));
        assertEquals(Duration.ofMillis(3), c.slice(), "property beats agent argument");
        assertEquals(3, c.carriers(), "config file beats property");
        assertEquals(RuntimeSettings.Sched.STRICT, c.sched(), "agent argument stands when nothing overrides it");
    }

    @Test
    void prioritiesAndGlobsParse() throws Exception {
        AgentConfig c = OptionParser.parse("priority=worker-*:8;batch-*:2,threads.keep=AWT-*;jni-*,include=com.acme.**", Map.of());
        assertEquals(List.of(new PriorityRule("worker-*", 8), new PriorityRule("batch-*", 2)), c.priority());
        assertEquals(2, c.threadsKeep().size());
        assertTrue(c.instruments("com/acme/deep/Foo"));
        assertFalse(c.instruments("org/other/Foo"));
    }

    @Test
    void classGlobsSeparateSegmentsWithSingleStar() {
        Glob g = Glob.ofClass("com.acme.*");
        assertTrue(g.matches("com/acme/Foo"));
        assertTrue(g.matches("com.acme.Foo"));
        assertFalse(g.matches("com/acme/sub/Foo"));
        assertTrue(Glob.ofClass("com.acme.**").matches("com/acme/sub/Foo"));
        assertTrue(Glob.ofName("worker-*").matches("worker-1.pool"));
    }

    @Test
    void excludeWinsOverInclude() throws Exception {
        AgentConfig c = OptionParser.parse("include=com.acme.**,exclude=com.acme.gen.**", Map.of());
        assertTrue(c.instruments("com/acme/Foo"));
        assertFalse(c.instruments("com/acme/gen/Foo"));
    }

    @Test
    void nestedConfigIsRefused(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("p.properties");
        Files.writeString(cfg, "config=other.properties\n");
        OptionException e = assertThrows(OptionException.class, () -> OptionParser.parse("config=" + cfg, Map.of()));
        assertTrue(e.getMessage().contains("line 1: config= cannot be nested"), e.getMessage());
    }

    @Test
    void cfiTypesTakeInterfacesNoneOrGlobs() throws Exception {
        assertTrue(OptionParser.parse(null, Map.of()).cfiTypes().none(), "receiver checks are opt-in");
        AgentConfig.CfiTypes t = OptionParser.parse("cfi.types=interfaces;java.util.Map;com.acme.**", Map.of()).cfiTypes();
        assertEquals(true, t.appInterfaces());
        assertEquals(List.of("java.util.Map", "com.acme.**"), t.globs().stream().map(Glob::toString).toList());
        assertEquals(true, t.globs().get(1).matches("com/acme/spi/Handler"));
        assertEquals(true, OptionParser.parse("cfi.types=none", Map.of()).cfiTypes().none());
        OptionException mixed = assertThrows(OptionException.class, () -> OptionParser.parse("cfi.types=none;com.acme.*", Map.of()));
        assertEquals("preempt: option cfi.types=none;com.acme.* (agent argument 1): 'none' cannot be combined with other entries", mixed.getMessage());
        OptionException bad = assertThrows(OptionException.class, () -> OptionParser.parse("cfi.types=interfaces;com.acme.{a}", Map.of()));
        assertEquals(true, bad.getMessage().startsWith("preempt: option cfi.types=interfaces;com.acme.{a} (agent argument 1): 'com.acme.{a}' is not a glob"),
                bad.getMessage());
    }

    @Test
    void emptyPathIsRefused() {
        OptionException e = assertThrows(OptionException.class, () -> OptionParser.parse("profile=", Map.of()));
        assertTrue(e.getMessage().contains("expected a file path"), e.getMessage());
    }

    @Test
    void outputPathsAreMadeAbsoluteAndMustBeWritable(@TempDir Path dir) throws Exception {
        AgentConfig c = OptionParser.parse("profile=" + dir.resolve("r.html") + ",trace=" + dir.resolve("t.json"), Map.of());
        assertEquals(dir.resolve("r.html"), c.profile().orElseThrow());
        assertTrue(c.trace().orElseThrow().isAbsolute());
        OptionException missingDir = assertThrows(OptionException.class,
                () -> OptionParser.parse("trace=" + dir.resolve("no/such/t.json"), Map.of()));
        assertEquals("preempt: option trace=" + dir.resolve("no/such/t.json") + " (agent argument 1): expected a writable file path: directory '"
                + dir.resolve("no/such") + "' does not exist", missingDir.getMessage());
        OptionException isDir = assertThrows(OptionException.class, () -> OptionParser.parse("profile=" + dir, Map.of()));
        assertTrue(isDir.getMessage().contains("got the directory"), isDir.getMessage());
    }

    @Test
    void aProfileDurationNeedsSomethingToWrite(@TempDir Path dir) throws Exception {
        OptionException e = assertThrows(OptionException.class, () -> OptionParser.parse("profile.duration=10s", Map.of()));
        assertTrue(e.getMessage().contains("profile.duration=10s (agent argument 1): needs profile= or trace="), e.getMessage());
        AgentConfig c = OptionParser.parse("trace=" + dir.resolve("t.json") + ",profile.duration=2m", Map.of());
        assertEquals(java.time.Duration.ofMinutes(2), c.profileDuration().orElseThrow());
        assertTrue(OptionParser.parse("", Map.of()).profileDuration().isEmpty());
        assertThrows(OptionException.class, () -> OptionParser.parse("trace=" + dir.resolve("t.json") + ",profile.duration=10", Map.of()));
    }

    @Test
    void profilingTurnsRecordingOnInTheRuntime(@TempDir Path dir) throws Exception {
        assertFalse(OptionParser.parse("", Map.of()).toRuntimeSettings().record());
        assertTrue(OptionParser.parse("trace=" + dir.resolve("t.json"), Map.of()).toRuntimeSettings().record());
    }

    @Test
    void didYouMeanOnlySuggestsNearKeys() {
        assertEquals("carriers", OptionKey.didYouMean("carrier").orElseThrow());
        assertEquals("threads.keep", OptionKey.didYouMean("thread.keep").orElseThrow());
        assertTrue(OptionKey.didYouMean("zzzzzzzzzzzz").isEmpty());
    }

    @Test
    void choicesAreCaseInsensitive() throws Exception {
        assertEquals(RuntimeSettings.Sched.STRICT, OptionParser.parse("sched=STRICT", Map.of()).sched());
    }
}
