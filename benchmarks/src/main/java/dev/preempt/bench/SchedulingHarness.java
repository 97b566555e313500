package dev.preempt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whole-program scheduling figures, each run on the stock JVM and under the agent side by side in one
 * invocation: run-segment length of competing hogs (how long past its slice a thread keeps the carrier),
 * fairness of equal hogs (Jain index), and CPU shares by priority. Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.SchedulingHarness \
 *     [--agent agent/target/preempt-agent.jar] [--seconds 3] [--repeat 3] [--out DIR]
 * </pre>
 */
public final class SchedulingHarness {
    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final String classpath = System.getProperty("java.class.path");
    private final String agent;
    private final double seconds;

    private SchedulingHarness(String agent, double seconds) {
        this.agent = Path.of(agent).toAbsolutePath().toString();
        this.seconds = seconds;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String agent = "agent/target/preempt-agent.jar";
        double seconds = 3;
        int repeat = 3;
        Path out = Path.of("benchmarks/target/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        SchedulingHarness h = new SchedulingHarness(agent, seconds);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (int r = 0; r < repeat; r++) {
            for (String slice : List.of("1ms", "10ms")) {
                rows.computeIfAbsent("segments, 2 hogs on 1 carrier, slice " + slice + " | stock", k -> new ArrayList<>())
                        .add(h.stock(1, "segments", "2"));
                rows.computeIfAbsent("segments, 2 hogs on 1 carrier, slice " + slice + " | preempt", k -> new ArrayList<>())
                        .add(h.preempt("carriers=1,slice=" + slice, "segments", "2"));
            }
            rows.computeIfAbsent("shares, 8 equal hogs on 2 carriers | stock", k -> new ArrayList<>()).add(h.stock(2, "shares", "8"));
            rows.computeIfAbsent("shares, 8 equal hogs on 2 carriers | preempt", k -> new ArrayList<>())
                    .add(h.preempt("carriers=2", "shares", "8"));
            rows.computeIfAbsent("shares, priorities 10/5/1 on 1 carrier, fair | preempt", k -> new ArrayList<>())
                    .add(h.preempt("carriers=1", "shares", "3", "10", "5", "1"));
            rows.computeIfAbsent("shares, priorities 10/5/1 on 1 carrier, strict | preempt", k -> new ArrayList<>())
                    .add(h.preempt("carriers=1,sched=strict", "shares", "3", "10", "5", "1"));
        }
        StringBuilder json = new StringBuilder("{\n");
        System.out.println();
        rows.forEach((name, results) -> {
            System.out.printf(Locale.ROOT, "%-58s %s%n", name, String.join("  ||  ", results));
            json.append("  \"").append(name).append("\": [");
            for (int i = 0; i < results.size(); i++) {
                json.append(i == 0 ? "\"" : ", \"").append(results.get(i)).append('"');
            }
            json.append("],\n");
        });
        json.setLength(json.length() - 2);
        json.append("\n}\n");
        Files.createDirectories(out);
        Files.writeString(out.resolve("scheduling.json"), json, StandardCharsets.UTF_8);
        recordRatios(rows, "SchedulingHarness --seconds " + seconds + " --repeat " + repeat);
    }

    /** The headline figures of the rows, for the summary table. */
    private static void recordRatios(Map<String, List<String>> rows, String command) {
        List<Double> stockJain = values(rows.get("shares, 8 equal hogs on 2 carriers | stock"), "jain");
        List<Double> agentJain = values(rows.get("shares, 8 equal hogs on 2 carriers | preempt"), "jain");
        Ratios.record("Jain fairness, 8 equal hogs on 2 carriers", fmt(Ratios.median(stockJain)), fmt(Ratios.median(agentJain)),
                Ratios.median(agentJain) / Ratios.median(stockJain), "stock " + Ratios.range(stockJain) + ", preempt " + Ratios.range(agentJain), command);
        List<Double> shares = new ArrayList<>();
        for (String r : rows.getOrDefault("shares, priorities 10/5/1 on 1 carrier, fair | preempt", List.of())) {
            String[] work = field(r, "work").split(",");
            if (work.length == 3) {
                shares.add(Double.parseDouble(work[0].split(":")[1]) / Math.max(1, Double.parseDouble(work[2].split(":")[1])));
            }
        }
        Ratios.record("CPU share of priority 10 over priority 1 (fair, 1 carrier)", "1 (priorities ignored)",
                fmt(Ratios.median(shares)), Double.NaN, Ratios.range(shares), command);
        for (String slice : List.of("1ms", "10ms")) {
            List<Double> p99 = values(rows.get("segments, 2 hogs on 1 carrier, slice " + slice + " | preempt"), "past_slice_p99_us");
            List<Double> stockSegments = values(rows.get("segments, 2 hogs on 1 carrier, slice " + slice + " | stock"), "segments");
            Ratios.record("slice expiry to the yielding poll, p99 us, slice " + slice,
                    "never preempts (" + fmt(Ratios.median(stockSegments)) + " run segments)", fmt(Ratios.median(p99)), Double.NaN, Ratios.range(p99), command);
        }
    }

    private static List<Double> values(List<String> results, String key) {
        List<Double> out = new ArrayList<>();
        for (String r : results == null ? List.<String>of() : results) {
            String v = field(r, key);
            if (v != null) {
                try {
                    out.add(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    // a failed run: no value
                }
            }
        }
        return out;
    }

    private static String field(String result, String key) {
        for (String kv : result.split(" ")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        return null;
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, d >= 100 ? "%.0f" : "%.4f", d);
    }

    private String stock(int carriers, String... workload) throws IOException, InterruptedException {
        return run(List.of("-Djdk.virtualThreadScheduler.parallelism=" + carriers,
                "-Djdk.virtualThreadScheduler.maxPoolSize=" + carriers), workload);
    }

    private String preempt(String options, String... workload) throws IOException, InterruptedException {
        return run(List.of("-javaagent:" + agent + "=exclude=org.HdrHistogram.**," + options), workload);
    }

    private String run(List<String> jvmArgs, String... workload) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, HogWorkload.class.getName(), workload[0], workload[1], String.valueOf(seconds)));
        cmd.addAll(List.of(workload).subList(2, workload.length));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int rc = p.waitFor();
        return rc == 0 ? out : "failed (exit " + rc + "): " + out;
    }
}
