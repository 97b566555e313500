package dev.preempt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints every figure the harnesses recorded ({@link Ratios}) as one table of ratios against the stock JVM,
 * and writes them as one JSON array next to it ({@code summary.json}). The last step of {@code ./preempt bench}.
 */
public final class Summary {
    private Summary() {}

    public static void main(String[] args) throws IOException {
        Path f = args.length > 0 ? Path.of(args[0]) : Ratios.file();
        List<Ratios.Figure> figures = Ratios.read(f);
        System.out.printf(Locale.ROOT, "%-62s %-22s %-22s %9s  %s%n", "figure", "stock", "preempt", "ratio", "spread of the ratio");
        StringBuilder json = new StringBuilder("[\n");
        for (Ratios.Figure x : figures) {
            System.out.printf(Locale.ROOT, "%-62s %-22s %-22s %9s  %s%n", x.figure(), x.stock(), x.preempt(),
                    Double.isNaN(x.ratio()) ? "-" : String.format(Locale.ROOT, "%.3fx", x.ratio()), x.spread());
            json.append(json.length() > 2 ? ",\n" : "").append(String.format(Locale.ROOT,
                    "  {\"figure\":%s,\"stock\":%s,\"preempt\":%s,\"ratio\":%s,\"spread\":%s,\"command\":%s}", Ratios.quote(x.figure()),
                    Ratios.quote(x.stock()), Ratios.quote(x.preempt()), Double.isNaN(x.ratio()) ? "null" : String.format(Locale.ROOT, "%.4f", x.ratio()),
                    Ratios.quote(x.spread()), Ratios.quote(x.command())));
        }
        json.append("\n]\n");
        Path out = f.resolveSibling("summary.json");
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.println("(" + figures.size() + " figures; JSON: " + out + ")");
    }
}
