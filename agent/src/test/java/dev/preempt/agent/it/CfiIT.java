package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CFI on real programs in forked JVMs, all on loopback: a policy is learned from a benign run of the app
 * itself, then enforced. Nothing in the policy or in preempt names the libraries or their gadgets: the
 * attacks are refused because their calls were never seen. The two attacked apps are samples
 * ({@code samples/src/legacy/java/dev/preempt/samples/cfi}) run on the libraries in {@code preempt.cfi.libs};
 * the rules, attach and fail-closed programs live in {@code src/test/resources/it/cfi}.
 */
class CfiIT {
    private static final String GADGET = "dev.preempt.samples.cfi.GadgetCache";
    private static final String LOGGING = "dev.preempt.samples.cfi.LoggingService";
    private static Path libs;
    private static Path rules;
    private static Path gadgetPolicy;

    @BeforeAll
    static void compileAndLearn() throws IOException {
        libs = Path.of(System.getProperty("preempt.cfi.libs"));
        rules = ForkedJvm.compile(25, List.of(), "RulesApp", source("RulesApp"), "plugins.Plugin", source("Plugin"), "Sleeper", source("Sleeper"),
                "Attached", source("Attached"));
        gadgetPolicy = ForkedJvm.scratch("gadget-policy").resolve("policy.json");
        ForkedJvm.Result learn = gadgetApp("cfi=learn,policy=" + gadgetPolicy, "benign", "alpha", "beta").assertOk();
        assertTrue(learn.stdout().contains("cached=beta=BETA"), learn::toString);
        assertTrue(Files.exists(gadgetPolicy), "learn writes the policy at exit: " + learn);
    }

    private static Path lib(String jar) {
        return libs.resolve(jar);
    }

    private static String source(String name) {
        return ForkedJvm.resource("/it/cfi/" + name + ".java");
    }

    private static ForkedJvm.Result gadgetApp(String options, String... args) {
        return ForkedJvm.java(options).classpath(ForkedJvm.samplesJar(), lib("commons-collections-3.1.jar")).main(GADGET, args).run();
    }

    private static ForkedJvm.Result log4jApp(String options, String... args) {
        return ForkedJvm.java(options).classpath(ForkedJvm.samplesJar(), lib("log4j-api-2.14.1.jar"), lib("log4j-core-2.14.1.jar")).main(LOGGING, args).run();
    }

    @Test
    void aDeserialisedGadgetChainIsRefusedWhileTheAppsOwnExecKeepsWorking() throws IOException {
        Path dir = ForkedJvm.scratch("gadget-enforce");
        Path stockMarker = dir.resolve("stock-marker");
        ForkedJvm.Result stock = gadgetApp(null, "attack", stockMarker.toString()).assertOk();
        assertTrue(stock.stdout().contains("marker=true"), "the chain really runs a command on the stock JVM: " + stock);

        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = gadgetApp("cfi=enforce,policy=" + gadgetPolicy + ",audit=" + audit, "attack", marker.toString()).assertOk();
        assertTrue(r.stdout().contains("tool=0"), r::toString);
        assertTrue(r.stdout().contains("attack=refused dev.preempt.runtime.cfi.CfiViolation"), r::toString);
        assertTrue(r.stdout().contains("marker=false"), "no command ran: " + r);
        assertTrue(r.stdout().contains("tool again=0"), "the app's own Runtime.exec still works: " + r);
        assertTrue(r.stdout().contains("done"), r::toString);
        List<String> records = ForkedJvm.linesOf(audit);
        assertEquals(1, records.size(), "enforce stops the chain at its first refusal: " + records);
        assertTrue(records.get(0).contains("\"mode\":\"enforce\"") && records.get(0).contains("\"decision\":\"deny\"")
                && records.get(0).contains("\"rule\":\"unlearned\""), records::toString);

        // audit decides the same and lets it pass: the same first refusal, then the rest of the chain, exec included
        Path auditMarker = dir.resolve("audit-marker");
        Path auditLog = dir.resolve("audit-mode.jsonl");
        ForkedJvm.Result a = gadgetApp("cfi=audit,policy=" + gadgetPolicy + ",audit=" + auditLog, "attack", auditMarker.toString()).assertOk();
        assertTrue(a.stdout().contains("marker=true"), "audit lets the call pass: " + a);
        List<String> auditRecords = ForkedJvm.linesOf(auditLog);
        assertEquals(decision(records.get(0)), decision(auditRecords.get(0)), "audit and enforce make the same decision");
        assertTrue(auditRecords.stream().anyMatch(l -> l.contains("\"kind\":\"call\"") && l.contains("\"what\":\"java.lang.Runtime.exec\"")),
                "the reflective call to exec is an unseen forward edge: " + auditRecords);
        assertTrue(auditRecords.stream().anyMatch(l -> l.contains("\"what\":\"process.start\"")), auditRecords::toString);
    }

    /** The record without its time: what was decided, about what, and why. */
    private static String decision(String record) {
        return record.replaceAll("\"time\":\"[^\"]*\",", "").replace("\"mode\":\"audit\"", "\"mode\":\"enforce\"");
    }

    @Test
    void withAnyDeserialisationAllowedByHandTheChainIsRefusedAtItsFirstUnseenCallEdge() throws IOException {
        Path dir = ForkedJvm.scratch("gadget-edge");
        Path policy = dir.resolve("policy.json");
        // A hand-written rule in front of the learned entries: any class may be deserialised.
        Files.writeString(policy, Files.readString(gadgetPolicy).replace("\"rules\": []",
                "\"rules\": [\n    {\"action\": \"allow\", \"sink\": \"deserialize.class\"}\n  ]"));
        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = gadgetApp("cfi=enforce,policy=" + policy + ",audit=" + audit, "attack", marker.toString()).assertOk();
        assertTrue(r.stdout().contains("attack=refused") && r.stdout().contains("marker=false") && r.stdout().contains("tool again=0"), r::toString);
        List<String> records = ForkedJvm.linesOf(audit);
        assertEquals(1, records.size(), records::toString);
        String first = records.get(0);
        assertTrue(first.contains("\"kind\":\"call\"") && first.contains("\"what\":\"java.lang.Class.getMethod\"")
                && first.contains("\"site\":\"org.apache.commons.collections.functors.InvokerTransformer.transform("), first);
    }

    /**
     * The cache's own transformer is a ChainedTransformer of a ConstantTransformer and an InvokerTransformer:
     * the gadget uses the same three classes in another arrangement, so every (Transformer, class) edge is
     * learned and receiver checks add no refusal here; the reflective edge still refuses, first and alone.
     */
    @Test
    void withReceiverChecksTooTheChainIsRefusedAtTheSameReflectiveEdgeAndTheAppIsUntouched() throws IOException {
        Path dir = ForkedJvm.scratch("gadget-receiver");
        Path learned = dir.resolve("learned.json");
        gadgetApp("cfi=learn,cfi.types=interfaces,policy=" + learned, "benign", "alpha", "beta").assertOk();
        String policyText = Files.readString(learned);
        for (String c : List.of("ChainedTransformer", "ConstantTransformer", "InvokerTransformer")) {
            assertTrue(policyText.contains("{\"site\": \"org.apache.commons.collections.Transformer\", \"target\": \"org.apache.commons.collections.functors."
                    + c + "\"}"), c + " is learned for the interface: " + policyText);
        }
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, policyText.replace("\"rules\": []",
                "\"rules\": [\n    {\"action\": \"allow\", \"sink\": \"deserialize.class\"}\n  ]"));
        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = gadgetApp("cfi=enforce,cfi.types=interfaces,policy=" + policy + ",audit=" + audit, "attack", marker.toString())
                .assertOk();
        assertTrue(r.stdout().contains("attack=refused") && r.stdout().contains("marker=false") && r.stdout().contains("tool again=0"), r::toString);
        List<String> records = ForkedJvm.linesOf(audit);
        assertEquals(1, records.size(), records::toString);
        assertTrue(records.get(0).contains("\"what\":\"java.lang.Class.getMethod\""), records.get(0));
        Path heldOut = dir.resolve("held-out.jsonl");
        gadgetApp("cfi=enforce,cfi.types=interfaces,policy=" + learned + ",audit=" + heldOut, "benign", "gamma", "delta").assertOk();
        assertEquals(List.of(), ForkedJvm.linesOf(heldOut), "receiver checks refuse nothing on the app's own held-out work");
    }

    @Test
    void aHeldOutBenignWorkloadAfterLearningGivesNoViolations() throws IOException {
        Path audit = ForkedJvm.scratch("gadget-heldout").resolve("audit.jsonl");
        ForkedJvm.Result r = gadgetApp("cfi=audit,policy=" + gadgetPolicy + ",audit=" + audit, "benign", "gamma", "delta", "epsilon").assertOk();
        ForkedJvm.Result stock = gadgetApp(null, "benign", "gamma", "delta", "epsilon").assertOk();
        assertEquals(stock.stdout(), r.stdout());
        assertEquals(List.of(), ForkedJvm.linesOf(audit), "no violation on inputs never seen while learning");
    }

    @Test
    void log4jJndiLookupIsRefusedWithoutAConnectionAndTheServiceGoesOn() throws IOException {
        ForkedJvm.Result stock = log4jApp(null, "curl/8", "@jndi").assertOk();
        assertTrue(stock.stdout().contains("connections=1"), "the stock JVM connects to the listener: " + stock);

        Path dir = ForkedJvm.scratch("log4j");
        Path policy = dir.resolve("policy.json");
        log4jApp("cfi=learn,policy=" + policy, "curl/8", "Mozilla/5.0").assertOk();
        assertFalse(Files.readString(policy).contains("jndi"), "ordinary logging does no JNDI lookup");

        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = log4jApp("cfi=enforce,policy=" + policy + ",audit=" + audit, "curl/8", "@jndi", "wget/1").assertOk();
        assertTrue(r.stdout().contains("connections=0"), "no connection was made: " + r);
        assertTrue(r.stdout().contains("request from user agent wget/1") && r.stdout().contains("done"), "the service goes on: " + r);
        List<String> records = ForkedJvm.linesOf(audit);
        assertEquals(1, records.size(), records::toString);
        assertTrue(records.get(0).contains("\"what\":\"jndi.lookup\"") && records.get(0).contains("ldap://127.0.0.1:"), records::toString);
    }

    private static final String RULES = """
            {
              "schema": "preempt-cfi-policy",
              "version": 1,
              "rules": [
                {"action": "allow", "sink": "file.write", "detail": "%s/allowed/**"},
                {"action": "deny", "sink": "file.write"},
                {"action": "deny", "sink": "jvm.exit", "caller": "plugins.**"}
              ]
            }
            """;

    @Test
    void handWrittenRulesConfineWritesToADirectoryAndDenyAPluginSystemExit() throws IOException {
        Path dir = ForkedJvm.scratch("rules");
        Files.createDirectories(dir.resolve("allowed"));
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, RULES.formatted(dir.toAbsolutePath()));
        Path audit = dir.resolve("audit.csv");
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=" + audit + ",audit.format=csv")
                .classpath(rules).main("RulesApp", dir.toAbsolutePath().toString()).run().assertOk();
        assertEquals(List.of("allowed write=ok", "allowed stream=ok", "outside write=refused", "outside stream=refused",
                "plugin exit=refused", "reflect=refused", "lookup=refused", "done"), r.stdout().lines().toList(), r::toString);
        assertFalse(Files.exists(dir.resolve("elsewhere.txt")));
        List<String> csv = ForkedJvm.linesOf(audit);
        assertEquals("time,thread,mode,decision,kind,what,detail,site,callers,rule,policy,record,count,since", csv.get(0));
        assertTrue(csv.stream().anyMatch(l -> l.contains("\"rules[1] deny file.write\"") && l.contains("elsewhere.txt")), csv::toString);
        assertTrue(csv.stream().anyMatch(l -> l.contains("\"rules[2] deny jvm.exit\"") && l.contains("plugins.Plugin.shutdown")), csv::toString);
        assertTrue(csv.stream().anyMatch(l -> l.contains("\"self-protection\"") && l.contains("dev.preempt.runtime.cfi.Cfi")), csv::toString);
    }

    @Test
    void anAuditLogThatCannotBeWrittenNeverStopsTheApp() throws IOException {
        Path dir = ForkedJvm.scratch("full-disk");
        Files.createDirectories(dir.resolve("allowed"));
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, RULES.formatted(dir.toAbsolutePath()));
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=/dev/full")
                .classpath(rules).main("RulesApp", dir.toAbsolutePath().toString()).run().assertOk();
        assertTrue(r.stdout().contains("outside write=refused") && r.stdout().contains("done"), r::toString);
        assertEquals(1, r.agentLogLines().stream().filter(l -> l.contains("audit log /dev/full: cannot write")).count(), "warned once: " + r);
        assertTrue(r.agentLogLines().stream().anyMatch(l -> l.contains("dropped 5")), "drops are counted: " + r);
    }

    @Test
    void enforceFailsClosedOnAMissingOrInvalidPolicy() throws IOException {
        Path dir = ForkedJvm.scratch("fail-closed");
        Path missing = dir.resolve("missing.json");
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=enforce,policy=" + missing).classpath(rules).main("Sleeper").run();
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals("", r.stdout(), "the app never ran");
        assertTrue(r.stderr().contains("preempt: option policy=" + missing + ": cannot read CFI policy '" + missing.toAbsolutePath()
                + "': no such file (cfi=enforce fails closed)"), r::toString);

        Path syntax = dir.resolve("syntax.json");
        Files.writeString(syntax, "{\n  \"schema\": \"preempt-cfi-policy\",\n  \"version\": 1,\n  \"rules\": [,]\n}\n");
        r = ForkedJvm.java().agent("cfi=enforce,policy=" + syntax).classpath(rules).main("Sleeper").run();
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("at line 4 column 13: Unexpected character (','"), r::toString);

        Path value = dir.resolve("value.json");
        Files.writeString(value, "{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"rules\": [{\"action\": \"deny\", \"sink\": \"exec\"}]}");
        r = ForkedJvm.java().agent("cfi=audit,policy=" + value).classpath(rules).main("Sleeper").run();
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("at rules[0].sink: unknown sink \"exec\"; expected one of process.start,"), r::toString);
    }

    @Test
    void learningIsWrittenWhileTheAppRunsSoAKilledJvmLosesLittle() throws IOException {
        Path policy = ForkedJvm.scratch("killed").resolve("policy.json");
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=learn,policy=" + policy).classpath(rules).main("Sleeper")
                .timeout(Duration.ofSeconds(12)).run();
        assertTrue(r.timedOut(), "killed, no shutdown hook ran: " + r);
        assertTrue(Files.readString(policy).contains("{\"sink\": \"process.start\", \"callers\": \"Sleeper.main\"}"), Files.readString(policy));
    }

    @Test
    void attachedToARunningJvmCfiGuardsTheJdkClassesItHadAlreadyLoaded() throws Exception {
        Path dir = ForkedJvm.scratch("attach");
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"rules\": "
                + "[{\"action\": \"deny\", \"sink\": \"process.start\", \"caller\": \"Attached\"}]}");
        Path signal = dir.resolve("go");
        Process target = new ProcessBuilder(System.getProperty("preempt.java"), "-XX:+EnableDynamicAgentLoading",
                "-cp", rules.toString(), "Attached", signal.toString()).redirectErrorStream(true).start();
        List<String> output = new java.util.ArrayList<>();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            ForkedJvm.java().jar(ForkedJvm.agentJar(), "attach", String.valueOf(target.pid()),
                    "cfi=enforce,policy=" + policy.toAbsolutePath() + ",audit=" + dir.toAbsolutePath().resolve("audit.jsonl")).run().assertOk();
            Files.writeString(signal, "go");
            for (String l; (l = out.readLine()) != null; ) output.add(l);
        } finally {
            if (!target.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) target.destroyForcibly();
        }
        assertTrue(output.contains("exec=refused") && output.contains("reflect=refused"), output::toString);
        assertEquals(2, ForkedJvm.linesOf(dir.resolve("audit.jsonl")).size(), output::toString);
    }

    @Test
    void policiesMergeStablyAndExportASerialFilterTheStockJvmEnforces() throws IOException {
        Path dir = ForkedJvm.scratch("merge");
        Path other = dir.resolve("log4j.json");
        log4jApp("cfi=learn,policy=" + other, "curl/8").assertOk();
        Path out1 = dir.resolve("merged1.json");
        Path out2 = dir.resolve("merged2.json");
        ForkedJvm.java().jar(ForkedJvm.agentJar(), "policy", "merge", gadgetPolicy.toString(), other.toString(), "-o", out1.toString()).run().assertOk();
        ForkedJvm.java().jar(ForkedJvm.agentJar(), "policy", "merge", other.toString(), gadgetPolicy.toString(), "-o", out2.toString()).run().assertOk();
        String merged = Files.readString(out1);
        assertEquals(merged, Files.readString(out2), "sorted and stable: the order of the inputs does not matter");
        assertTrue(merged.contains("GadgetCache.runTool") && merged.contains("org.apache.logging.log4j"), merged);

        ForkedJvm.Result f = ForkedJvm.java().jar(ForkedJvm.agentJar(), "policy", "serial-filter", out1.toString()).run().assertOk();
        String filter = f.stdout().strip();
        assertTrue(filter.contains("org.apache.commons.collections.functors.InvokerTransformer;") && filter.endsWith(";!*"), filter);
        // The exported allowlist on the stock JVM, no agent: the benign cache restores, the chain does not.
        Path marker = dir.resolve("marker");
        ForkedJvm.Result stock = ForkedJvm.java().jvmArg("-Djdk.serialFilter=" + filter).classpath(ForkedJvm.samplesJar(), lib("commons-collections-3.1.jar"))
                .main(GADGET, "attack", marker.toString()).run().assertOk();
        assertTrue(stock.stdout().contains("cached=warm=WARM") && stock.stdout().contains("attack=refused java.io.InvalidClassException")
                && stock.stdout().contains("marker=false"), stock::toString);
    }
}
