package dev.preempt.runtime.cfi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.runtime.base.Glob;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runtime's half of the policy: rule matching, globs, stable names, and the JSON it writes. */
class CfiPolicyTest {

    @Test
    void classGlobsStayInAPackageUnlessDoubleStarAndPathGlobsInADirectory() {
        assertTrue(Glob.ofClass("com.acme.**").matches("com.acme.a.B"));
        assertFalse(Glob.ofClass("com.acme.*").matches("com.acme.a.B"));
        assertTrue(Glob.ofClass("com.acme.*").matches("com.acme.B"));
        assertTrue(Glob.ofClass("com/acme/*").matches("com.acme.B"), "either separator, as in the options");
        assertTrue(Glob.ofName("worker-*").matches("worker-1.pool/x"), "thread names have no segments");
        assertTrue(Glob.ofPath("/srv/data/**").matches("/srv/data/a/b.txt"));
        assertFalse(Glob.ofPath("/srv/data/*").matches("/srv/data/a/b.txt"));
        assertFalse(Glob.ofPath("/srv/data/**").matches("/srv/database"));
        assertFalse(Glob.ofPath("/srv/**").matches(null));
    }

    @Test
    void aRuleMatchesItsSinkCallerAndDetail() {
        CfiRule r = new CfiRule(false, Sink.JVM_EXIT, Glob.ofClass("plugins.**"), null, 0);
        assertTrue(r.matches(Sink.JVM_EXIT, "plugins.x.Plugin", null));
        assertFalse(r.matches(Sink.JVM_EXIT, "app.Main", null));
        assertFalse(r.matches(Sink.PROCESS_START, "plugins.x.Plugin", null));
        assertEquals("rules[0] deny jvm.exit", r.label());
    }

    @Test
    void namesThatChangeFromRunToRunAreMadeStable() {
        assertEquals("com.sun.proxy.$Proxy", CallerFrames.stableName("com.sun.proxy.$Proxy12"));
        assertEquals("jdk.proxy.$Proxy", CallerFrames.stableName("jdk.proxy3.$Proxy12"));
        assertEquals("jdk.proxyish.Tool", CallerFrames.stableName("jdk.proxyish.Tool"));
        assertEquals("App$$Lambda", CallerFrames.stableName("App$$Lambda/0x000001f0"));
        assertEquals("a.B", CallerFrames.stableName("a.B"));
    }

    @Test
    void samplesAndBenchmarksAreAppCodeNotPreempts() {
        assertTrue(CallerFrames.isPreemptName("dev.preempt.runtime.cfi.Cfi"));
        assertTrue(CallerFrames.isPreemptName("dev.preempt.agent.AgentInstaller"));
        assertFalse(CallerFrames.isPreemptName("dev.preempt.bench.jmh_generated.CfiBench_reflectiveCall_jmhTest"));
        assertFalse(CallerFrames.isPreemptName("dev.preempt.samples.server.ThreadPerConnectionServer"));
    }

    @Test
    void jsonIsSortedEscapedAndDerivesTheSerialFilter() {
        CfiPolicy p = new CfiPolicy(List.of(),
                List.of(new CfiPolicy.SinkEntry("process.start", "", "b.Tool.run"),
                        new CfiPolicy.SinkEntry("deserialize.class", "[[I", "a.Load.load"),
                        new CfiPolicy.SinkEntry("deserialize.class", "[Ljava.util.Map$Entry;", "a.Load.load")),
                List.of(new CfiPolicy.CallEdge("a.\"Quoted\".m()V#0", "x.Y.z")));
        String json = p.toJson();
        assertTrue(json.indexOf("deserialize.class") < json.indexOf("process.start"), json);
        assertTrue(json.contains("\"site\": \"a.\\\"Quoted\\\".m()V#0\""), json);
        assertEquals("java.util.Map$Entry;!*", p.serialFilter(), "primitive arrays need no entry");
        assertEquals(json, p.merge(CfiPolicy.empty()).toJson());
    }
}
