package dev.preempt.bench.threads;

import dev.preempt.bench.Ratios;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code CompletableFuture} async throughput, stock (the common pool) against the agent ({@code threads=map}:
 * one preempt virtual thread per task), side by side in one invocation, pairs in ABBA order: tasks per
 * second and CPU time per task for the {@link AsyncThroughput} modes. Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.threads.AsyncBench \
 *     [--agent agent/target/preempt-agent.jar] [--tasks 200000] [--repeat 4] [--modes serial,fanout,chain] [--out DIR]
 * </pre>
 */
public final class AsyncBench {
    private AsyncBench() {}

    public static void main(String[] args) throws Exception {
        String agent = "agent/target/preempt-agent.jar";
        int tasks = 200_000;
        int repeat = 4;
        List<String> modes = List.of("serial", "fanout", "chain");
        Path out = Path.of("benchmarks/target/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--modes" -> modes = List.of(args[++i].split(","));
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String agentArg = "-javaagent:" + Path.of(agent).toAbsolutePath() + "=exclude=org.openjdk.jmh.**";
        List<String> jvm = List.of("-Xmx1g");
        String main = AsyncThroughput.class.getName();
        StringBuilder json = new StringBuilder("[");
        System.out.printf(Locale.ROOT, "%-8s %16s %16s %8s %12s %14s %14s %8s %12s%n", "mode", "stock tasks/s", "agent tasks/s", "ratio", "spread",
                "stock cpu ns", "agent cpu ns", "ratio", "spread");
        for (String mode : modes) {
            List<Double> st = new ArrayList<>(), at = new ArrayList<>(), sc = new ArrayList<>(), ac = new ArrayList<>();
            List<Double> rateRatio = new ArrayList<>(), cpuRatio = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                boolean agentFirst = r % 2 == 1; // ABBA: each side goes first in every other pair
                Map<String, String> a = agentFirst ? ChildJvm.run(ChildJvm.command(agentArg, jvm, main, mode, String.valueOf(tasks)), 600) : null;
                Map<String, String> s = ChildJvm.run(ChildJvm.command(null, jvm, main, mode, String.valueOf(tasks)), 600);
                if (!agentFirst) a = ChildJvm.run(ChildJvm.command(agentArg, jvm, main, mode, String.valueOf(tasks)), 600);
                st.add(ChildJvm.value(s, "tasksPerSecond"));
                at.add(ChildJvm.value(a, "tasksPerSecond"));
                sc.add(ChildJvm.value(s, "cpuNanosPerTask"));
                ac.add(ChildJvm.value(a, "cpuNanosPerTask"));
                rateRatio.add(ChildJvm.value(a, "tasksPerSecond") / ChildJvm.value(s, "tasksPerSecond"));
                cpuRatio.add(ChildJvm.value(a, "cpuNanosPerTask") / ChildJvm.value(s, "cpuNanosPerTask"));
                json.append(json.length() == 1 ? "" : ",").append(String.format(Locale.ROOT, "{\"mode\":\"%s\",\"stock\":%s,\"agent\":%s}", mode, ChildJvm.json(s), ChildJvm.json(a)));
                System.err.printf(Locale.ROOT, "%s pair %d (%s first): stock %s | agent %s%n", mode, r + 1, agentFirst ? "agent" : "stock", s, a);
            }
            System.out.printf(Locale.ROOT, "%-8s %16.0f %16.0f %8.2f %12s %14.0f %14.0f %8.2f %12s%n", mode, ChildJvm.median(st), ChildJvm.median(at),
                    ChildJvm.median(rateRatio), ChildJvm.spread(rateRatio), ChildJvm.median(sc), ChildJvm.median(ac), ChildJvm.median(cpuRatio), ChildJvm.spread(cpuRatio));
            String cmd = "AsyncBench --tasks " + tasks + " --repeat " + repeat + " --modes " + mode;
            Ratios.record("CompletableFuture async tasks/s (" + mode + ")", ChildJvm.whole(ChildJvm.median(st)), ChildJvm.whole(ChildJvm.median(at)),
                    ChildJvm.median(rateRatio), ChildJvm.spread(rateRatio), cmd);
            Ratios.record("CompletableFuture async CPU ns per task (" + mode + ")", ChildJvm.whole(ChildJvm.median(sc)), ChildJvm.whole(ChildJvm.median(ac)),
                    ChildJvm.median(cpuRatio), ChildJvm.spread(cpuRatio), cmd);
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("async.json"), json.append(']'));
    }
}
