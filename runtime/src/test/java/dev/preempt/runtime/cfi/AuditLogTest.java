package dev.preempt.runtime.cfi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's bounds: one full record per distinct edge, repeats counted into one record per edge per
 * interval and a summary at exit, rotation at audit.max keeping audit.keep files, and drops said, never
 * waited for. The writer thread is not started here: {@code tick} and {@code close} are called directly.
 */
class AuditLogTest {
    @TempDir
    Path dir;

    private static AuditLog.Entry refusal(String what, String detail, String... callers) {
        return new AuditLog.Entry("enforce", "deny", "sink", what, detail, null,
                new CallerFrames.Frames(callers, callers.length, callers.length == 0 ? null : callers[0], true), "unlearned", "/p.json");
    }

    private AuditLog log(Path file, AuditLog.Format format, long maxBytes, int keep) throws IOException {
        return new AuditLog(AuditOutput.file(file, maxBytes, keep, format == AuditLog.Format.CSV ? AuditLog.CSV_HEADER : null), format,
                TimeUnit.SECONDS.toNanos(60));
    }

    private static void drain(AuditLog log) {
        log.tick(); // the writer is not started: records reach the file at tick and close
    }

    @Test
    void aRefusalRepeated20000TimesIsOneFullRecordAndOneSummary() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = log(file, AuditLog.Format.JSON, 10 << 20, 5);
        for (int i = 0; i < 20_000; i++) {
            log.record(refusal("process.start", "touch /tmp/x", "Evil.run", "Evil.main"));
        }
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("\"what\":\"process.start\",\"detail\":\"touch /tmp/x\"")
                && lines.get(0).contains("\"callers\":[\"Evil.run\",\"Evil.main\"]")
                && lines.get(0).endsWith("\"record\":\"refusal\",\"count\":1,\"since\":null}"), lines.get(0));
        assertTrue(lines.get(1).contains("\"record\":\"summary\",\"count\":20000,\"since\":"), lines.get(1));
        assertTrue(lines.get(1).contains("\"what\":\"process.start\",\"detail\":\"touch /tmp/x\""), "a summary names its edge in full: " + lines.get(1));
    }

    @Test
    void distinctCallersOrDetailsAreDistinctEdgesEachWrittenInFull() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = log(file, AuditLog.Format.JSON, 10 << 20, 5);
        log.record(refusal("file.write", "/a", "A.run"));
        log.record(refusal("file.write", "/a", "B.run"));
        log.record(refusal("file.write", "/b", "A.run"));
        log.record(refusal("file.write", "/a", "A.run"));
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.stream().filter(l -> l.contains("\"record\":\"refusal\"")).count(), lines::toString);
        assertEquals(List.of(true), lines.stream().filter(l -> l.contains("\"record\":\"summary\""))
                .map(l -> l.contains("\"detail\":\"/a\"") && l.contains("\"A.run\"") && l.contains("\"count\":2")).toList(), lines::toString);
        assertEquals(3, log.edges());
    }

    @Test
    void repeatsAreOneRecordPerEdgePerIntervalAndTheSummaryCountsTheWholeRun() throws IOException {
        Path file = dir.resolve("audit.txt");
        AuditLog log = log(file, AuditLog.Format.TEXT, 10 << 20, 5);
        for (int i = 0; i < 5; i++) log.record(refusal("jndi.lookup", "ldap://x", "L.log"));
        log.tick();
        log.tick(); // an interval with no repeat writes nothing
        for (int i = 0; i < 3; i++) log.record(refusal("jndi.lookup", "ldap://x", "L.log"));
        log.tick();
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains(" jndi.lookup detail=ldap://x callers=[L.log] rule=unlearned policy=/p.json record=refusal count=1"), lines.get(0));
        assertTrue(lines.get(1).contains("record=repeats count=4 since="), lines.get(1));
        assertTrue(lines.get(2).contains("record=repeats count=3 since="), lines.get(2));
        assertTrue(lines.get(3).contains("record=summary count=8 since="), lines.get(3));
    }

    @Test
    void rotationKeepsAuditKeepFilesUnderAuditMaxAndTheSummaryStillNamesEveryEdge() throws IOException {
        Path file = dir.resolve("audit.csv");
        long max = 16 << 10;
        AuditLog log = log(file, AuditLog.Format.CSV, max, 2);
        for (int interval = 0; interval < 300; interval++) { // a long run: 5 edges repeated in every interval
            for (int edge = 0; edge < 5; edge++) {
                log.record(refusal("file.write", "/data/" + edge, "App.save"));
            }
            log.tick();
        }
        log.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("audit.csv", "audit.csv.1", "audit.csv.2"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String name : List.of("audit.csv", "audit.csv.1", "audit.csv.2")) {
            Path f = dir.resolve(name);
            assertTrue(Files.size(f) <= max, name + " " + Files.size(f));
            assertEquals(AuditLog.CSV_HEADER, Files.readAllLines(f).get(0), "every file has its header");
        }
        List<String> all = Stream.of("audit.csv.2", "audit.csv.1", "audit.csv").flatMap(n -> read(dir.resolve(n)).stream()).toList();
        assertTrue(all.stream().noneMatch(l -> l.contains("\"refusal\",1,")), "the first records were rotated out");
        assertTrue(all.stream().anyMatch(l -> l.contains("\"dropped\"") && l.contains("rotated out: " + dir.resolve("audit.csv.2"))), all::toString);
        for (int edge = 0; edge < 5; edge++) {
            String detail = "\"/data/" + edge + "\"";
            assertEquals(1, all.stream().filter(l -> l.contains(detail) && l.contains("\"summary\",300,")).count(),
                    "the exit summary names every edge with its count: " + all.subList(all.size() - 6, all.size()));
        }
    }

    @Test
    void aFullQueueDropsAndCountsNewEdgesAndNeverWaits() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = log(file, AuditLog.Format.JSON, 100 << 20, 5);
        int extra = 904;
        for (int i = 0; i < AuditLog.QUEUE_CAPACITY + extra; i++) {
            log.record(refusal("socket.connect", "10.0.0." + i, "Scan.run"));
        }
        log.record(refusal("socket.connect", "10.0.0." + (AuditLog.QUEUE_CAPACITY + 1), "Scan.run")); // a repeat of a lost edge
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(AuditLog.QUEUE_CAPACITY, lines.stream().filter(l -> l.contains("\"record\":\"refusal\"")).count());
        assertEquals(1, lines.stream().filter(l -> l.contains("\"record\":\"dropped\"") && l.contains("queue full")
                && l.contains("\"count\":" + extra + ",")).count(), () -> lines.subList(AuditLog.QUEUE_CAPACITY, lines.size()).toString());
        assertEquals(extra, lines.stream().filter(l -> l.contains("\"record\":\"summary\"")).count(),
                "an edge whose first record was lost is in the summary");
        assertEquals(extra, log.dropped());
    }

    @Test
    void aCsvLogOfTheEarlierSchemaIsRotatedAwayNotMixed() throws IOException {
        Path file = dir.resolve("audit.csv");
        Files.writeString(file, "time,thread,mode,decision,kind,what,detail,site,callers,rule,policy\n\"t\",\"main\"\n");
        AuditLog log = log(file, AuditLog.Format.CSV, 10 << 20, 1);
        log.record(refusal("jvm.exit", null, "P.stop"));
        log.close();
        assertEquals(AuditLog.CSV_HEADER, Files.readAllLines(file).get(0));
        assertEquals(2, Files.readAllLines(dir.resolve("audit.csv.1")).size());
    }

    private static List<String> read(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
