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
