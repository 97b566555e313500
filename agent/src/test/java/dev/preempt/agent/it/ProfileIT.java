package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code profile=} and {@code trace=}: what a real run writes at exit. */
class ProfileIT {
    private static Path classes;
    private static Path dir;
    private static ForkedJvm.Result run;

    @BeforeAll
    static void runOnce() {
        classes = ProfileTargets.compile();
        dir = ForkedJvm.scratch("profile");
        run = ForkedJvm.java().agent("carriers=2,slice=2ms,profile=" + dir.resolve("report.html") + ",trace=" + dir.resolve("trace.json"))
                .classpath(classes).main("Workload", "600").run().assertOk();
    }

    @Test
    void theTraceNamesEveryThreadAndHoldsItsSlicesPerCarrierWithPreemptions() throws Exception {
        JsonNode trace = new ObjectMapper().readTree(dir.resolve("trace.json").toFile());
        Map<Integer, String> threadTracks = new HashMap<>();
        Set<Integer> carrierTracks = new HashSet<>();
        Map<String, Integer> slicesByThread = new HashMap<>();
        int preemptions = 0;
        for (JsonNode e : trace.get("traceEvents")) {
            String ph = e.get("ph").asText();
            int pid = e.get("pid").asInt();
            if (ph.equals("M") && e.get("name").asText().equals("thread_name")) {
                if (pid == 2) threadTracks.put(e.get("tid").asInt(), e.get("args").get("name").asText());
                else carrierTracks.add(e.get("tid").asInt());
            } else if (ph.equals("X") && pid == 1) {
                assertTrue(carrierTracks.contains(e.get("tid").asInt()), "slice on an unnamed carrier track: " + e);
                assertTrue(e.get("dur").asDouble() >= 0 && e.get("ts").asDouble() >= 0, e::toString);
                slicesByThread.merge(e.get("name").asText(), 1, Integer::sum);
            } else if (ph.equals("i")) {
                preemptions++;
            }
        }
        assertEquals(2, carrierTracks.size(), "one track per carrier");
        for (String name : ProfileTargets.THREAD_NAMES) {
            assertTrue(threadTracks.values().stream().anyMatch(n -> n.startsWith(name + " #")), "no track named " + name + ": " + threadTracks.values());
            assertTrue(slicesByThread.getOrDefault(name, 0) > 0, "no slices of " + name + ": " + slicesByThread.keySet());
        }
        // 3 hogs on 2 carriers for 600 ms with 2 ms slices: dozens of slices and preemptions each.
        for (int i = 0; i < 3; i++) {
            assertTrue(slicesByThread.get("hog-" + i) >= 20, "hog-" + i + " slices: " + slicesByThread);
        }
        assertTrue(preemptions >= 50, "preemption instants: " + preemptions);
        assertTrue(slicesByThread.get("sleeper") >= 40, "the sleeper runs once per sleep: " + slicesByThread);
    }

    @Test
    void theReportEmbedsEveryThreadEscapedAndNoExternalResource() throws Exception {
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("\"hog-0\"") && html.contains("\"sleeper\""), "thread names in the data");
        // The awkward name is escaped: its </script> must not end the script early.
        assertEquals(1, html.split("</script>", -1).length - 1, "exactly one </script> in the page");
        assertTrue(html.contains("odd \\\"name\\\" \\\\ \\u003c/script\\u003e \\u003cb\\u003e\\n"), "escaped name");
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resource");
        assertTrue(run.agentLogLines().isEmpty(), "the agent is silent at warn: " + run.agentLogLines());
    }

    @Test
    void theReportRendersInAHeadlessBrowser() throws Exception {
        HeadlessBrowser browser = HeadlessBrowser.find();
        Path screenshot = Path.of(System.getProperty("preempt.it.dir", "target/it")).getParent().resolve("profile-report.png");
        HeadlessBrowser.Page page = browser.load(dir.resolve("report.html"), screenshot);
        String dom = page.dom();
        assertTrue(dom.contains("data-status=\"ok\""), "the page's script reports success:\n" + page.status() + "\n" + page.log());
        assertFalse(dom.contains("data-status=\"error\""), page::status);
        int slices = count(dom, "class=\"slice\"");
        assertTrue(slices >= 100, "timeline bars: " + slices);
        for (String id : new String[] {"timeline-svg", "wakeup-svg", "requeue-svg", "cpuThreads-svg", "cpuPriority-svg", "pastSlice-svg"}) {
            assertTrue(dom.contains("id=\"" + id + "\""), "missing plot " + id);
        }
        assertTrue(dom.contains("hog-0 #") && dom.contains("sleeper #"), "thread names in the legend and tables");
        assertTrue(dom.contains("id=\"creation-table\"") && dom.contains("(Workload.java:") && dom.contains(") new Thread"),
                "the mapped platform thread's creation site is listed");
        assertTrue(Files.size(screenshot) > 10_000, "screenshot written: " + screenshot);
    }

    @Test
    void anUnwritableReportPathStopsTheJvmAtStartWithTheKey() {
        ForkedJvm.Result r = ForkedJvm.java().agent("profile=/nonexistent-dir/report.html").classpath(classes).main("Workload", "10").run();
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("option profile=/nonexistent-dir/report.html (agent argument 1): expected a writable file path: "
                + "directory '/nonexistent-dir' does not exist"), r::toString);
        assertFalse(r.stdout().contains("done"), "the app must not run");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
