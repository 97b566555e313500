package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Carriers are never lost to a blocking call: mapped threads that sit in FIFO and stdin reads, in a
 * waiting class initialiser (pinned) or in a native call hold their carriers, and every other thread of
 * the app still runs, because the scheduler counts those carriers out and starts spares (carriers.max).
 * With {@code carriers.max} equal to {@code carriers} (no spares) the same programs do not finish: the
 * spares, not luck, are what keeps them going.
 */
class BlockedCarriersIT {
    private static final Pattern DONE = Pattern.compile("done=(\\d+) ms=(\\d+)");
    private static final Pattern STATS = Pattern.compile("blockedCalls=(\\d+).*sparesAdded=(\\d+)");
    private static Path legacy;
    private static Path modern;

    @BeforeAll
    static void compile() {
        legacy = ForkedJvm.compile(8, "BlockedReaders", ForkedJvm.resource("/it/blocking/BlockedReaders.java"));
        modern = ForkedJvm.compile(25, List.of(), "NativeSleepers", ForkedJvm.resource("/it/blocking/NativeSleepers.java"),
                "BlockingStress", ForkedJvm.resource("/it/blocking/BlockingStress.java"),
                "ShortRuns", ForkedJvm.resource("/it/blocking/ShortRuns.java"));
    }

    private static List<String> fifos(int n) {
        Path dir = ForkedJvm.scratch("fifo");
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve("f" + i);
            try {
                Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
                assertEquals(0, mk.waitFor(), "mkfifo " + p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            paths.add(p.toString());
        }
        return paths;
    }

    private static int done(ForkedJvm.Result r) {
        Matcher m = DONE.matcher(r.stdout());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The exit statistics' blocking calls found and spares started. */
    private static long[] blockStats(ForkedJvm.Result r) {
        Matcher m = STATS.matcher(r.stderr());
        assertTrue(m.find(), () -> "no exit statistics in " + r);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static String[] args(String mode, int workers, List<String> rest) {
        List<String> a = new ArrayList<>(List.of(mode, String.valueOf(workers)));
        a.addAll(rest);
        return a.toArray(String[]::new);
    }

    @Test
    void twoFifoReadersOnTwoCarriersDoNotStopTwentyWorkers() {
        List<String> f = fifos(2);
        ForkedJvm.Result r = ForkedJvm.java("carriers=2,log=info").classpath(legacy).main("BlockedReaders", args("fifo", 20, f))
                .run().assertOk();
        assertEquals(20, done(r), r::toString);
        assertTrue(r.stdout().contains("read=[line2, line3]"), r::toString); // the readers got their lines afterwards
        long[] s = blockStats(r);
        assertTrue(s[0] >= 2 && s[1] >= 2, () -> "expected 2 blocking calls found and 2 spares: " + r);
        assertTrue(r.stderr().contains("in a blocking call"), r::toString);
        assertTrue(r.stderr().contains("FileInputStream"), () -> "the log names the blocked stack: " + r);
    }

    @Test
    void withoutSparesTheSameProgramStalls() {
        List<String> f = fifos(2);
        ForkedJvm.Result r = ForkedJvm.java("carriers=2,carriers.max=2").classpath(legacy)
                .main("BlockedReaders", args("fifo", 4, f)).timeout(Duration.ofSeconds(8)).run();
        assertTrue(r.timedOut(), () -> "with no spares both carriers stay in the reads and the workers never run: " + r);
    }

    @Test
    void moreBlockedReadersThanCarriersStillLeaveRoomForWorkers() {
        List<String> f = fifos(6);
        ForkedJvm.Result r = ForkedJvm.java("carriers=2").classpath(legacy).main("BlockedReaders", args("fifo", 20, f)).run().assertOk();
        assertEquals(20, done(r), r::toString);
        assertTrue(r.stdout().contains("read=[line2, line3, line4, line5, line6, line7]"), r::toString);
    }

    @Test
    void stdinReadersDoNotStopWorkers() {
        ForkedJvm.Result r = ForkedJvm.java("carriers=2,log=info").holdStdin().classpath(legacy)
                .main("BlockedReaders", "stdin", "20", "2").run().assertOk();
        assertEquals(20, done(r), r::toString);
        assertTrue(blockStats(r)[0] >= 1, r::toString);
    }

    @Test
    void threadsWaitingInClassInitialisersDoNotStopWorkers() {
        ForkedJvm.Result r = ForkedJvm.java("carriers=2,log=info").classpath(legacy).main("BlockedReaders", "clinit", "20", "3").run().assertOk();
        assertEquals(20, done(r), r::toString);
        assertTrue(r.stdout().contains("initialised=3"), r::toString);
    }

    @Test
    void nativeCallsThroughFfmDoNotStopWorkers() {
        ForkedJvm.Result r = ForkedJvm.java("carriers=2,log=info").jvmArg("--enable-native-access=ALL-UNNAMED").classpath(modern)
                .main("NativeSleepers", "3", "2", "20").run().assertOk();
        assertEquals(20, done(r), r::toString);
        Matcher m = DONE.matcher(r.stdout());
        assertTrue(m.find() && Long.parseLong(m.group(2)) < 1500, () -> "the workers finished while the sleepers slept (2 s): " + r);
    }

    /**
     * 300 threads on 2 carriers, 40 random steps each: CPU bursts, native sleeps that hold a carrier,
     * sleeps that unmount, a contended monitor. Every thread finishes, spares came and went, and once the
     * app is quiet the scheduler is back to its 2 carriers with none counted blocked (nothing stranded,
     * no spare left behind).
     */
    @Test
    void randomBlockingStressEndsWithEveryThreadDoneAndOnlyTheBaseCarriers() {
        ForkedJvm.Result r = ForkedJvm.java("carriers=2").jvmArg("--enable-native-access=ALL-UNNAMED").classpath(modern)
                .main("BlockingStress", "300", "40", "20261204", "2").timeout(Duration.ofSeconds(90)).run().assertOk();
        assertTrue(r.stdout().contains("finished=300 steps=12000"), r::toString);
        Matcher m = Pattern.compile("carriers=(\\d+) blocked=(\\d+) added=(\\d+) retired=(\\d+)").matcher(r.stdout());
        assertTrue(m.find(), r::toString);
        assertEquals("2", m.group(1), () -> "spares left once nobody blocks: " + r);
        assertEquals("0", m.group(2), r::toString);
        assertTrue(Long.parseLong(m.group(3)) > 0, () -> "native sleeps made the scheduler start spares: " + r);
        assertEquals(m.group(3), m.group(4), () -> "every spare started also left: " + r);
    }

    /**
     * Runs that end in microseconds while others wait (8 yielders on 2 carriers) cost the slice timer no
     * wake-ups of the blocked-carrier monitor's: it is asked to look only at a run that lasted with its
     * carrier asleep in the kernel, so the timer wakes about once per slice (10 ms). Main before this
     * change armed a look 0.5 ms into every run and woke it 8,162 and 9,104 times in the same program
     * (this branch: 254, 253; load 3.6).
     */
    @Test
    void shortRunsWhileOthersWaitWakeTheTimerAboutOncePerSlice() {
        ForkedJvm.Result r = ForkedJvm.java("carriers=2,log=info").classpath(modern).main("ShortRuns", "8", "2", "20").run().assertOk();
        Matcher m = Pattern.compile("ticks=(\\d+)").matcher(r.stderr());
        assertTrue(m.find(), () -> "no exit statistics in " + r);
        long ticks = Long.parseLong(m.group(1));
        // 2 s of 10 ms slices is 200 slice ends; the bound leaves room for start-up and a loaded machine.
        assertTrue(ticks < 1_000, () -> "timer wake-ups for 2 s of short runs: " + ticks + " in " + r);
    }

    /** Each blocked carrier is a JFR event naming the carrier and thread, with the reader's stack at the read. */
    @Test
    void aBlockedCarrierIsAJfrEventWithTheBlockedStack() throws Exception {
        List<String> f = fifos(2);
        Path jfr = ForkedJvm.scratch("jfr").resolve("blocked.jfr");
        ForkedJvm.java("carriers=2").jvmArg("-XX:StartFlightRecording:filename=" + jfr).classpath(legacy)
                .main("BlockedReaders", args("fifo", 20, f)).run().assertOk();
        List<RecordedEvent> blocked = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("dev.preempt.BlockedCarrier")).toList();
        assertTrue(blocked.stream().filter(e -> e.getString("thread").startsWith("reader-")).count() >= 2, blocked::toString);
        for (RecordedEvent e : blocked) {
            assertTrue(e.getString("carrier").startsWith("preempt-carrier-"), e::toString);
            assertTrue(e.getLong("blockedNanos") >= 1_000_000, e::toString);
            assertTrue(e.getInt("carriers") >= 2, e::toString);
            if (e.getString("thread").startsWith("reader-")) {
                assertTrue(e.getString("stack").contains("BlockedReaders$"), e::toString);
            }
        }
    }
}
