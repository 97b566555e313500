package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Forward edges that no bytecode names: an interface call that dispatches into an implementation never
 * seen at that call site, and an invokedynamic site linked by an app bootstrap never linked while
 * learning. Forked JVMs; programs in {@code src/test/resources/it/cfi-forward}, compiled for Java 8.
 */
class CfiForwardEdgeIT {
    private static final String APPLY_SITE = "CodecService.apply(Ljava/lang/String;)Ljava/lang/String;#v0";
    private static Path codecs;
    private static Path indy;
    private static Path codecPolicy;

    @BeforeAll
    static void compileAndLearn() throws IOException {
        codecs = ForkedJvm.compile(8, List.of(), "CodecService", source("CodecService"));
        indy = ForkedJvm.compile(8, List.of(), "IndyApp", source("IndyApp"), "IndySites", source("IndySites"));
        Files.write(indy.resolve("IndySites.class"), indySites());
        codecPolicy = ForkedJvm.scratch("codec-policy").resolve("policy.json");
        ForkedJvm.Result learn = codecService("cfi=learn,cfi.types=interfaces,policy=" + codecPolicy, "upper:abc", "reverse:abc").assertOk();
        assertEquals(List.of("upper:abc -> ABC", "reverse:abc -> cba"), learn.stdout().lines().toList(), learn::toString);
    }

    private static String source(String name) {
        return ForkedJvm.resource("/it/cfi-forward/" + name + ".java");
    }

    /** IndySites with real invokedynamic instructions (javac emits none with an app bootstrap), class file 52. */
    private static byte[] indySites() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "IndySites", null, "java/lang/Object", null);
        Handle bsm = new Handle(Opcodes.H_INVOKESTATIC, "IndyApp", "bootstrap",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;", false);
        for (String name : List.of("greet", "other")) {
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, name, "()Ljava/lang/String;", null, null);
            mv.visitCode();
            mv.visitInvokeDynamicInsn(name, "()Ljava/lang/String;", bsm);
            mv.visitInsn(Opcodes.ARETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static ForkedJvm.Result codecService(String options, String... requests) {
        return ForkedJvm.java(options).classpath(codecs).main("CodecService", requests).run();
    }

    @Test
    void anInterfaceCallIntoAnImplementationNeverSeenThereIsRefusedBeforeItRuns() throws IOException {
        Path dir = ForkedJvm.scratch("codec-enforce");
        Path stockMarker = dir.resolve("stock-marker");
        ForkedJvm.Result stock = codecService(null, "shell:" + stockMarker).assertOk();
        assertTrue(stock.stdout().contains("marker=true"), "the admin codec really runs a command on the stock JVM: " + stock);

        String policy = Files.readString(codecPolicy);
        assertTrue(policy.contains("{\"site\": \"CodecService$Codec\", \"target\": \"CodecService$Upper\"}")
                && policy.contains("{\"site\": \"CodecService$Codec\", \"target\": \"CodecService$Reverse\"}"),
                "both implementations learned for the interface: " + policy);

        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = codecService("cfi=enforce,cfi.types=interfaces,policy=" + codecPolicy + ",audit=" + audit, "upper:xyz", "reverse:pq", "shell:" + marker)
                .assertOk();
        assertEquals(List.of("upper:xyz -> XYZ", "reverse:pq -> qp", "shell:" + marker + " -> refused CfiViolation", "marker=false"),
                r.stdout().lines().toList(), r::toString);
        assertFalse(Files.exists(marker));
        List<String> records = ForkedJvm.linesOf(audit);
        assertEquals(2, records.size(), "the first refusal in full, the three uses in the summary at exit: " + records);
        assertTrue(records.get(1).contains("\"what\":\"CodecService$Shell.encode\"") && records.get(1).contains("\"record\":\"summary\",\"count\":3,"),
                records.get(1));
        assertTrue(records.get(0).contains("\"kind\":\"call\",\"what\":\"CodecService$Shell.encode\"")
                && records.get(0).contains("\"site\":\"" + APPLY_SITE + "\"")
                && records.get(0).contains("\"callers\":[\"CodecService.apply\",\"CodecService.main\"]")
                && records.get(0).contains("\"rule\":\"unlearned\""), records.get(0));
        assertTrue(records.stream().noneMatch(l -> l.contains("process.start")), "refused before the codec ran: " + records);
    }

    @Test
    void auditDecidesTheSameLogsAnUnseenEdgeOnceAndLetsItPass() throws IOException {
        Path dir = ForkedJvm.scratch("codec-audit");
        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = codecService("cfi=audit,cfi.types=interfaces,policy=" + codecPolicy + ",audit=" + audit, "shell:" + marker).assertOk();
        assertTrue(r.stdout().contains("marker=true"), "audit lets the call pass: " + r);
        List<String> records = ForkedJvm.linesOf(audit);
        List<String> calls = records.stream().filter(l -> l.contains("\"kind\":\"call\"")).toList();
        assertEquals(1, calls.size(), "three uses of one unseen edge, logged once: " + records);
        assertTrue(calls.get(0).contains("\"mode\":\"audit\"") && calls.get(0).contains("\"what\":\"CodecService$Shell.encode\""), calls.get(0));
        assertEquals(List.of("\"record\":\"refusal\",\"count\":1,", "\"record\":\"summary\",\"count\":3,"),
                records.stream().filter(l -> l.contains("\"what\":\"process.start\"")).map(l -> l.replaceAll(".*(\"record\":\"\\w+\",\"count\":\\d+,).*", "$1")).toList(),
                "the command's sink is reached at each use: logged in full once, counted three times: " + records);
    }

    @Test
    void heldOutRequestsOnLearnedCodecsGiveNoViolations() throws IOException {
        Path audit = ForkedJvm.scratch("codec-heldout").resolve("audit.jsonl");
        ForkedJvm.Result r = codecService("cfi=enforce,cfi.types=interfaces,policy=" + codecPolicy + ",audit=" + audit,
                "reverse:held out", "upper:other text", "reverse:x").assertOk();
        assertEquals(List.of("reverse:held out -> tuo dleh", "upper:other text -> OTHER TEXT", "reverse:x -> x"), r.stdout().lines().toList());
        assertEquals(List.of(), ForkedJvm.linesOf(audit));
    }

    @Test
    void withReceiverChecksOffByDefaultTheSameAttackGetsAsFarAsTheSink() throws IOException {
        Path dir = ForkedJvm.scratch("codec-types-none");
        Path policy = dir.resolve("policy.json");
        codecService("cfi=learn,policy=" + policy, "upper:abc", "reverse:abc").assertOk();
        assertFalse(Files.readString(policy).contains("CodecService$Codec"), "no receiver edge is learned without cfi.types");
        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = codecService("cfi=enforce,policy=" + policy + ",audit=" + audit, "shell:" + marker).assertOk();
        assertTrue(r.stdout().contains("marker=false"), r::toString);
        List<String> records = ForkedJvm.linesOf(audit);
        assertFalse(records.isEmpty(), r::toString);
        assertTrue(records.get(0).contains("\"what\":\"process.start\"") && records.get(0).contains("CodecService$Shell.encode"),
                "the admin codec ran and only its command was refused: " + records.get(0));
    }

    @Test
    void learningIncludesWhatTheAppsShutdownHooksDid() throws IOException {
        Path dir = ForkedJvm.scratch("hook");
        Path hooks = ForkedJvm.compile(8, List.of(), "HookApp", source("HookApp"));
        Path policy = dir.resolve("policy.json");
        ForkedJvm.Result learn = ForkedJvm.java().agent("cfi=learn,policy=" + policy).classpath(hooks)
                .main("HookApp", dir.resolve("learned.txt").toString()).run().assertOk();
        assertEquals(List.of("main done", "hook wrote"), learn.stdout().lines().toList());
        assertTrue(Files.readString(policy).contains("{\"sink\": \"file.write\", \"callers\": \"HookApp$1.run\"}"),
                "the policy is written after the app's hooks ended: " + Files.readString(policy));
        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=" + audit).classpath(hooks)
                .main("HookApp", dir.resolve("enforced.txt").toString()).run().assertOk();
        assertEquals(List.of("main done", "hook wrote"), r.stdout().lines().toList(), r::toString);
        assertEquals(List.of(), ForkedJvm.linesOf(audit));
    }

    @Test
    void anAppBootstrapIsCheckedWhenItsSiteIsLinked() throws IOException {
        ForkedJvm.Result stock = ForkedJvm.java().classpath(indy).main("IndyApp", "greet", "other").run().assertOk();
        assertEquals(List.of("lambda ran 2", "greet: linked greet", "other: linked other"), stock.stdout().lines().toList());

        Path dir = ForkedJvm.scratch("indy");
        Path policy = dir.resolve("policy.json");
        ForkedJvm.java().agent("cfi=learn,policy=" + policy).classpath(indy).main("IndyApp", "greet").run().assertOk();
        String learned = Files.readString(policy);
        assertTrue(learned.contains("{\"site\": \"IndySites.greet()Ljava/lang/String;#d0\", \"target\": \"bootstrap IndyApp.bootstrap\"}"), learned);
        assertFalse(learned.contains("LambdaMetafactory") || learned.contains("StringConcatFactory"), "the JDK's bootstraps are not checked: " + learned);

        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=" + audit)
                .classpath(indy).main("IndyApp", "greet", "other").run().assertOk();
        assertEquals(List.of("lambda ran 2", "greet: linked greet", "other: refused CfiViolation"), r.stdout().lines().toList(), r::toString);
        List<String> records = ForkedJvm.linesOf(audit);
        assertEquals(1, records.size(), records::toString);
        assertTrue(records.get(0).contains("\"what\":\"bootstrap IndyApp.bootstrap\"")
                && records.get(0).contains("\"site\":\"IndySites.other()Ljava/lang/String;#d0\""), records.get(0));
    }
}
