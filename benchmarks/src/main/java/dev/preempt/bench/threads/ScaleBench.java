package dev.preempt.bench.threads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Thread scale, stock platform threads against the same code mapped by the agent ({@code threads=map}),
 * side by side in one invocation: memory per parked thread and start rate at {@code --parked} threads,
 * spawn+join rate, and, agent only, {@code --million} parked threads in a 2 GiB heap (the stock JVM cannot
 * start a million OS threads on an ordinary machine, so that row has no stock twin: its check is the
 * target itself). Usage:
 *
 * <pre>
 * java -cp benchmarks/target/preempt-benchmarks.jar dev.preempt.bench.threads.ScaleBench \
 *     [--agent agent/target/preempt-agent.jar] [--parked 10000] [--spawn 20000] [--million 1000000] [--repeat 3] [--out DIR]
 * </pre>
 */
public final class ScaleBench {
    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        String agent = "agent/target/preempt-agent.jar";
        int parked = 10_000;
        int spawn = 20_000;
        int million = 1_000_000;
        int repeat = 3;
        Path out = Path.of("benchmarks/target/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--parked" -> parked = Integer.parseInt(args[++i]);
                case "--spawn" -> spawn = Integer.parseInt(args[++i]);
                case "--million" -> million = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String agentArg = "-javaagent:" + Path.of(agent).toAbsolutePath() + "=exclude=org.openjdk.jmh.**";
        List<String> heap = List.of("-Xmx2g", "-Xms256m");
        String main = ThreadScale.class.getName();
        List<Double> heapRatio = new ArrayList<>(), rssRatio = new ArrayList<>(), startRatio = new ArrayList<>(), spawnRatio = new ArrayList<>();
        List<Double> stockHeap = new ArrayList<>(), agentHeap = new ArrayList<>(), stockRss = new ArrayList<>(), agentRss = new ArrayList<>();
        List<Double> stockOs = new ArrayList<>(), agentOs = new ArrayList<>();
        StringBuilder json = new StringBuilder("{\"runs\":[");
        for (int r = 0; r < repeat; r++) {
            Map<String, String> s = ChildJvm.run(ChildJvm.command(null, heap, main, "park", String.valueOf(parked)), 600);
            Map<String, String> a = ChildJvm.run(ChildJvm.command(agentArg, heap, main, "park", String.valueOf(parked)), 600);
            Map<String, String> ss = ChildJvm.run(ChildJvm.command(null, heap, main, "spawnjoin", String.valueOf(spawn)), 600);
            Map<String, String> as = ChildJvm.run(ChildJvm.command(agentArg, heap, main, "spawnjoin", String.valueOf(spawn)), 600);
            stockHeap.add(ChildJvm.value(s, "heapBytesPerThread"));
            agentHeap.add(ChildJvm.value(a, "heapBytesPerThread"));
            stockRss.add(ChildJvm.value(s, "rssBytesPerThread"));
            agentRss.add(ChildJvm.value(a, "rssBytesPerThread"));
            stockOs.add(ChildJvm.value(s, "osThreads"));
            agentOs.add(ChildJvm.value(a, "osThreads"));
            heapRatio.add(ChildJvm.value(a, "heapBytesPerThread") / ChildJvm.value(s, "heapBytesPerThread"));
            rssRatio.add(ChildJvm.value(a, "rssBytesPerThread") / ChildJvm.value(s, "rssBytesPerThread"));
            startRatio.add(ChildJvm.value(a, "startPerSecond") / ChildJvm.value(s, "startPerSecond"));
            spawnRatio.add(ChildJvm.value(as, "spawnJoinPerSecond") / ChildJvm.value(ss, "spawnJoinPerSecond"));
            json.append(r == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"stockPark\":%s,\"agentPark\":%s,\"stockSpawn\":%s,\"agentSpawn\":%s}", ChildJvm.json(s), ChildJvm.json(a), ChildJvm.json(ss), ChildJvm.json(as)));
            System.err.printf(Locale.ROOT, "run %d: stock %s %s | agent %s %s%n", r + 1, s, ss, a, as);
        }
        Map<String, String> m = ChildJvm.run(ChildJvm.command(agentArg, heap, main, "park", String.valueOf(million)), 900);
        json.append("],\"million\":").append(ChildJvm.json(m)).append("}");
        Files.createDirectories(out);
        Files.writeString(out.resolve("scale.json"), json);

        System.out.printf(Locale.ROOT, "%-44s %14s %14s %10s %12s%n", "figure (" + parked + " parked threads)", "stock", "agent", "ratio", "spread");
        row("heap bytes per parked thread", stockHeap, agentHeap, heapRatio);
        row("RSS bytes per parked thread", stockRss, agentRss, rssRatio);
        row("OS threads while parked", stockOs, agentOs, null);
        System.out.printf(Locale.ROOT, "%-44s %14s %14s %10.2f %12s%n", "thread start rate (ratio agent/stock)", "", "", ChildJvm.median(startRatio), ChildJvm.spread(startRatio));
        System.out.printf(Locale.ROOT, "%-44s %14s %14s %10.2f %12s%n", "spawn+join rate " + spawn + " (ratio agent/stock)", "", "", ChildJvm.median(spawnRatio), ChildJvm.spread(spawnRatio));
        String cmd = "ScaleBench --parked " + parked + " --spawn " + spawn + " --million " + million + " --repeat " + repeat;
        dev.preempt.bench.Ratios.record("RSS bytes per parked thread (" + parked + " threads, threads=map)", ChildJvm.whole(ChildJvm.median(stockRss)),
                ChildJvm.whole(ChildJvm.median(agentRss)), ChildJvm.median(rssRatio), ChildJvm.spread(rssRatio), cmd);
        dev.preempt.bench.Ratios.record("heap bytes per parked thread (" + parked + " threads)", ChildJvm.whole(ChildJvm.median(stockHeap)),
                ChildJvm.whole(ChildJvm.median(agentHeap)), ChildJvm.median(heapRatio), ChildJvm.spread(heapRatio), cmd);
        dev.preempt.bench.Ratios.record("OS threads while " + parked + " are parked", ChildJvm.whole(ChildJvm.median(stockOs)), ChildJvm.whole(ChildJvm.median(agentOs)),
                ChildJvm.median(agentOs) / ChildJvm.median(stockOs), "", cmd);
        dev.preempt.bench.Ratios.record("thread start rate", "", "", ChildJvm.median(startRatio), ChildJvm.spread(startRatio), cmd);
        dev.preempt.bench.Ratios.record("spawn+join rate", "", "", ChildJvm.median(spawnRatio), ChildJvm.spread(spawnRatio), cmd);
        dev.preempt.bench.Ratios.record(million + " parked mapped threads, heap MiB (target <= 2048)", "cannot start", m.get("heapUsedMiB"),
                Double.NaN, "one run", cmd);
        System.out.printf(Locale.ROOT, "agent only: %s parked mapped threads in -Xmx2g: heap used %s MiB, %s heap bytes/thread, %s OS threads, all joined: %s%n",
                m.get("threads"), m.get("heapUsedMiB"), m.get("heapBytesPerThread"), m.get("osThreads"), m.get("joined"));
    }

    private static void row(String name, List<Double> stock, List<Double> agent, List<Double> ratio) {
        double sm = ChildJvm.median(stock), am = ChildJvm.median(agent);
        double rm = ratio == null ? am / sm : ChildJvm.median(ratio);
        System.out.printf(Locale.ROOT, "%-44s %14.0f %14.0f %10.3f %12s%n", name, sm, am, rm, ratio == null ? "" : ChildJvm.spread(ratio));
    }
}
