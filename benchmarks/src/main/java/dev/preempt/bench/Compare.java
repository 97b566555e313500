package dev.preempt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs JMH benchmarks twice in one invocation, on the stock JVM and with the agent attached, and prints
 * the agent/stock ratio of each with both scores' errors, then the geometric mean; writes the JSON of
 * both sides next to it. Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.Compare \
 *     [--agent agent/target/preempt-agent.jar] [--options k=v,...] [--stock-jvm-args "-Da=b ..."]
 *     [--quick | --short] [--sample] [--forks N] [--agent-first] [--out DIR] [REGEX]
 * </pre>
 * {@code --short} measures 4 x 0.5 s after 3 x 0.5 s of warm-up per fork (for suites of many small kernels);
 * {@code --sample} measures each invocation (JMH SampleTime) instead of the average: on a shared, loaded
 * machine the median invocation of a microsecond kernel is rarely preempted where the average always is.
 * {@code --agent-first} runs the agent side first, so that two invocations in opposite orders make an ABBA pair.
 * {@code --stock-jvm-args} gives the stock side what the agent side gets through options, e.g. one carrier:
 * {@code --options carriers=1 --stock-jvm-args -Djdk.virtualThreadScheduler.parallelism=1}.
 */
public final class Compare {
    /** JMH's harness classes must not get polls: they would measure the harness, not the kernel. */
    static final String HARNESS_EXCLUDES = "exclude=org.openjdk.jmh.**;**.jmh_generated.**";

    /** The JVM argument that attaches {@code agent} with {@code options} (k=v,...; may be empty). */
    static String agentArg(String agent, String options) {
        return "-javaagent:" + Path.of(agent).toAbsolutePath() + "=" + HARNESS_EXCLUDES + (options.isEmpty() ? "" : "," + options);
    }

    public static void main(String[] args) throws RunnerException, IOException {
        int at = java.util.Arrays.asList(args).indexOf("--options");
        // The same suite run with other options (jdk.polls=off beside the defaults) records rows of its own.
        String label = at >= 0 && at + 1 < args.length ? " [" + args[at + 1] + "]" : "";
        print(compare(args), "Compare " + String.join(" ", args), label);
    }

    /** Runs both sides and returns [stock, agent] results by benchmark name. */
    static List<Map<String, RunResult>> compare(String[] args) throws RunnerException, IOException {
        String agent = "agent/target/preempt-agent.jar";
        String options = "";
        String regex = "dev.preempt.bench.KernelBench";
        boolean quick = false;
        boolean brief = false;
        boolean agentFirst = false;
        boolean sample = false;
        List<String> stockArgs = new ArrayList<>();
        int forks = 2;
        Path out = Path.of("benchmarks/target/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--options" -> options = args[++i];
                case "--quick" -> quick = true;
                case "--short" -> brief = true;
                case "--agent-first" -> agentFirst = true;
                case "--sample" -> sample = true;
                case "--forks" -> forks = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--stock-jvm-args" -> stockArgs.addAll(List.of(args[++i].trim().split("\\s+")));
                default -> regex = args[i];
            }
        }
        Files.createDirectories(out);
        String agentArg = agentArg(agent, options);
        Map<String, RunResult> withAgent = agentFirst ? run(regex, quick, brief, sample, forks, out.resolve("agent.json"), List.of(agentArg)) : null;
        Map<String, RunResult> stock = run(regex, quick, brief, sample, forks, out.resolve("stock.json"), stockArgs);
        if (!agentFirst) {
            withAgent = run(regex, quick, brief, sample, forks, out.resolve("agent.json"), List.of(agentArg));
        }
        return List.of(stock, withAgent);
    }

    static Map<String, RunResult> run(String regex, boolean quick, boolean brief, boolean sample, int forks, Path json, List<String> jvmArgs)
            throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder().include(regex).jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .result(json.toString()).resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON);
        if (sample) {
            b.mode(org.openjdk.jmh.annotations.Mode.SampleTime);
        }
        if (quick) {
            // Smoke profile (CI): proves every benchmark runs on both sides; its numbers mean little.
            b.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(300)).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(300));
        } else if (brief) {
            // 3 s of warm-up: under the agent the JVM first JIT-compiles the agent's own transformer (about
            // 1,500 methods); at load 8 a kernel's C2 code came 1.3 s into the warm-up, and with 1.5 s of it
            // a measurement could still catch the interpreter (whileArray at 76-89 us/op against 0.3).
            b.forks(forks).warmupIterations(6).warmupTime(TimeValue.milliseconds(500)).measurementIterations(4)
                    .measurementTime(TimeValue.milliseconds(500));
        } else {
            // Publication profile: forks (default 2) x 5 measured seconds after 3 s of warm-up, per side.
            // JIT decisions differ between forks (bimodal scores seen here): use more forks to separate
            // a real cost from an unlucky fork.
            b.forks(forks).warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(b.build()).run();
        Map<String, RunResult> byName = new LinkedHashMap<>();
        for (RunResult r : results) {
            byName.put(r.getParams().getBenchmark() + paramsOf(r), r);
        }
        return byName;
    }

    private static String paramsOf(RunResult r) {
        StringBuilder sb = new StringBuilder();
        for (String k : r.getParams().getParamsKeys()) {
            sb.append(' ').append(k).append('=').append(r.getParams().getParam(k));
        }
        return sb.toString();
    }

    static void print(List<Map<String, RunResult>> sides, String command, String label) {
        Map<String, RunResult> stock = sides.get(0);
        Map<String, RunResult> agent = sides.get(1);
        System.out.printf(Locale.ROOT, "%n%-48s %14s %14s %8s%n", "benchmark", "stock", "agent", "ratio");
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<String, RunResult> e : stock.entrySet()) {
            RunResult a = agent.get(e.getKey());
            if (a == null) continue;
            var s = e.getValue().getPrimaryResult();
            var p = a.getPrimaryResult();
            double ratio = p.getScore() / s.getScore();
            ratios.add(ratio);
            String name = e.getKey().replace("dev.preempt.bench.", "") + label;
            System.out.printf(Locale.ROOT, "%-48s %8.3f±%-5.3f %8.3f±%-5.3f %7.3fx  %s%n", name, s.getScore(),
                    finite(s.getScoreError()), p.getScore(), finite(p.getScoreError()), ratio, s.getScoreUnit());
            Ratios.record(name, String.format(Locale.ROOT, "%.3f %s", s.getScore(), s.getScoreUnit()),
                    String.format(Locale.ROOT, "%.3f %s", p.getScore(), p.getScoreUnit()), ratio,
                    String.format(Locale.ROOT, "JMH error ±%.0f%% / ±%.0f%%", 100 * finite(s.getScoreError()) / s.getScore(),
                            100 * finite(p.getScoreError()) / p.getScore()), command);
        }
        double geomean = Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(0));
        System.out.printf(Locale.ROOT, "%-48s %31s %7.3fx%n", "geomean (agent/stock, lower is better)", "", geomean);
        Ratios.record("geomean of the above (" + ratios.size() + " benchmarks)" + label, "", "", geomean,
                String.format(Locale.ROOT, "ratios %.3f-%.3f", ratios.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                        ratios.stream().mapToDouble(d -> d).max().orElse(Double.NaN)), command);
    }

    private static double finite(double d) {
        return Double.isNaN(d) ? 0 : d;
    }
}
