package dev.preempt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * CI's smoke run of the benchmarks: every harness of {@code ./preempt bench} with the smallest settings
 * (JMH: one fork, one short iteration), run from the shaded benchmarks jar as a user runs it. It proves
 * that each runs on both sides and records its ratios; it never judges a number (speed targets live in the
 * benchmarks and docs/benchmarks.md, not in tests).
 */
class BenchSmokeIT {
    private static final String JAVA = System.getProperty("preempt.java", "java");
    private static final String JAR = System.getProperty("preempt.bench.jar");
    private static final String AGENT = System.getProperty("preempt.agent.jar");
    private static final Path DIR = Path.of(System.getProperty("preempt.smoke.dir", "target/smoke"));

    private static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--enable-native-access=ALL-UNNAMED",
                "-Dbench.ratios=" + DIR.resolve("ratios.jsonl"), "-Djmh.ignoreLock=true")); // a smoke run measures nothing: another JMH may run
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty() && rest.get(0).startsWith("-D")) {
            cmd.add(rest.remove(0)); // a later -D wins
        }
        cmd.addAll(List.of("-cp", JAR));
        cmd.addAll(rest);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), () -> cmd + "\n" + out);
        return out;
    }

    @Test
    void everyHarnessRunsBothSidesAndRecordsItsRatios() throws Exception {
        Files.createDirectories(DIR);
        Files.deleteIfExists(DIR.resolve("ratios.jsonl"));
        Path corpus = Files.createDirectories(DIR.resolve("startup-jars"));
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("preempt.corpus.dir")))) {
            for (Path j : jars.filter(p -> p.getFileName().toString().startsWith("commons-")).toList()) {
                Files.copy(j, corpus.resolve(j.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        run("dev.preempt.bench.Compare", "--quick", "--agent", AGENT, "--out", DIR.resolve("kernel").toString(), "KernelBench");
        run("dev.preempt.bench.Compare", "--quick", "--agent", AGENT, "--out", DIR.resolve("switch").toString(), "--options", "carriers=1",
                "--stock-jvm-args", "-Djdk.virtualThreadScheduler.parallelism=1 -Djdk.virtualThreadScheduler.maxPoolSize=1", "SwitchBench");
        Path byFork = DIR.resolve("by-fork");
        Files.deleteIfExists(byFork.resolve("forks.tsv"));
        run("dev.preempt.bench.CompareByFork", "--quick", "--agent", "agent=" + AGENT, "--rounds", "2", "--out", byFork.toString(),
                "LoopKernelBench.whileArray$");
        List<String> forks = Files.readAllLines(byFork.resolve("forks.tsv"));
        assertEquals(List.of("stock", "agent", "agent", "stock"), forks.stream().map(l -> l.split("\t")[1]).toList(),
                "one fork per side per round, the order reversed in the second:\n" + forks);
        assertTrue(forks.stream().allMatch(l -> l.startsWith("LoopKernelBench.whileArray\t") && Double.parseDouble(l.split("\t")[4]) > 0), forks::toString);
        run("dev.preempt.bench.SchedulingHarness", "--agent", AGENT, "--seconds", "0.5", "--repeat", "1", "--out", DIR.toString());
        run("dev.preempt.bench.timer.TimerJitter", "0.3");
        run("dev.preempt.bench.threads.ScaleBench", "--agent", AGENT, "--repeat", "1", "--parked", "1000", "--spawn", "1000",
                "--million", "20000", "--out", DIR.toString());
        run("dev.preempt.bench.threads.RunQueueScale", "--agent", AGENT, "--carriers", "1,4", "--seconds", "0.3", "--warmup", "0.3", "--repeat", "1");
        run("dev.preempt.bench.threads.ServerBench", "--agent", AGENT, "--connections", "50", "--seconds", "1", "--repeat", "1",
                "--out", DIR.toString());
        run("dev.preempt.bench.threads.AsyncBench", "--agent", AGENT, "--tasks", "2000", "--repeat", "1", "--out", DIR.toString());
        run("dev.preempt.bench.startup.StartupBench", "--agent", AGENT, "--jars", corpus.toString(), "--repeat", "1");
        Path policy = DIR.resolve("cfi-policy.json");
        Files.deleteIfExists(policy);
        run("-Dbench.ratios=/dev/null", "dev.preempt.bench.Compare", "--quick", "--agent", AGENT, "--out", DIR.resolve("cfi-learn").toString(),
                "--options", "schedule=off,cfi=learn,cfi.types=interfaces,policy=" + policy, "CfiBench");
        run("dev.preempt.bench.Compare", "--quick", "--agent", AGENT, "--out", DIR.resolve("cfi").toString(),
                "--options", "schedule=off,cfi=enforce,cfi.types=interfaces,policy=" + policy + ",audit=" + DIR.resolve("cfi-audit.jsonl"), "CfiBench");
        String table = run("dev.preempt.bench.Summary", DIR.resolve("ratios.jsonl").toString());

        List<Ratios.Figure> figures = Ratios.read(DIR.resolve("ratios.jsonl"));
        for (String expected : List.of("KernelBench.arraySum", "geomean", "SwitchBench", "Jain fairness", "priority 10 over priority 1",
                "slice expiry", "timer jitter", "RSS bytes per parked thread", "spawn+join rate", "parked mapped threads",
                "run-queue yield throughput", "run-queue spawn throughput", "server throughput", "server p99", "server CPU per request", "CompletableFuture async tasks/s", "start-up", "rewrite throughput", "CfiBench")) {
            assertTrue(figures.stream().anyMatch(f -> f.figure().contains(expected)), "no figure '" + expected + "' in\n" + table);
        }
        assertTrue(figures.stream().filter(f -> f.figure().contains("KernelBench")).allMatch(f -> Double.isFinite(f.ratio()) && f.ratio() > 0), table);
        assertTrue(Files.readString(DIR.resolve("summary.json")).contains("\"figure\""), "summary.json written");
    }
}
