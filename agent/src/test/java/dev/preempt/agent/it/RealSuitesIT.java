package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The published JUnit suites of real libraries (their {@code tests} jars from Maven Central, run with the
 * JUnit console launcher of the JUnit they were built with), once on the stock JVM and once with the
 * agent attached ({@code threads=map}, the default): exactly the tests that pass stock must pass with the
 * agent. The launcher, JUnit and the libraries are all app code here, so all of them are instrumented.
 * Wall times and their ratio go to {@code target/suites/results.txt}. A suite may be cut to the test classes
 * that matter here (commons-lang3: {@code ThreadUtilsTest}, which finds threads through thread groups).
 */
class RealSuitesIT {
    private static final Path SUITES = Path.of(System.getProperty("preempt.suites.dir", "target/suites"));

    @ParameterizedTest(name = "{0}")
    @CsvSource({"commons-collections4, 11000,", "commons-codec, 18000,", "commons-lang3, 32, org.apache.commons.lang3.ThreadUtilsTest"})
    void theSameTestsPassWithTheAgent(String suite, int minimumPassing, String onlyClass) throws Exception {
        Jars jars = Jars.of(suite);
        Path launcher = jars.launcher(), tests = jars.tests();
        String cp = jars.classPath();

        long t0 = System.nanoTime();
        List<String> select = onlyClass == null ? List.of("--scan-classpath", tests.toString()) : List.of("--select-class", onlyClass);
        Set<String> stock = passing(run(suite, "stock", false, launcher, cp, select));
        long t1 = System.nanoTime();
        Set<String> agent = passing(run(suite, "agent", true, launcher, cp, select));
        long t2 = System.nanoTime();

        double stockSeconds = (t1 - t0) / 1e9, agentSeconds = (t2 - t1) / 1e9;
        long audited;
        try (Stream<String> lines = Files.lines(SUITES.resolve(suite + "-reports").resolve("audit.jsonl"))) {
            audited = lines.count();
        }
        String line = String.format(Locale.ROOT, "%s: %d tests pass stock, %d with the agent (threads=map, cfi=audit, %d audit records);"
                + " wall %.1f s stock, %.1f s agent, ratio %.2f%n", suite, stock.size(), agent.size(), audited, stockSeconds, agentSeconds,
                agentSeconds / stockSeconds);
        System.out.print(line);
        Files.writeString(SUITES.resolve("results.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        assertTrue(stock.size() >= minimumPassing, "the suite ran: " + stock.size() + " passing");
        Set<String> lost = new TreeSet<>(stock);
        lost.removeAll(agent);
        Set<String> gained = new TreeSet<>(agent);
        gained.removeAll(stock);
        assertEquals(Set.of(), lost, "tests that pass stock but not with the agent");
        assertEquals(Set.of(), gained, "tests that pass only with the agent (a flaky suite, or a changed behaviour)");
    }

    /**
     * A policy learned on one run of a real suite must let a second run in another order through: the
     * suite's classes and methods in a random order with one seed while learning, another seed under
     * {@code cfi=enforce}. No refusal may be audited and the same tests must pass in both (a refusal would
     * fail a test; that the learning run passes what stock passes is {@link #theSameTestsPassWithTheAgent}'s
     * business). Both runs pass the same launcher options, so the launcher itself takes the same paths.
     */
    @ParameterizedTest
    @CsvSource({"commons-codec, 18000", "commons-collections4, 11000"})
    void aPolicyLearnedInOneTestOrderEnforcesAnotherWithoutARefusal(String suite, int minimumPassing) throws Exception {
        Jars jars = Jars.of(suite);
        Path launcher = jars.launcher(), tests = jars.tests();
        String cp = jars.classPath();
        Path out = SUITES.resolve(suite + "-generalise");
        Files.createDirectories(out);
        Path policy = out.resolve("policy.json");
        Path audit = out.resolve("audit.jsonl");
        Files.deleteIfExists(policy);
        Files.deleteIfExists(audit);

        long t0 = System.nanoTime();
        Set<String> learned = passing(runInOrder(launcher, cp, tests, out.resolve("learn"), 1, "cfi=learn,policy=" + policy));
        long t1 = System.nanoTime();
        Set<String> enforced = passing(runInOrder(launcher, cp, tests, out.resolve("enforce"), 2,
                "cfi=enforce,policy=" + policy + ",audit=" + audit));
        long t2 = System.nanoTime();
        List<String> refusals = Files.exists(audit) ? Files.readAllLines(audit) : List.of();
        String line = String.format(Locale.ROOT, "%s: policy learned with test order seed 1 (%d tests pass, %.1f s), enforced with seed 2:"
                + " %d tests pass, %d audit records (%.1f s)%n", suite, learned.size(), (t1 - t0) / 1e9, enforced.size(), refusals.size(), (t2 - t1) / 1e9);
        System.out.print(line);
        Files.writeString(SUITES.resolve("results.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        assertTrue(learned.size() >= minimumPassing, "the suite ran: " + learned.size() + " passing");
        assertTrue(Files.size(policy) > 1000, "a policy was learned");
        assertEquals(List.of(), refusals, "refusals under the learned policy in another test order");
        assertEquals(learned, enforced, "the enforcing run passes what the learning run passed");
    }

    /** The whole suite with classes and methods in JUnit's random order of the given seed, reports in {@code reports}. */
    private static Path runInOrder(Path launcher, String cp, Path tests, Path reports, int seed, String agentOptions) {
        ForkedJvm jvm = ForkedJvm.java().jar(launcher, "execute", "--class-path", cp, "--scan-classpath", tests.toString(),
                "--config=junit.jupiter.testclass.order.default=org.junit.jupiter.api.ClassOrderer$Random",
                "--config=junit.jupiter.testmethod.order.default=org.junit.jupiter.api.MethodOrderer$Random",
                "--config=junit.jupiter.execution.order.random.seed=" + seed,
                "--reports-dir", reports.toString(), "--details=summary", "--disable-banner").timeout(Duration.ofMinutes(15));
        ForkedJvm.Result r = jvm.agent(agentOptions).run();
        assertTrue(!r.timedOut(), r::toString);
        return reports;
    }

    /** A suite's jars: the console launcher, the tests jar, and the class path of everything but the launcher. */
    private record Jars(Path launcher, Path tests, String classPath) {
        static Jars of(String suite) throws IOException {
            List<Path> jars;
            try (Stream<Path> s = Files.list(SUITES.resolve(suite))) {
                jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
            Path launcher = jars.stream().filter(p -> p.getFileName().toString().startsWith("junit-platform-console-standalone")).findFirst().orElseThrow();
            Path tests = jars.stream().filter(p -> p.getFileName().toString().endsWith("-tests.jar")).findFirst().orElseThrow();
            return new Jars(launcher, tests, jars.stream().filter(p -> !p.equals(launcher)).map(Path::toString).collect(Collectors.joining(":")));
        }
    }

    private static Path run(String suite, String side, boolean withAgent, Path launcher, String cp, List<String> select) {
        Path reports = SUITES.resolve(suite + "-reports").resolve(side);
        List<String> args = new java.util.ArrayList<>(List.of("execute", "--class-path", cp));
        args.addAll(select);
        args.addAll(List.of("--reports-dir", reports.toString(), "--details=summary", "--disable-banner"));
        ForkedJvm jvm = ForkedJvm.java().jar(launcher, args.toArray(String[]::new)).timeout(Duration.ofMinutes(10));
        if (withAgent) {
            // threads=map (the default) and cfi=audit against an empty policy: every guard is live and every
            // sink or checked call the suite makes is a (logged, allowed) violation, the harshest audit run.
            Path policy = SUITES.resolve(suite + "-reports").resolve("empty-policy.json");
            try {
                Files.createDirectories(policy.getParent());
                Files.writeString(policy, "{\"schema\": \"preempt-cfi-policy\", \"version\": 1, \"rules\": [], \"sinks\": [], \"calls\": [], \"deserialized\": []}\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            jvm.agent("cfi=audit,policy=" + policy + ",audit=" + SUITES.resolve(suite + "-reports").resolve("audit.jsonl"));
        }
        ForkedJvm.Result r = jvm.run();
        assertTrue(!r.timedOut(), r::toString);
        return reports;
    }

    /** Test ids (class, name) that passed, from the launcher's legacy XML reports. */
    private static Set<String> passing(Path reports) throws Exception {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.list(reports)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("TEST-")).toList()) {
                NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile()).getElementsByTagName("testcase");
                for (int i = 0; i < cases.getLength(); i++) {
                    Element c = (Element) cases.item(i);
                    boolean ok = c.getElementsByTagName("failure").getLength() == 0 && c.getElementsByTagName("error").getLength() == 0
                            && c.getElementsByTagName("skipped").getLength() == 0;
                    if (ok) {
                        ids.add(c.getAttribute("classname") + "#" + c.getAttribute("name"));
                    }
                }
            }
        } catch (IOException e) {
            throw new IOException("no reports in " + reports, e);
        }
        return ids;
    }
}
