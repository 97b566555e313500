package dev.preempt.bench.startup;

import dev.preempt.bench.Ratios;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Agent start-up cost, stock against the agent side by side: the wall time of a JVM that loads every class
 * of a set of real libraries (by default the corpus the agent's tests use, {@code agent/target/corpus}:
 * about 17,000 classes), the JVM's whole run included, and the agent's own rewrite throughput (classes per
 * second, from its {@code log=info} summary). Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.startup.StartupBench \
 *     [--agent agent/target/preempt-agent.jar] [--jars DIR] [--repeat 3]
 * </pre>
 */
public final class StartupBench {
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private StartupBench() {}

    public static void main(String[] args) throws Exception {
        String agent = "agent/target/preempt-agent.jar";
        Path jarsDir = Path.of("agent/target/corpus");
        int repeat = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--jars" -> jarsDir = Path.of(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<String> jars;
        try (Stream<Path> s = Files.list(jarsDir)) {
            jars = s.map(Path::toString).filter(p -> p.endsWith(".jar")).sorted().toList();
        }
        if (jars.isEmpty()) {
            throw new IOException("no jars in " + jarsDir + " (./preempt build copies the corpus there)");
        }
        String agentArg = "-javaagent:" + Path.of(agent).toAbsolutePath() + "=log=info";
        List<Double> ratios = new ArrayList<>(), stockMs = new ArrayList<>(), agentMs = new ArrayList<>(), rate = new ArrayList<>();
        List<Double> heapRatios = new ArrayList<>(), metaRatios = new ArrayList<>(), stockHeap = new ArrayList<>(), agentHeap = new ArrayList<>();
        List<Double> stockMeta = new ArrayList<>(), agentMeta = new ArrayList<>();
        String classes = "?";
        for (int r = 0; r < repeat; r++) {
            boolean stockFirst = r % 2 == 0; // ABBA: neither side always runs on a machine the other just warmed
            Run s = stockFirst ? run(null, jars) : null;
            Run a = run(agentArg, jars);
            s = stockFirst ? s : run(null, jars);
            stockHeap.add(s.heapBytes / 1048576.0);
            agentHeap.add(a.heapBytes / 1048576.0);
            heapRatios.add(a.heapBytes / s.heapBytes);
            stockMeta.add(s.metaspaceBytes / 1048576.0);
            agentMeta.add(a.metaspaceBytes / 1048576.0);
            metaRatios.add(a.metaspaceBytes / s.metaspaceBytes);
            stockMs.add(s.wallMillis);
            agentMs.add(a.wallMillis);
            ratios.add(a.wallMillis / s.wallMillis);
            classes = s.loaded;
            if (a.classesPerSecond > 0) {
                rate.add(a.classesPerSecond);
            }
            System.err.printf(Locale.ROOT, "run %d: stock %.0f ms, agent %.0f ms, %s classes, agent rewrote %.0f classes/s%n",
                    r + 1, s.wallMillis, a.wallMillis, s.loaded, a.classesPerSecond);
        }
        String cmd = "StartupBench --jars " + jarsDir + " --repeat " + repeat;
        System.out.printf(Locale.ROOT, "JVM run that loads %s library classes: stock %.0f ms, agent %.0f ms, ratio %.2f (%s)%n",
                classes, Ratios.median(stockMs), Ratios.median(agentMs), Ratios.median(ratios), Ratios.range(ratios));
        System.out.printf(Locale.ROOT, "agent rewrite throughput: %.0f classes/s (%s)%n", Ratios.median(rate), Ratios.range(rate));
        System.out.printf(Locale.ROOT, "retained with every class loaded: heap stock %.1f MiB, agent %.1f MiB, ratio %.2f (%s); metaspace stock %.1f MiB, agent %.1f MiB, ratio %.2f (%s)%n",
                Ratios.median(stockHeap), Ratios.median(agentHeap), Ratios.median(heapRatios), Ratios.range(heapRatios),
                Ratios.median(stockMeta), Ratios.median(agentMeta), Ratios.median(metaRatios), Ratios.range(metaRatios));
        Ratios.record("retained heap, " + classes + " library classes loaded (MiB)", String.format(Locale.ROOT, "%.1f", Ratios.median(stockHeap)),
                String.format(Locale.ROOT, "%.1f", Ratios.median(agentHeap)), Ratios.median(heapRatios), Ratios.range(heapRatios), cmd);
        Ratios.record("retained metaspace, " + classes + " library classes loaded (MiB)", String.format(Locale.ROOT, "%.1f", Ratios.median(stockMeta)),
                String.format(Locale.ROOT, "%.1f", Ratios.median(agentMeta)), Ratios.median(metaRatios), Ratios.range(metaRatios), cmd);
        Ratios.record("start-up: a JVM loading " + classes + " library classes (ms)", String.format(Locale.ROOT, "%.0f", Ratios.median(stockMs)),
                String.format(Locale.ROOT, "%.0f", Ratios.median(agentMs)), Ratios.median(ratios), Ratios.range(ratios), cmd);
        Ratios.record("agent rewrite throughput (classes/s)", "", String.format(Locale.ROOT, "%.0f", Ratios.median(rate)), Double.NaN,
                Ratios.range(rate), cmd);
    }

    private record Run(double wallMillis, String loaded, double classesPerSecond, double heapBytes, double metaspaceBytes) {}

    private static Run run(String agentArg, List<String> jars) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        if (agentArg != null) {
            cmd.add(agentArg);
        }
        cmd.addAll(List.of("-Xshare:auto", "-cp", System.getProperty("java.class.path"), ClassLoadStartup.class.getName()));
        cmd.addAll(jars);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("child failed: " + cmd + "\n" + out + err);
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        String loaded = out.lines().filter(l -> l.startsWith("loaded=")).map(l -> l.substring(7)).findFirst().orElse("?");
        double rate = err.lines().filter(l -> l.contains("transformer:")).map(l -> l.replaceAll(".*\\(([0-9]+) classes/s\\).*", "$1"))
                .mapToDouble(Double::parseDouble).findFirst().orElse(0);
        return new Run(wall, loaded, rate, value(out, "heapBytes="), value(out, "metaspaceBytes="));
    }

    private static double value(String out, String key) {
        return out.lines().filter(l -> l.startsWith(key)).mapToDouble(l -> Double.parseDouble(l.substring(key.length()))).findFirst().orElse(Double.NaN);
    }
}
