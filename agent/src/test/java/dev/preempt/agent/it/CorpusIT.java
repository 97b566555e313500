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
    private static final String LOADER = """
            import java.io.File;
            import java.net.URL;
            import java.net.URLClassLoader;
            import java.util.*;
            import java.util.jar.*;

            public class LoadAll {
                public static void main(String[] a) throws Exception {
                    List<URL> urls = new ArrayList<>();
                    for (String j : a) urls.add(new File(j).toURI().toURL());
                    // A plain app loader (not the platform one), so the agent treats the classes as the app's.
                    URLClassLoader cl = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getSystemClassLoader());
                    int loaded = 0, failed = 0;
                    Map<Integer, Integer> versions = new TreeMap<>();
                    for (String j : a) {
                        try (JarFile jf = new JarFile(j)) {
                            for (JarEntry e : Collections.list(jf.entries())) {
                                String n = e.getName();
                                if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.contains("module-info") || n.contains("package-info")) continue;
                                try (var in = jf.getInputStream(e)) {
                                    byte[] h = in.readNBytes(8);
                                    versions.merge(((h[6] & 0xff) << 8) | (h[7] & 0xff), 1, Integer::sum);
                                }
                                String cn = n.substring(0, n.length() - 6).replace('/', '.');
                                try {
                                    Class<?> c = Class.forName(cn, false, cl);
                                    c.getDeclaredMethods(); // links the class: the JVM verifies it here
                                    loaded++;
                                } catch (Throwable t) {
                                    failed++;
                                    System.out.println("FAIL " + cn + " " + t.getClass().getName());
                                }
                            }
                        }
                    }
                    System.out.println("versions=" + versions);
                    System.out.println("loaded=" + loaded);
                    System.out.println("failed=" + failed);
                }
            }
            """;

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
