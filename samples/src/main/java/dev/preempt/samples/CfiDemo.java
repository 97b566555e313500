package dev.preempt.samples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./preempt demo cfi}: the two CFI samples attacked on the stock JVM, then under a policy learned from
 * their own benign work. Loopback only (the log4j sample's "LDAP server" is a listener on 127.0.0.1), every
 * file in a fresh temp directory. Prints one row per outcome and returns 0 only if each is as expected.
 * The old libraries come from {@code lib/} beside the samples jar, where the build copies them.
 */
final class CfiDemo {
    private static final String GADGET = "dev.preempt.samples.cfi.GadgetCache";
    private static final String LOGGING = "dev.preempt.samples.cfi.LoggingService";
    private static final String REFUSED = "refused dev.preempt.runtime.cfi.CfiViolation";
    private static final long RUN_TIMEOUT_SECONDS = 120;

    private final String java;
    private final String agentJar;
    private final String classpath;
    private final Path dir;
    private final List<Outcome> outcomes = new ArrayList<>();
    private final List<String> auditRecords = new ArrayList<>();

    /** One checked outcome: a row of the table. */
    private record Outcome(String sample, String run, String what, String expected, String got) {
        boolean ok() {
            return expected.equals(got);
        }
    }

    /** What a sample printed and how it ended. */
    private record Run(int exitCode, List<String> stdout) {
        /** The value of the first {@code key=value} line, or a note of why there is none. */
        String value(String key) {
            for (String line : stdout) {
                if (line.startsWith(key + "=")) return line.substring(key.length() + 1);
            }
            return exitCode == 0 ? "no " + key + " line" : "exit " + exitCode;
        }
    }

    private CfiDemo(String java, String agentJar, String classpath, Path dir) {
        this.java = java;
        this.agentJar = agentJar;
        this.classpath = classpath;
        this.dir = dir;
    }

    /** Runs the demo; the exit code for the JVM: 0 if every outcome was as expected, 1 otherwise. */
    static int run(String java, String agentJar, String samplesJar) throws IOException, InterruptedException {
        File lib = new File(new File(samplesJar).getAbsoluteFile().getParentFile(), "lib");
        File[] jars = lib.listFiles((d, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            System.out.println("FAILED: no library jars in " + lib + " (the build copies them there: run ./preempt build)");
            return 1;
        }
        Path dir = Files.createTempDirectory("preempt-cfi-demo-");
        String cp = new File(samplesJar).getAbsolutePath() + File.pathSeparator + lib + File.separator + "*";
        CfiDemo demo = new CfiDemo(java, new File(agentJar).getAbsolutePath(), cp, dir);
        System.out.println("== CFI: two old libraries attacked, stock and under a policy learned from the app's own benign run");
        System.out.println("   gadget: a commons-collections 3.1 chain to Runtime.exec(\"touch MARKER\") in restored cache bytes (" + GADGET + ")");
        System.out.println("   log4j:  log4j-core 2.14.1 logging a ${jndi:ldap://127.0.0.1:PORT/x} user agent (" + LOGGING + ")");
        System.out.println("   loopback only; files in " + dir + " (removed at the end if every outcome is as expected)");
        System.out.println();
        row("sample", "run", "checked", "result", "");
        demo.gadgetChain();
        demo.jndiLookup();
        return demo.report();
    }

    private void gadgetChain() throws IOException, InterruptedException {
        Path stockMarker = dir.resolve("stock-marker");
        sample("gadget-stock", null, GADGET, "attack", stockMarker.toString());
        check("gadget", "stock, attack", "marker file", "present", presence(stockMarker));

        Path policy = dir.resolve("gadget-policy.json");
        Run learn = sample("gadget-learn", "cfi=learn,policy=" + policy, GADGET, "benign", "alpha", "beta");
        check("gadget", "cfi=learn, benign", "policy", "written", written(learn, policy));

        Path marker = dir.resolve("marker");
        Path audit = dir.resolve("gadget-audit.jsonl");
        Run enforce = sample("gadget-enforce", "cfi=enforce,policy=" + policy + ",audit=" + audit, GADGET, "attack", marker.toString());
        check("gadget", "cfi=enforce, attack", "attack", "refused", enforce.value("attack").equals(REFUSED) ? "refused" : enforce.value("attack"));
        check("gadget", "cfi=enforce, attack", "marker file", "absent", presence(marker));
        check("gadget", "cfi=enforce, attack", "own Runtime.exec exit", "0", enforce.value("tool again"));
        auditRecord("gadget", audit);
    }

    private void jndiLookup() throws IOException, InterruptedException {
        Run stock = sample("log4j-stock", null, LOGGING, "curl/8", "@jndi");
        check("log4j", "stock, ${jndi:...}", "listener connections", "1", stock.value("connections"));

        Path policy = dir.resolve("log4j-policy.json");
        Run learn = sample("log4j-learn", "cfi=learn,policy=" + policy, LOGGING, "curl/8", "Mozilla/5.0");
        check("log4j", "cfi=learn, ordinary", "policy", "written", written(learn, policy));

        Path audit = dir.resolve("log4j-audit.jsonl");
        Run enforce = sample("log4j-enforce", "cfi=enforce,policy=" + policy + ",audit=" + audit, LOGGING, "curl/8", "@jndi", "wget/1");
        check("log4j", "cfi=enforce, ${jndi:...}", "listener connections", "0", enforce.value("connections"));
        boolean goesOn = enforce.stdout().stream().anyMatch(l -> l.contains("request from user agent wget/1")) && enforce.stdout().contains("done");
        check("log4j", "cfi=enforce, next request", "logged", "yes", goesOn ? "yes" : "no");
        auditRecord("log4j", audit);
    }

    /** Keeps the audit log's records for the end and checks that there is exactly one, a refusal. */
    private void auditRecord(String sample, Path audit) throws IOException {
        List<String> records = Files.exists(audit) ? Files.readAllLines(audit) : List.of();
        auditRecords.addAll(records);
        boolean oneDeny = records.size() == 1 && records.get(0).contains("\"decision\":\"deny\"");
        check(sample, "cfi=enforce", "audit log", "1 deny", oneDeny ? "1 deny" : records.size() + " records");
    }

    private void check(String sample, String run, String what, String expected, String got) {
        Outcome o = new Outcome(sample, run, what, expected, got);
        outcomes.add(o);
        row(sample, run, what, got, o.ok() ? "ok" : "EXPECTED " + expected);
    }

    private static void row(String sample, String run, String what, String result, String verdict) {
        System.out.println(String.format(Locale.ROOT, "   %-7s %-26s %-24s %-10s %s", sample, run, what, result, verdict).stripTrailing());
    }

    private static String written(Run learn, Path policy) {
        return learn.exitCode() == 0 && Files.exists(policy) ? "written" : "not written";
    }

    private static String presence(Path file) {
        return Files.exists(file) ? "present" : "absent";
    }

    /** Prints the verdict; keeps the temp directory (every run's output) only when something was unexpected. */
    private int report() throws IOException {
        System.out.println();
        System.out.println("   the audit log's records under cfi=enforce:");
        for (String r : auditRecords) System.out.println("   " + r);
        for (Outcome o : outcomes) {
            if (!o.ok()) {
                System.out.println("FAILED: " + o.sample() + ", " + o.run() + ": " + o.what() + " was " + o.got() + ", expected " + o.expected()
                        + " (each run's output is in " + dir + ")");
                return 1;
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        System.out.println("OK");
        return 0;
    }

    /**
     * Runs a sample in the temp directory, with the agent if {@code agentOptions} is not null; its stdout and
     * stderr go to NAME.out and NAME.err there. A run that outlives the timeout is killed and reported as exit -1.
     */
    private Run sample(String name, String agentOptions, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java));
        if (agentOptions != null) cmd.add("-javaagent:" + agentJar + "=" + agentOptions);
        cmd.addAll(List.of("-cp", classpath, mainClass));
        cmd.addAll(List.of(args));
        Path out = dir.resolve(name + ".out");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(dir.resolve(name + ".err").toFile()).start();
        int exit = -1;
        if (p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            exit = p.exitValue();
        } else {
            p.destroyForcibly().waitFor();
        }
        return new Run(exit, Files.readAllLines(out, StandardCharsets.UTF_8));
    }
}
