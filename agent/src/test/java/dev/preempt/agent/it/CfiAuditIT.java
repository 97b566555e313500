package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit log against an attacker who keeps trying ({@code it/cfi-audit/Flood.java}): one refused
 * {@code ProcessBuilder.start} repeated 20,000 times is one full record and one summary, in every format
 * and on stderr; 20,000 distinct refusals stay under {@code audit.max} x ({@code audit.keep} + 1).
 */
class CfiAuditIT {
    private static final int REPEATS = 20_000;
    private static Path flood;
    private static Path policy;

    @BeforeAll
    static void learn() {
        flood = ForkedJvm.compile(25, "Flood", ForkedJvm.resource("/it/cfi-audit/Flood.java"));
        policy = ForkedJvm.scratch("audit-flood").resolve("policy.json");
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=learn,policy=" + policy).classpath(flood).main("Flood", "tool").run().assertOk();
        assertTrue(r.stdout().contains("tool exit=0"), r::toString);
    }

    private static ForkedJvm.Result enforce(String options, String... args) {
        return ForkedJvm.java().agent("cfi=enforce,policy=" + policy + "," + options).classpath(flood).main("Flood", args).run().assertOk();
    }

    @Test
    void aRefusalRepeated20000TimesIsOneRecordInFullAndOneSummaryInEachFormat() throws IOException {
        Path dir = ForkedJvm.scratch("audit-repeat");
        Path marker = dir.resolve("marker");
        for (String format : List.of("json", "csv", "text")) {
            Path audit = dir.resolve("audit." + format);
            ForkedJvm.Result r = enforce("audit=" + audit + ",audit.format=" + format, "flood", Integer.toString(REPEATS), marker.toString());
            assertTrue(r.stdout().startsWith("refused=" + REPEATS + " "), r::toString);
            List<String> lines = ForkedJvm.linesOf(audit);
            List<String> records = format.equals("csv") ? lines.subList(1, lines.size()) : lines;
            assertEquals(2, records.size(), format + ": " + lines);
            String summary = switch (format) {
                case "json" -> "\"record\":\"summary\",\"count\":" + REPEATS + ",";
                case "csv" -> "\"summary\"," + REPEATS + ",";
                default -> "record=summary count=" + REPEATS + " ";
            };
            assertTrue(records.get(0).contains("process.start") && records.get(0).contains("touch " + marker) && records.get(0).contains("Flood.start"),
                    records.get(0));
            assertTrue(records.get(1).contains("process.start") && records.get(1).contains(summary), records.get(1));
            assertTrue(Files.size(audit) < 2_000, format + ": " + Files.size(audit) + " bytes");
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void onStderrToo() {
        Path marker = ForkedJvm.scratch("audit-stderr").resolve("marker");
        ForkedJvm.Result r = enforce("audit=stderr", "flood", Integer.toString(REPEATS), marker.toString());
        List<String> records = r.stderrLines().stream().filter(l -> l.contains("\"what\":\"process.start\"")).toList();
        assertEquals(2, records.size(), r::toString);
        assertTrue(records.get(1).contains("\"record\":\"summary\",\"count\":" + REPEATS + ","), records.get(1));
    }

    @Test
    void distinctRefusalsWithoutEndStayUnderTheSizeCapAndTheLogSaysWhatWasDropped() throws IOException {
        Path dir = ForkedJvm.scratch("audit-vary");
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path audit = logs.resolve("audit.jsonl");
        ForkedJvm.Result r = enforce("audit=" + audit + ",audit.max=64KB,audit.keep=2", "vary", Integer.toString(REPEATS), dir.toString());
        assertTrue(r.stdout().startsWith("refused=" + REPEATS + " "), r::toString);
        try (Stream<Path> files = Files.list(logs)) {
            assertEquals(List.of("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        long total = 0;
        for (String name : List.of("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2")) {
            long size = Files.size(logs.resolve(name));
            assertTrue(size <= 64 << 10, name + ": " + size);
            total += size;
        }
        List<String> last = ForkedJvm.linesOf(audit);
        List<String> all = Stream.concat(ForkedJvm.linesOf(logs.resolve("audit.jsonl.1")).stream(), last.stream()).toList();
        assertTrue(all.stream().anyMatch(l -> l.contains("\"record\":\"dropped\"") && l.contains("rotated out: " + logs.resolve("audit.jsonl.2"))),
                "total " + total + " bytes; " + last.subList(0, Math.min(3, last.size())));
    }

    @Test
    void enforceRefusesToStartOnAPolicyOrAuditLogOthersCanChange() throws IOException {
        Path dir = ForkedJvm.scratch("audit-tamper");
        Path open = Files.copy(policy, dir.resolve("open.json"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        ForkedJvm.Result r = ForkedJvm.java().agent("cfi=enforce,policy=" + open).classpath(flood).main("Flood", "tool").run();
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(List.of("preempt: option policy=" + open + ": '" + open + "' is writable by others (mode 0666): chmod go-w '" + open
                + "' (cfi=enforce refuses a policy other users can change)"), r.stderrLines().stream().filter(l -> l.startsWith("preempt")).toList());
        assertFalse(r.stdout().contains("tool exit"), "the app did not run");

        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
        ForkedJvm.Result a = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=" + shared.resolve("audit.jsonl"))
                .classpath(flood).main("Flood", "tool").run();
        assertEquals(1, a.exitCode(), a::toString);
        assertTrue(a.stderr().contains("preempt: option audit=" + shared.resolve("audit.jsonl") + ": directory '" + shared
                + "' is writable by its group (mode 0775)"), a::toString);
    }
}
