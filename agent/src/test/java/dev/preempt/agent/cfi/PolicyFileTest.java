package dev.preempt.agent.cfi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.runtime.cfi.CfiPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy file: what the runtime writes reads back the same, merges are unions, errors say where. */
class PolicyFileTest {
    @TempDir
    Path dir;

    private static final String POLICY = """
            {
              "schema": "preempt-cfi-policy",
              "version": 1,
              "rules": [
                {"action": "deny", "sink": "jvm.exit", "caller": "com.acme.plugins.**"},
                {"action": "allow", "sink": "file.write", "detail": "/srv/data/**"}
              ],
              "sinks": [
                {"sink": "process.start", "callers": "com.acme.Tool.run < com.acme.Main.main"},
                {"sink": "deserialize.class", "detail": "[Lcom.acme.Item;", "callers": "com.acme.Cache.load"},
                {"sink": "deserialize.class", "detail": "java.util.HashMap", "callers": "com.acme.Cache.load"}
              ],
              "calls": [
                {"site": "com.acme.Plugins.call(Ljava/lang/String;)V#0", "target": "com.acme.Hello.run"}
              ]
            }
            """;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void writtenPolicyReadsBackToTheSameTextSortedWithADerivedSerialFilter() throws Exception {
        CfiPolicy p = PolicyFile.read(write("p.json", POLICY));
        assertEquals(2, p.rules().size());
        assertEquals(3, p.sinkCount());
        String json = p.toJson();
        assertEquals(json, PolicyFile.read(write("q.json", json)).toJson(), "stable through a round trip");
        assertTrue(json.indexOf("deserialize.class") < json.indexOf("process.start"), "entries sorted");
        assertEquals("com.acme.Item;java.util.HashMap;!*", p.serialFilter(), "array classes as their element class");
    }

    @Test
    void mergeIsTheUnionOfLearnedEntriesAndKeepsEachRuleOnce() throws Exception {
        CfiPolicy a = PolicyFile.read(write("a.json", POLICY));
        CfiPolicy b = PolicyFile.read(write("b.json", POLICY.replace("com.acme.Hello.run", "com.acme.Bye.run")));
        CfiPolicy m = a.merge(b);
        assertEquals(2, m.rules().size());
        assertEquals(2, m.callCount());
        assertEquals(m.toJson(), b.merge(a).toJson(), "merge order does not change the learned part");
    }

    @Test
    void errorsNameTheFileThePositionAndWhatWasExpected() throws Exception {
        record Case(String text, String expected) {}
        for (Case c : List.of(
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 2}", "at version: expected 1"),
                new Case("{\"schema\": \"x\", \"version\": 1}", "at schema: expected \"preempt-cfi-policy\""),
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"rule\": []}", "at rule: unknown field"),
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"rules\": [{\"action\": \"block\", \"sink\": \"jvm.exit\"}]}",
                        "at rules[0].action: expected \"allow\" or \"deny\", got \"block\""),
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"rules\": [{\"action\": \"deny\", \"sink\": \"udp\"}]}",
                        "at rules[0].sink: unknown sink \"udp\"; expected one of process.start, jvm.exit, jndi.lookup, deserialize, "
                        + "deserialize.class, class.define, native.load, file.write, file.delete, socket.connect, socket.bind, script.engine, native.link"),
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"sinks\": [{\"sink\": \"jvm.exit\"}]}", "at sinks[0].callers: missing"),
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 1}\n{}", "at line 2 column 1: Trailing token"),
                new Case("{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"version\": 1}", "at line 1 column 57: Duplicate field 'version'"))) {
            Path p = write("bad.json", c.text());
            PolicyFile.PolicyException e = assertThrows(PolicyFile.PolicyException.class, () -> PolicyFile.read(p));
            assertTrue(e.getMessage().contains("'" + p.toAbsolutePath() + "'") && e.getMessage().contains(c.expected()), e.getMessage());
        }
    }
}
