package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Real libraries from Maven Central (Java 1.1 bytecode to Java 21; javac, Kotlin, Scala and Groovy output):
 * every class is loaded and linked (so the JVM verifies it) by a program running with the agent, and
 * the agent must add no failure to what the same program sees on the stock JVM.
 */
class CorpusIT {

    /** Loads and links every class of the jars given; prints one line per failure and a summary. */
    private static final String LOADER = ForkedJvm.resource("/it/corpus/LoadAll.java");

    @Test
    void everyClassOfTheCorpusLoadsAndLinksUnderTheAgentAsItDoesStock() throws IOException {
        Path corpus = Path.of(System.getProperty("preempt.corpus.dir"));
        List<String> jars;
        try (Stream<Path> s = Files.list(corpus)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().toList();
        }
        assertTrue(jars.size() >= 10, "corpus: " + jars);
        Path program = ForkedJvm.compile(25, "LoadAll", LOADER);
        Path log = ForkedJvm.scratch("corpus").resolve("agent.log");

        ForkedJvm.Result stock = ForkedJvm.java().jvmArg("-Xss4m").classpath(program).main("LoadAll", jars.toArray(String[]::new))
                .timeout(Duration.ofMinutes(5)).run().assertOk();
        // Every rewrite at once, CFI's call guards with receiver checks and bootstrap wrappers included: the JVM's
        // own verifier checks each rewritten class when LoadAll links it.
        Path policy = log.resolveSibling("policy.json");
        ForkedJvm.Result agent = ForkedJvm.java().agent("log=debug,log.file=" + log + ",cfi=learn,cfi.types=interfaces,policy=" + policy)
                .jvmArg("-Xss4m").classpath(program)
                .main("LoadAll", jars.toArray(String[]::new)).timeout(Duration.ofMinutes(5)).run().assertOk();

        Map<String, String> s = values(stock.stdout());
        Map<String, String> g = values(agent.stdout());
        long instrumented = Files.readAllLines(log).stream().filter(l -> l.contains("] instrumented ")).count();
        long failedToInstrument = Files.readAllLines(log).stream().filter(l -> l.contains("loads unchanged")).count();
        System.out.printf("corpus: %s classes linked, %s failing stock (missing optional dependencies), %d instrumented, "
                + "%d left unchanged after a rewrite error; class-file versions %s%n", g.get("loaded"), s.get("failed"),
                instrumented, failedToInstrument, g.get("versions"));

        assertTrue(Integer.parseInt(s.get("loaded")) > 10_000, "over 10,000 classes: " + s);
        java.util.Set<String> added = new java.util.TreeSet<>(failures(agent.stdout()));
        failures(stock.stdout()).forEach(added::remove);
        java.util.Set<String> gone = new java.util.TreeSet<>(failures(stock.stdout()));
        failures(agent.stdout()).forEach(gone::remove);
        assertEquals(java.util.Set.of(), added, "the agent adds no load or link failure");
        assertEquals(java.util.Set.of(), gone, "and hides none");
        assertEquals(s.get("loaded"), g.get("loaded"));
        assertEquals(0, failedToInstrument, "every class the agent tried to rewrite was rewritten");
        assertTrue(instrumented > 5_000, "instrumented " + instrumented);
        assertTrue(g.get("versions").contains("45=") && g.get("versions").contains("65="), g.get("versions"));
    }

    private static Map<String, String> values(String out) {
        Map<String, String> m = new TreeMap<>();
        out.lines().filter(l -> !l.startsWith("FAIL") && l.contains("=")).forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return m;
    }

    private static List<String> failures(String out) {
        return out.lines().filter(l -> l.startsWith("FAIL")).sorted().toList();
    }
}
