package dev.preempt.samples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The README's main command: runs the samples on the stock JVM and under the agent, side by side, and
 * prints what changed. Arguments: the java binary, the agent jar, then agent options (optional), or
 * {@code cfi} for the CFI demo ({@link CfiDemo}: the attack samples stock, learned, then enforced).
 */
public final class DemoLauncher {
    private static final String SERVICE = "dev.preempt.samples.service.StarvedService";
    private static final String LEGACY = "dev.preempt.samples.legacy.LegacyReportJob";
    /** Requests are latency-sensitive: the demo gives them a higher priority than the hogs. */
    private static final String SERVICE_OPTIONS = "priority=request-*:8";

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: DemoLauncher JAVA AGENT_JAR [agent options | cfi]");
            System.exit(2);
        }
        String java = args[0];
        String agent = args[1];
        String extra = args.length > 2 ? args[2] : "";
        String cp = new File(DemoLauncher.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();
        if (extra.equals("cfi")) {
            System.exit(CfiDemo.run(java, agent, cp));
        }
        String options = extra.isEmpty() ? SERVICE_OPTIONS : SERVICE_OPTIONS + "," + extra;

        System.out.println("== 1. A service on virtual threads: 4 CPU hogs and a request every 5 ms, "
                + Runtime.getRuntime().availableProcessors() + " CPUs, 3 s");
        System.out.println("   stock JVM:     java -cp samples.jar " + SERVICE);
        String stock = run(java, null, cp, SERVICE);
        System.out.println("   with preempt:  java -javaagent:preempt-agent.jar=" + options + " -cp samples.jar " + SERVICE);
        String preempt = run(java, "-javaagent:" + agent + "=" + options, cp, SERVICE);
        System.out.println();
        System.out.printf(Locale.ROOT, "   %-22s %10s %10s %10s %10s %12s%n", "", "requests", "p50 ms", "p99 ms", "max ms", "hog work");
        print("stock virtual threads", stock);
        print("preempt", preempt);
        System.out.println();

        System.out.println("== 2. A legacy batch job (Java 8 bytecode, platform threads) runs unchanged under the agent");
        String legacyStock = run(java, null, cp, LEGACY);
        String legacyAgent = run(java, "-javaagent:" + agent + (extra.isEmpty() ? "" : "=" + extra), cp, LEGACY);
        System.out.println("   stock:   " + legacyStock);
        System.out.println("   preempt: " + legacyAgent);
        boolean ok = stock.startsWith("RESULT") && preempt.startsWith("RESULT") && legacyStock.equals(legacyAgent)
                && !legacyStock.isEmpty();
        System.out.println(ok ? "\nOK" : "\nFAILED: a run did not complete as expected");
        System.exit(ok ? 0 : 1);
    }

    private static void print(String label, String result) {
        if (!result.startsWith("RESULT")) {
            System.out.printf("   %-22s %s%n", label, "did not finish: " + result);
            return;
        }
        System.out.printf(Locale.ROOT, "   %-22s %10s %10s %10s %10s %12s%n", label, field(result, "requests"),
                field(result, "p50_ms"), field(result, "p99_ms"), field(result, "max_ms"), field(result, "hog_work"));
    }

    private static String field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) return part.substring(key.length() + 1);
        }
        return "?";
    }

    /** Runs a sample and returns its last line of stdout; its stderr passes through. */
    static String run(String java, String agentArg, String cp, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (agentArg != null) cmd.add(agentArg);
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) last = line;
            }
        }
        int rc = p.waitFor();
        return rc == 0 ? last : "exit " + rc + ": " + last;
    }
}
