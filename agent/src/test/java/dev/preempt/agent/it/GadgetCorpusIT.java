package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gadget-chain corpus: fourteen published deserialisation and injection chains, built from the
 * vulnerable library versions themselves, against small apps that use those libraries normally (programs
 * in {@code src/test/resources/it/gadgets}, libraries in {@code preempt.gadget.libs}). Each chain is first
 * shown to reach its sink on the stock JVM (a {@code touch CHAIN.marker} process, a connection to a
 * loopback listener standing for an LDAP server, a DNS question), then run under {@code cfi=enforce} with
 * a policy learned from the apps' ordinary work alone. The chains are batched: one JVM runs every app and
 * every chain, each request in a thread named for it, so the corpus costs seven JVMs, not seven per chain.
 * The table in docs/cfi.md is this test's expectations.
 */
class GadgetCorpusIT {
    /**
     * What the old libraries need on JDK 25, as apps running them there are started: Groovy 2.4 and XStream 1.4
     * make JDK members accessible; the TemplatesImpl chains need java.xml's XSLTC packages exported, as every
     * JDK before 16 did (without them, CC3, CC4 and CB1 stop on the stock JVM at an IllegalAccessException, the
     * XSLTC classes being unexported, and reach no sink).
     */
    private static final List<String> JVM_ARGS = List.of(
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED", "--add-opens", "java.base/java.text=ALL-UNNAMED",
            "--add-opens", "java.desktop/java.awt.font=ALL-UNNAMED", "--add-opens", "java.desktop/java.beans=ALL-UNNAMED",
            "--add-exports", "java.xml/com.sun.org.apache.xalan.internal.xsltc.trax=ALL-UNNAMED",
            "--add-exports", "java.xml/com.sun.org.apache.xalan.internal.xsltc.runtime=ALL-UNNAMED");

    /** To set the JDK classes' private fields while building payloads (the attacker's JVM only). */
    private static final List<String> ATTACKER_ARGS = List.of(
            "--add-opens", "java.xml/com.sun.org.apache.xalan.internal.xsltc.trax=ALL-UNNAMED",
            "--add-opens", "java.base/sun.reflect.annotation=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED");

    private static final String TRAX = "com.sun.org.apache.xalan.internal.xsltc.trax.";

    /**
     * A chain, and what {@code enforce} refuses first: under the policy learned from the apps' work, and under
     * the same policy with any class allowed to deserialise (as if the app's own data used every class of the
     * chain). The text is the start of the refusal after "preempt cfi: refused" ({@code *} stands for any
     * text); null: nothing refused, the chain reaches its sink.
     */
    private record Chain(String id, String learned, String anyClass) {
        boolean log4j() {
            return id.startsWith("log4j-");
        }
    }

    private static final List<Chain> CHAINS = List.of(
            new Chain("cc31-exec", "sink deserialize.class (java.lang.Runtime)",
                    "call java.lang.Class.getMethod at org.apache.commons.collections.functors.InvokerTransformer.transform("),
            new Chain("cc31-templates", "sink deserialize.class (" + TRAX + "TrAXFilter)",
                    "call " + TRAX + "TrAXFilter.<init> at org.apache.commons.collections.functors.InstantiateTransformer.transform("),
            new Chain("cc40-exec", "sink deserialize.class (org.apache.commons.collections4.functors.ChainedTransformer)",
                    "call java.lang.Class.getMethod at org.apache.commons.collections4.functors.InvokerTransformer.transform("),
            new Chain("cc40-templates", "sink deserialize.class (org.apache.commons.collections4.functors.ChainedTransformer)",
                    "call " + TRAX + "TrAXFilter.<init> at org.apache.commons.collections4.functors.InstantiateTransformer.transform("),
            new Chain("beanutils", "sink deserialize.class (" + TRAX + "TemplatesImpl)",
                    "call " + TRAX + "TemplatesImpl.getOutputProperties at org.apache.commons.beanutils.PropertyUtilsBean.invokeMethod("),
            new Chain("groovy", "sink deserialize.class (sun.reflect.annotation.AnnotationInvocationHandler)",
                    "call org.codehaus.groovy.runtime.dgm$*.<init> at org.codehaus.groovy.reflection.GeneratedMetaMethod$Proxy.createProxy("),
            new Chain("urldns-sessions", "sink deserialize.class (java.net.URL)", null),
            new Chain("urldns-bookmarks", null, null),
            new Chain("spring-jta", "sink deserialize.class (org.springframework.transaction.jta.JtaTransactionManager)",
                    "sink jndi.lookup (ldap://127.0.0.1:"),
            new Chain("log4j-message", "sink jndi.lookup (ldap://127.0.0.1:", "sink jndi.lookup (ldap://127.0.0.1:"),
            new Chain("log4j-context", "sink jndi.lookup (ldap://127.0.0.1:", "sink jndi.lookup (ldap://127.0.0.1:"),
            new Chain("log4j-nested", "sink jndi.lookup (ldap://127.0.0.1:", "sink jndi.lookup (ldap://127.0.0.1:"),
            new Chain("snakeyaml", "call java.net.URL.<init> at org.yaml.snakeyaml.constructor.Constructor$ConstructSequence.construct(",
                    "call java.net.URL.<init> at org.yaml.snakeyaml.constructor.Constructor$ConstructSequence.construct("),
            new Chain("xstream", "sink process.start (touch xstream.marker)", "sink process.start (touch xstream.marker)"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path libs;
    private static Path classes;
    private static Path payloads;
    private static Path policy;
    private static Run stock;

    @BeforeAll
    static void buildPayloadsAndLearn() throws IOException {
        libs = Path.of(System.getProperty("preempt.gadget.libs"));
        classes = ForkedJvm.compile(25, jars(), sources("App", "Corpus", "ProbeResolver", "CollectionsApp", "Collections4App", "BeanutilsApp",
                "GroovyApp", "SessionsApp", "BookmarksApp", "SpringApp", "LogApp", "YamlApp", "XStreamApp"));
        Files.writeString(classes.resolve("log4j2.xml"), ForkedJvm.resource("/it/gadgets/log4j2.xml"));
        Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(classes.resolve("META-INF/services/java.net.spi.InetAddressResolverProvider"), "ProbeResolver\n");

        List<Path> attackerCp = new ArrayList<>(jars());
        attackerCp.add(asmJar());
        Path attacker = ForkedJvm.compile(25, attackerCp, sources("Attacker"));
        attackerCp.add(0, attacker);
        payloads = ForkedJvm.scratch("gadget-payloads");
        ForkedJvm.java().jvmArg(ATTACKER_ARGS.toArray(String[]::new)).classpath(attackerCp.toArray(Path[]::new))
                .main("Attacker", payloads.toString()).timeout(Duration.ofSeconds(120)).run().assertOk();

        policy = ForkedJvm.scratch("gadget-learn").resolve("policy.json");
        ForkedJvm.Result learn = ForkedJvm.java("cfi=learn,policy=" + policy).jvmArg(jvmArgs()).classpath(classpath())
                .main("Corpus", "normal", "alpha", "beta").workDir(ForkedJvm.scratch("gadget-learn-work")).timeout(Duration.ofSeconds(120)).run().assertOk();
        assertTrue(learn.stdout().contains("normal yaml name=beta backend=beta.local:9090") && learn.stdout().contains("done"), learn::toString);
        stock = run(ForkedJvm.java().jvmArg(jvmArgs()), "stock");
    }

    @Test
    void everyChainReachesItsSinkOnTheStockJvm() {
        for (Chain c : CHAINS) {
            assertEquals("reached", stock.sinks.get(c.id), c.id + " on the stock JVM: " + stock.result);
        }
        assertEquals(stock.normal, stock.after, "the apps still work after the attacks");
    }

    @Test
    void underTheLearnedPolicyEveryChainWithAnAppFrameIsRefusedAndTheAppsKeepWorking() throws IOException {
        Run r = attack("cfi=enforce,policy=" + policy, "enforce");
        assertRefusals(r, true);
        assertEquals("reached", r.sinks.get("urldns-bookmarks"),
                "URLDNS into an app whose own data is a HashMap of URLs: every class is learned and a DNS question is no sink");
        assertEquals(stock.normal, r.normal, "the apps' ordinary work passes under enforce, on an input never seen while learning");
        assertEquals(r.normal, r.after, "and still passes after every attack");
    }

    @Test
    void withAnyClassAllowedToDeserialiseEachChainIsRefusedAtItsFirstUnseenEdge() throws IOException {
        Path dir = ForkedJvm.scratch("gadget-anyclass");
        Path anyClass = dir.resolve("policy.json");
        Files.writeString(anyClass, Files.readString(policy).replace("\"rules\": []",
                "\"rules\": [\n    {\"action\": \"allow\", \"sink\": \"deserialize.class\"}\n  ]"));
        Run r = attack("cfi=enforce,policy=" + anyClass, "anyclass");
        assertRefusals(r, false);
        assertEquals("reached", r.sinks.get("urldns-sessions"), "URLDNS is JDK classes only: past the class check, no app frame is on its way");
        assertEquals(r.normal, r.after, r.result::toString);
    }

    /**
     * {@code policy serial-filter} on the stock JVM: one JVM-wide allowlist, the union of every app's classes.
     * It stops the Java-serialisation chains whose classes no app deserialises, but URLDNS passes into both
     * apps (java.net.URL is in the union, for the bookmarks), and the chains that are not Java serialisation
     * (log4j, SnakeYAML, XStream) never meet it.
     */
    @Test
    void theExportedSerialFilterStopsOnlyJavaSerialisationChainsOfClassesNoAppUses() {
        ForkedJvm.Result f = ForkedJvm.java().jar(ForkedJvm.agentJar(), "policy", "serial-filter", policy.toString()).run().assertOk();
        String filter = f.stdout().strip();
        assertTrue(filter.contains("java.net.URL;") && filter.endsWith(";!*"), filter);
        Run r = run(ForkedJvm.java().jvmArg("-Djdk.serialFilter=" + filter).jvmArg(jvmArgs()), "filter");
        for (Chain c : CHAINS) {
            boolean javaSerialisation = !c.log4j() && !c.id.equals("snakeyaml") && !c.id.equals("xstream");
            if (javaSerialisation && !c.id.startsWith("urldns-")) {
                String outcome = r.outcomes.get(c.id);
                assertTrue(outcome.startsWith("threw ") && outcome.contains("java.io.InvalidClassException: filter status: REJECTED"),
                        c.id + ": " + outcome + "\n" + r.result);
                assertEquals("absent", r.sinks.get(c.id), c.id);
            } else {
                assertEquals("reached", r.sinks.get(c.id), c.id + " passes the filter: " + r.result);
            }
        }
        assertEquals(stock.normal, r.normal, "the filter lets the apps' own data through");
    }

    /** Why the corpus runs with java.xml's XSLTC packages exported: without, JDK 25 itself stops the TemplatesImpl chains. */
    @Test
    void withoutJavaXmlsInternalsExportedTheTemplatesImplChainsStopOnTheStockJvm() {
        List<String> args = new ArrayList<>(JVM_ARGS);
        for (int i = args.indexOf("--add-exports"); i >= 0; i = args.indexOf("--add-exports")) {
            args.subList(i, i + 2).clear();
        }
        Run r = run(ForkedJvm.java().jvmArg(args.toArray(String[]::new)), "unexported");
        for (Chain c : CHAINS) {
            boolean templates = List.of("cc31-templates", "cc40-templates", "beanutils").contains(c.id);
            assertEquals(templates ? "absent" : "reached", r.sinks.get(c.id), c.id + ": " + r.result);
            if (templates) {
                String outcome = r.outcomes.get(c.id); // commons-collections 3.1 rethrows the IllegalAccessException in its own words
                assertTrue(outcome.contains("IllegalAccess") || outcome.contains("Constructor must be public"), c.id + ": " + outcome);
            }
        }
    }

    /** Each chain's first refusal, its sink absent; none of the apps' own requests refused. */
    private static void assertRefusals(Run r, boolean learned) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : ForkedJvm.linesOf(r.audit)) records.add(JSON.readTree(line));
        for (JsonNode rec : records) {
            assertTrue(rec.get("thread").asText().startsWith("gadget-"), "no refusal of the apps' own work: " + rec);
        }
        for (Chain c : CHAINS) {
            String expected = learned ? c.learned : c.anyClass;
            if (expected == null) {
                assertFalse(r.outcomes.get(c.id).startsWith("refused"), c.id + ": " + r.outcomes.get(c.id));
                continue;
            }
            String refusal;
            if (c.log4j()) { // log4j catches the refusal, drops that event and goes on: the audit log names it
                assertEquals("logged", r.outcomes.get(c.id), c.id);
                JsonNode rec = records.stream().filter(x -> x.get("thread").asText().equals("gadget-" + c.id)).findFirst().orElse(null);
                assertNotNull(rec, c.id + " has an audit record: " + records);
                refusal = "refused " + rec.get("kind").asText() + " " + rec.get("what").asText() + " (" + rec.get("detail").asText() + ")";
            } else {
                refusal = r.outcomes.get(c.id);
            }
            assertTrue(matches(refusal, "refused preempt cfi: refused " + expected) || matches(refusal, "refused " + expected),
                    c.id + ": expected a refusal of " + expected + ", got " + refusal);
            assertEquals("absent", r.sinks.get(c.id), c.id + " reached its sink: " + r.result);
        }
    }

    /** Whether {@code text} starts with {@code pattern}, {@code *} standing for any text. */
    private static boolean matches(String text, String pattern) {
        int at = 0;
        String[] parts = pattern.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            int found = text.indexOf(parts[i], at);
            if (found < 0 || (i == 0 && found != 0)) return false;
            at = found + parts[i].length();
        }
        return true;
    }

    /** One attack run's outcome lines, by chain, and the apps' work before and after the attacks. */
    private record Run(ForkedJvm.Result result, Map<String, String> outcomes, Map<String, String> sinks, List<String> normal, List<String> after,
            Path audit) {}

    private static Run attack(String options, String name) {
        Path audit = ForkedJvm.scratch("gadget-" + name + "-audit").resolve("audit.jsonl");
        return run(ForkedJvm.java(options + ",audit=" + audit).jvmArg(jvmArgs()), name, audit);
    }

    private static Run run(ForkedJvm jvm, String name) {
        return run(jvm, name, null);
    }

    /** Runs every app's work and every attack in {@code jvm}, which has its JVM arguments. */
    private static Run run(ForkedJvm jvm, String name, Path audit) {
        Path work = ForkedJvm.scratch("gadget-" + name);
        ForkedJvm.Result r = jvm.classpath(classpath()).main("Corpus", "attack", payloads.toString(), "gamma")
                .workDir(work).timeout(Duration.ofSeconds(120)).run().assertOk();
        assertTrue(r.stdout().contains("\ndone"), r::toString);
        Map<String, String> outcomes = new LinkedHashMap<>();
        Map<String, String> sinks = new LinkedHashMap<>();
        List<String> normal = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            String[] p = line.split(" ", 3);
            switch (p[0]) {
                case "attack" -> outcomes.put(p[1], p[2]);
                case "sink" -> sinks.put(p[1], p[2]);
                case "normal" -> normal.add(p[1] + " " + p[2]);
                case "after" -> after.add(p[1] + " " + p[2]);
                default -> { } // the log app's own log lines, "done"
            }
        }
        assertEquals(CHAINS.stream().map(Chain::id).toList(), List.copyOf(sinks.keySet()), r::toString);
        return new Run(r, outcomes, sinks, normal, after, audit);
    }

    private static String[] jvmArgs() {
        return JVM_ARGS.toArray(String[]::new);
    }

    private static Path[] classpath() {
        List<Path> cp = new ArrayList<>(jars());
        cp.add(0, classes);
        return cp.toArray(Path[]::new);
    }

    private static List<Path> jars() {
        try (Stream<Path> s = Files.list(libs)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ASM jar this test runs with: the attacker writes its class files with it. */
    private static Path asmJar() {
        try {
            return Path.of(org.objectweb.asm.ClassWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] sources(String... names) {
        List<String> namesAndSources = new ArrayList<>();
        for (String n : names) {
            namesAndSources.add(n);
            namesAndSources.add(ForkedJvm.resource("/it/gadgets/" + n + ".java"));
        }
        return namesAndSources.toArray(String[]::new);
    }
}
