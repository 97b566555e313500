package dev.preempt.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place every harness reports its headline figures: one JSON line per figure (stock value, preempt
 * value, their ratio, the spread of the ratio over runs, the command) appended to
 * {@code benchmarks/target/results/ratios.jsonl} (or {@code -Dbench.ratios=FILE}). {@link Summary}
 * prints them as one table at the end of {@code ./preempt bench}.
 */
public final class Ratios {
    private Ratios() {}

    /** One figure, as written and read back. */
    public record Figure(String figure, String stock, String preempt, double ratio, String spread, String command) {}

    public static Path file() {
        return Path.of(System.getProperty("bench.ratios", "benchmarks/target/results/ratios.jsonl"));
    }

    /** Appends one figure; {@code ratio} NaN when the stock side has no comparable value. */
    public static void record(String figure, String stock, String preempt, double ratio, String spread, String command) {
        String line = String.format(Locale.ROOT, "{\"figure\":%s,\"stock\":%s,\"preempt\":%s,\"ratio\":%s,\"spread\":%s,\"command\":%s}%n",
                quote(figure), quote(stock), quote(preempt), Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.4f", ratio) : "null",
                quote(spread), quote(command));
        try {
            Path f = file();
            if (f.getParent() != null) {
                Files.createDirectories(f.getParent());
            }
            Files.writeString(f, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every figure recorded so far, in order. */
    public static List<Figure> read(Path f) throws IOException {
        List<Figure> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                out.add(new Figure(field(l, "figure"), field(l, "stock"), field(l, "preempt"),
                        parseRatio(field(l, "ratio")), field(l, "spread"), field(l, "command")));
            }
        }
        return out;
    }

    public static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static String range(List<Double> xs) {
        if (xs.size() < 2) {
            return "one run";
        }
        return String.format(Locale.ROOT, "%.3f-%.3f", xs.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                xs.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
    }

    private static double parseRatio(String s) {
        return s == null || s.equals("null") ? Double.NaN : Double.parseDouble(s);
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }

    /** The value of a key in one line written by {@link #record} (strings unescaped, numbers as text). */
    static String field(String line, String key) {
        int i = line.indexOf("\"" + key + "\":");
        if (i < 0) {
            return null;
        }
        i += key.length() + 3;
        if (line.startsWith("null", i)) {
            return null;
        }
        if (line.charAt(i) != '"') {
            int end = i;
            while (end < line.length() && line.charAt(end) != ',' && line.charAt(end) != '}') {
                end++;
            }
            return line.substring(i, end);
        }
        StringBuilder b = new StringBuilder();
        for (int k = i + 1; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == '\\') {
                char n = line.charAt(++k);
                switch (n) {
                    case 'n' -> b.append('\n');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(line.substring(k + 1, k + 5), 16));
                        k += 4;
                    }
                    default -> b.append(n);
                }
            } else if (c == '"') {
                break;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
