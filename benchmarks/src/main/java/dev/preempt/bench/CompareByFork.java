package dev.preempt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Stock against one or more agent jars, alternating the sides fork by fork and benchmark by benchmark
 * ({@link Compare} runs a whole side, then the other, minutes apart). Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.CompareByFork \
 *     [--agent [LABEL=]JAR]... [--options k=v,...] [--rounds R] [--quick] [--out DIR] REGEX
 * </pre>
 * For each benchmark the regex matches, R rounds of one fork per side, the order reversed every other round
 * (stock, agent | agent, stock | ...: ABBA within the benchmark, a few seconds apart); each fork is
 * {@code Compare --short --sample}. Why: a whole-side order left a machine's load, which drifts over
 * minutes, in the ratio (13 kernels at load 3-5: 0.98x stock first, 1.40x agent first), and one fork per
 * side left in it the fork's JIT outcome, which differs between forks of the same side (stock
 * {@code nested2d} 0.41 against 0.89 us in two forks, each steady over its 4 iterations). Each fork's p50 and
 * p0 go to {@code DIR/forks.tsv} (appended, so one script can run benchmarks one lock hold each);
 * {@code scripts/fork-ratios.py DIR/forks.tsv} makes the table: the median fork of each side, their ratio,
 * and each round's own ratio as the spread. {@code --quick}: Compare's smoke profile per fork (CI).
 */
public final class CompareByFork {
    private CompareByFork() {}

    /** One side of the comparison: a label and the JVM arguments that make it. */
    record Side(String label, List<String> jvmArgs) {}

    public static void main(String[] args) throws RunnerException, IOException {
        List<Side> sides = new ArrayList<>(List.of(new Side("stock", List.of())));
        List<String> agents = new ArrayList<>();
        String options = "";
        String regex = null;
        int rounds = 2;
        boolean quick = false;
        Path out = Path.of("benchmarks/target/results/by-fork");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agents.add(args[++i]);
                case "--options" -> options = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--quick" -> quick = true;
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + ": expected --agent [LABEL=]JAR, --options k=v,..., --rounds N, --quick, --out DIR, or a regex");
                    }
                    regex = args[i];
                }
            }
        }
        if (regex == null || rounds < 1) {
            throw new IllegalArgumentException("usage: CompareByFork [--agent [LABEL=]JAR]... [--options k=v,...] [--rounds N>=1] [--quick] [--out DIR] REGEX");
        }
        if (agents.isEmpty()) {
            agents.add("agent=agent/target/preempt-agent.jar");
        }
        for (String a : agents) {
            int eq = a.indexOf('=');
            String label = eq > 0 ? a.substring(0, eq) : "agent";
            String jar = eq > 0 ? a.substring(eq + 1) : a;
            if (!Files.isRegularFile(Path.of(jar))) {
                throw new IllegalArgumentException("--agent " + a + ": no such jar " + Path.of(jar).toAbsolutePath());
            }
            sides.add(new Side(label, List.of(Compare.agentArg(jar, options))));
        }
        Files.createDirectories(out.resolve("json"));
        Path tsv = out.resolve("forks.tsv");
        for (String bench : benchmarks(regex)) {
            for (int round = 0; round < rounds; round++) {
                List<Side> order = new ArrayList<>(sides);
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (int pos = 0; pos < order.size(); pos++) {
                    Side side = order.get(pos);
                    String short_ = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
                    Path json = out.resolve("json").resolve(short_ + "-r" + round + "-" + side.label() + ".json");
                    Map<String, RunResult> r = Compare.run(Pattern.quote(bench) + "$", quick, !quick, true, 1, json, side.jvmArgs());
                    for (Map.Entry<String, RunResult> e : r.entrySet()) {
                        var stats = e.getValue().getPrimaryResult().getStatistics();
                        String row = String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%.4f\t%.4f\t%s\t%s%n",
                                e.getKey().replace("dev.preempt.bench.", ""), side.label(), round, pos,
                                stats.getPercentile(50.0), stats.getMin(), e.getValue().getPrimaryResult().getScoreUnit(), Instant.now());
                        Files.writeString(tsv, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                }
            }
        }
    }

    /** The benchmarks the regex matches, as JMH names them, in JMH's order. */
    private static Set<String> benchmarks(String regex) {
        Set<String> names = new LinkedHashSet<>();
        var format = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        for (BenchmarkListEntry e : BenchmarkList.defaultList().find(format, List.of(regex), List.of())) {
            names.add(e.getUsername());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no benchmark matches " + regex);
        }
        return names;
    }
}
