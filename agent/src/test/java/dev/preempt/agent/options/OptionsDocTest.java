package dev.preempt.agent.options;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The option table of docs/options.md shows {@link OptionKey} as it is: every key in the enum's order, with
 * its default and what it takes. Only the last column (what the option means, with links) is written by
 * hand. On a difference the failure message holds the rows as they should start, ready to paste.
 */
class OptionsDocTest {
    private static final String HEADER = "| key | default | takes | meaning |";

    @Test
    void optionsPageTableMatchesOptionKey() throws IOException {
        List<String> expected = Arrays.stream(OptionKey.values()).map(OptionsDocTest::documentedCells).toList();
        List<String> documented = documentedRows(Files.readAllLines(optionsPage())).stream()
                .map(OptionsDocTest::firstThreeCells)
                .toList();
        assertEquals(String.join("\n", expected), String.join("\n", documented),
                "docs/options.md's option table differs from OptionKey; its rows should start:\n" + String.join("\n", expected));
    }

    /** The key, default and takes cells of a key's row, as docs/options.md writes them. */
    static String documentedCells(OptionKey k) {
        String dflt = k.defaultValue().isEmpty() ? "–" : "`" + k.defaultValue() + "`";
        return "| `" + k.key() + "` | " + dflt + " | " + k.expected().replace("|", "\\|") + " |";
    }

    /** The rows of the first table under the header {@link #HEADER}. */
    private static List<String> documentedRows(List<String> lines) {
        int at = lines.indexOf(HEADER);
        if (at < 0) {
            throw new AssertionError("docs/options.md has no option table headed '" + HEADER + "'");
        }
        List<String> rows = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            rows.add(lines.get(i));
        }
        return rows;
    }

    /** A row up to the end of its third cell; a {@code |} escaped as {@code \|} stays inside its cell. */
    private static String firstThreeCells(String row) {
        int bars = 0;
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '|' && (i == 0 || row.charAt(i - 1) != '\\') && ++bars == 4) {
                return row.substring(0, i + 1);
            }
        }
        return row;
    }

    /** docs/options.md, found from the module directory Maven runs tests in, or from any directory below the root. */
    private static Path optionsPage() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path page = dir.resolve("docs/options.md");
            if (Files.isRegularFile(page)) {
                return page;
            }
        }
        throw new AssertionError("docs/options.md not found above " + Path.of("").toAbsolutePath());
    }
}
