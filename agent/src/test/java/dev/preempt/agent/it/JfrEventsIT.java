package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** preempt's JFR events in a real recording, read back with {@link RecordingFile}. */
class JfrEventsIT {

    @Test
    void aRecordingHoldsSlicesOfEveryThreadPreemptionsAndWakeUpLatencies() throws Exception {
        Path classes = ProfileTargets.compile();
        Path jfr = ForkedJvm.scratch("jfr").resolve("run.jfr");
        // Slice and WakeupLatency are off by default (one event per switch); enabled as any JFR event is.
        ForkedJvm.java().agent("carriers=1,slice=2ms")
                .jvmArg("-XX:StartFlightRecording:filename=" + jfr + ",+dev.preempt.Slice#enabled=true,+dev.preempt.WakeupLatency#enabled=true")
                .classpath(classes).main("Workload", "600").run().assertOk();
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        Map<String, Integer> slicesByThread = new HashMap<>();
        Map<String, Integer> ends = new HashMap<>();
        int preemptions = 0, wakeups = 0, late = 0;
        for (RecordedEvent e : events) {
            switch (e.getEventType().getName()) {
                case "dev.preempt.Slice" -> {
                    RecordedThread t = e.getThread("virtualThread");
                    assertTrue(t.isVirtual(), e::toString);
                    assertEquals("preempt-carrier-0", e.getString("carrier"));
                    assertTrue(e.getDuration().toNanos() >= 0, e::toString);
                    slicesByThread.merge(t.getJavaName(), 1, Integer::sum);
                    ends.merge(e.getString("end"), 1, Integer::sum);
                }
                case "dev.preempt.Preemption" -> preemptions++;
                case "dev.preempt.WakeupLatency" -> {
                    wakeups++;
                    assertTrue(e.getDuration("latency").toNanos() >= 0, e::toString);
                }
                case "dev.preempt.LateSafepoint" -> {
                    late++;
                    assertTrue(e.getString("site").startsWith("Workload."), e::toString);
                    assertTrue(e.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().equals("Workload")), e::toString);
                }
                default -> { }
            }
        }
        for (String name : ProfileTargets.THREAD_NAMES) {
            assertTrue(slicesByThread.getOrDefault(name, 0) > 0, "no slice events of " + name + ": " + slicesByThread.keySet());
        }
        // Each preemption (committed by the thread at its poll) ends a slice (committed for the carrier): the
        // slices that end in a preemption are the ones JDK 25 lost when the carrier committed them itself.
        int preempted = ends.getOrDefault("PREEMPTED", 0);
        assertTrue(preemptions >= 50, "preemptions: " + preemptions);
        assertTrue(preempted >= preemptions * 9 / 10, "slices ending in a preemption " + preempted + " vs preemptions " + preemptions);
        assertTrue(ends.getOrDefault("BLOCKED", 0) >= 40, "the sleeper's slices end blocked: " + ends);
        assertTrue(wakeups >= 40, "wake-up latency events: " + wakeups);
        assertTrue(late >= 0);
    }
}
