package dev.preempt.bench.threads;

import dev.preempt.samples.server.LoadClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The thread-per-connection sample server ({@code samples}: one platform thread per client, Java 8 code)
 * under loopback load, stock against the agent ({@code threads=map}) side by side in one invocation, at
 * each connection count: throughput, p99 latency, the server's CPU time per request over the load window
 * (steadier than throughput on a shared machine: a closed loop's throughput moves with whoever else gets
 * the CPUs), and the server's RSS and OS threads under load. The load client runs in this JVM on virtual
 * threads; stock and agent runs alternate, each going first in every other pair. {@code --baseline-options} runs the baseline side with the agent
 * and those options instead of no agent, to isolate what one setting costs (cfi=enforce against the same
 * agent without it). Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.threads.ServerBench \
 *     [--agent agent/target/preempt-agent.jar] [--connections 1000,10000] [--seconds 10] [--work 200] \
 *     [--think-ms 0] [--repeat 3] [--options k=v,...] [--baseline-options k=v,...] [--out DIR]
 * </pre>
 */
public final class ServerBench {
    private static final String SERVER = "dev.preempt.samples.server.ThreadPerConnectionServer";

    private ServerBench() {}

    public static void main(String[] args) throws Exception {
        String agent = "agent/target/preempt-agent.jar";
        String options = "";
        String baselineOptions = null;
        List<Integer> counts = List.of(1000, 10000);
        double seconds = 10;
        int work = 200;
        int think = 0;
        int repeat = 3;
        Path out = Path.of("benchmarks/target/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--options" -> options = args[++i];
                case "--baseline-options" -> baselineOptions = args[++i];
                case "--connections" -> counts = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--work" -> work = Integer.parseInt(args[++i]);
                case "--think-ms" -> think = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String agentArg = "-javaagent:" + Path.of(agent).toAbsolutePath() + (options.isEmpty() ? "" : "=" + options);
        String baselineArg = baselineOptions == null ? null
                : "-javaagent:" + Path.of(agent).toAbsolutePath() + (baselineOptions.isEmpty() ? "" : "=" + baselineOptions);
        if (baselineArg != null) {
            System.err.println("baseline (the \"stock\" columns): " + baselineArg);
        }
        StringBuilder json = new StringBuilder("[");
        List<String> table = new ArrayList<>();
        for (int c : counts) {
            List<Double> rps = new ArrayList<>(), p99 = new ArrayList<>(), rss = new ArrayList<>(), cpu = new ArrayList<>();
            List<Double> stockCpu = new ArrayList<>(), agentCpu = new ArrayList<>();
            List<LoadClient.Result> stockRuns = new ArrayList<>(), agentRuns = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                // ABBA order: the sides take turns going first, so an order effect (a kernel warmed by the
                // first run of a pair; 6 of 7 pairs favoured the second run once) cannot favour one side.
                boolean agentFirst = r % 2 == 1;
                Run ar = agentFirst ? run(agentArg, c, seconds, work, think) : null;
                Run sr = run(baselineArg, c, seconds, work, think);
                if (!agentFirst) ar = run(agentArg, c, seconds, work, think);
                LoadClient.Result s = sr.result();
                LoadClient.Result a = ar.result();
                stockRuns.add(s);
                agentRuns.add(a);
                stockCpu.add(sr.cpuMicrosPerRequest());
                agentCpu.add(ar.cpuMicrosPerRequest());
                cpu.add(ar.cpuMicrosPerRequest() / sr.cpuMicrosPerRequest());
                rps.add(a.requestsPerSecond() / s.requestsPerSecond());
                p99.add(a.p99Micros() / s.p99Micros());
                rss.add((double) stat(a, "rssKb") / stat(s, "rssKb"));
                System.err.println("connections " + c + " run " + (r + 1) + "\n  stock " + s + String.format(Locale.ROOT, " cpuUsPerReq=%.2f", sr.cpuMicrosPerRequest())
                        + "\n  agent " + a + String.format(Locale.ROOT, " cpuUsPerReq=%.2f", ar.cpuMicrosPerRequest()));
                json.append(json.length() == 1 ? "" : ",").append(String.format(Locale.ROOT,
                        "{\"connections\":%d,\"stock\":%s,\"agent\":%s}", c, toJson(s), toJson(a)));
            }
            String label = options.isEmpty() ? "" : " [" + options + "]"; // a run with other options records rows of its own
            String cmd = "ServerBench --connections " + c + " --seconds " + seconds + " --work " + work + " --repeat " + repeat
                    + (options.isEmpty() ? "" : " --options " + options) + (baselineOptions == null ? "" : " --baseline-options " + baselineOptions);
            dev.preempt.bench.Ratios.record("server throughput, " + c + " connections (req/s)" + label, String.format(Locale.ROOT, "%.0f", median(stockRuns, "rps")),
                    String.format(Locale.ROOT, "%.0f", median(agentRuns, "rps")), ChildJvm.median(rps), ChildJvm.spread(rps), cmd);
            dev.preempt.bench.Ratios.record("server p99 latency, " + c + " connections (us)" + label, String.format(Locale.ROOT, "%.0f", median(stockRuns, "p99")),
                    String.format(Locale.ROOT, "%.0f", median(agentRuns, "p99")), ChildJvm.median(p99), ChildJvm.spread(p99), cmd);
            dev.preempt.bench.Ratios.record("server CPU per request, " + c + " connections (us)" + label, String.format(Locale.ROOT, "%.2f", ChildJvm.median(stockCpu)),
                    String.format(Locale.ROOT, "%.2f", ChildJvm.median(agentCpu)), ChildJvm.median(cpu), ChildJvm.spread(cpu), cmd);
            dev.preempt.bench.Ratios.record("server RSS, " + c + " connections (MiB)" + label, String.format(Locale.ROOT, "%.0f", median(stockRuns, "rss") / 1024),
                    String.format(Locale.ROOT, "%.0f", median(agentRuns, "rss") / 1024), ChildJvm.median(rss), ChildJvm.spread(rss), cmd);
            dev.preempt.bench.Ratios.record("server OS threads, " + c + " connections", String.format(Locale.ROOT, "%.0f", median(stockRuns, "os")),
                    String.format(Locale.ROOT, "%.0f", median(agentRuns, "os")), median(agentRuns, "os") / median(stockRuns, "os"), "", cmd);
            table.add(String.format(Locale.ROOT, "%-12d %9.0f %9.0f %7.2f %-11s %9.0f %9.0f %7.2f %-11s %7.2f %7.2f %7.3f %-11s %8.0f %8.0f %7.2f %7.0f %7.0f",
                    c, median(stockRuns, "rps"), median(agentRuns, "rps"), ChildJvm.median(rps), ChildJvm.spread(rps),
                    median(stockRuns, "p99"), median(agentRuns, "p99"), ChildJvm.median(p99), ChildJvm.spread(p99),
                    ChildJvm.median(stockCpu), ChildJvm.median(agentCpu), ChildJvm.median(cpu), ChildJvm.spread(cpu),
                    median(stockRuns, "rss") / 1024, median(agentRuns, "rss") / 1024, ChildJvm.median(rss),
                    median(stockRuns, "os"), median(agentRuns, "os")));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("server.json"), json.append("]"));
        System.out.printf("%-12s %9s %9s %7s %-11s %9s %9s %7s %-11s %7s %7s %7s %-11s %8s %8s %7s %7s %7s%n", "connections", "stock/s", "agent/s",
                "ratio", "spread", "p99 us", "p99 us", "ratio", "spread", "cpu us", "cpu us", "ratio", "spread", "RSS MiB", "RSS MiB", "ratio",
                "OS thr", "OS thr");
        table.forEach(System.out::println);
    }

    /** One server run: the client's result and the server's CPU time per request over the load window. */
    private record Run(LoadClient.Result result, double cpuMicrosPerRequest) {}

    private static Run run(String agentArg, int connections, double seconds, int work, int think) throws Exception {
        // A fixed heap: with only -Xmx, G1 grew the agent side's heap on its start-up garbage (rewriting
        // classes), and the bigger young generation alone made an agent with cfi=enforce look 10% faster than
        // the same agent without it (measured; with -Xms2g the difference was gone).
        List<String> cmd = ChildJvm.command(agentArg, List.of("-Xms2g", "-Xmx2g"), SERVER, "0");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            String line = r.readLine();
            if (line == null || !line.startsWith("listening=")) {
                throw new IOException("server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring("listening=".length()));
            long cpuBeforeNanos = cpuNanos(p);
            LoadClient.Result result = LoadClient.run(port, connections, seconds, work, think);
            long cpuNanos = cpuNanos(p) - cpuBeforeNanos;
            return new Run(result, result.requests() == 0 ? Double.NaN : cpuNanos / 1000.0 / result.requests());
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** The process's user + system CPU time so far (Linux: from /proc). */
    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos)
                .orElseThrow(() -> new IllegalStateException("no CPU time for the server process on this OS"));
    }

    private static long stat(LoadClient.Result r, String key) {
        for (String kv : r.serverStats().split(" ")) {
            if (kv.startsWith(key + "=")) {
                return Long.parseLong(kv.substring(key.length() + 1));
            }
        }
        return -1;
    }

    private static double median(List<LoadClient.Result> rs, String what) {
        return ChildJvm.median(rs.stream().map(r -> switch (what) {
            case "rps" -> r.requestsPerSecond();
            case "p99" -> r.p99Micros();
            case "rss" -> (double) stat(r, "rssKb");
            default -> (double) stat(r, "osThreads");
        }).toList());
    }

    private static String toJson(LoadClient.Result r) {
        return String.format(Locale.ROOT, "{\"requests\":%d,\"rps\":%.1f,\"p50us\":%.1f,\"p99us\":%.1f,\"maxus\":%.1f,\"errors\":%d,\"server\":\"%s\"}",
                r.requests(), r.requestsPerSecond(), r.p50Micros(), r.p99Micros(), r.maxMicros(), r.errors(), r.serverStats());
    }
}
