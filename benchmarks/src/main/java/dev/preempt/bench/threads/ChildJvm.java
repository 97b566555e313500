package dev.preempt.bench.threads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child JVM on this benchmark jar's class path, stock or with the agent; its {@code key=value} lines. */
final class ChildJvm {
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private ChildJvm() {}

    static List<String> command(String agentArg, List<String> jvmArgs, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        if (agentArg != null) {
            cmd.add(agentArg);
        }
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs to completion and returns the key=value lines of its stdout; stderr goes to ours. */
    static Map<String, String> run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, String> values = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                int eq = l.indexOf('=');
                if (eq > 0) {
                    values.put(l.substring(0, eq), l.substring(eq + 1));
                }
            }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + cmd);
        }
        return values;
    }

    static double median(List<Double> xs) {
        return dev.preempt.bench.Ratios.median(xs);
    }

    static String spread(List<Double> xs) {
        return String.format("%.2f-%.2f", xs.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                xs.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
    }

    /** A whole number for a table cell. */
    static String whole(double d) {
        return String.format(Locale.ROOT, "%.0f", d);
    }

    /** A number the child printed as {@code key=value}; its absence is an error naming what it printed. */
    static double value(Map<String, String> m, String key) throws IOException {
        String v = m.get(key);
        if (v == null) {
            throw new IOException("child printed no " + key + ": " + m);
        }
        return Double.parseDouble(v);
    }

    /** The child's key=value lines as a JSON object of strings. */
    static String json(Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() == 1 ? "" : ",").append('"').append(k).append("\":\"").append(v).append('"'));
        return b.append('}').toString();
    }
}
