package dev.preempt.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.preempt.runtime.profile.Arrival;
import dev.preempt.runtime.profile.ProfileSnapshot;
import dev.preempt.runtime.profile.RunEnd;
import dev.preempt.runtime.profile.LatencyHistogram;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceWriterTest {

    static ProfileSnapshot twoThreadsOnTwoCarriers() {
        List<ProfileSnapshot.ThreadRow> threads = List.of(
                new ProfileSnapshot.ThreadRow(0, 21, "worker \"a\"", 5, 0, -1, 2_000_000, 1, 1, 0, 0, 0, 0),
                new ProfileSnapshot.ThreadRow(1, 22, "b", 8, 0, 3_000_000, 1_000_000, 1, 0, 0, 1, 0, 0));
        List<ProfileSnapshot.CarrierRow> carriers = List.of(new ProfileSnapshot.CarrierRow(0, "preempt-carrier-0", 2_000_000, 1, 0),
                new ProfileSnapshot.CarrierRow(1, "preempt-carrier-1", 1_000_000, 1, 0));
        List<ProfileSnapshot.Slice> slices = List.of(
                new ProfileSnapshot.Slice(0, 0, 1_000, 2_001_000, 0, 5, Arrival.NEW, RunEnd.PREEMPTED),
                new ProfileSnapshot.Slice(1, 1, 2_000_000, 3_000_000, 1_999_000, 8, Arrival.NEW, RunEnd.BLOCKED));
        return new ProfileSnapshot(0, 4_000_000, 2_000_000, 200_000, threads, carriers, slices, new LatencyHistogram(),
                new LatencyHistogram(), new LatencyHistogram(), new long[11], List.of(), 0, 0, List.of());
    }

    @Test
    void slicesAreCompleteEventsOnTheirCarrierAndThreadTracksWithAPreemptionInstant() throws Exception {
        StringWriter w = new StringWriter();
        TraceWriter.write(twoThreadsOnTwoCarriers(), "App (pid 1)", w);
        JsonNode events = new ObjectMapper().readTree(w.toString()).get("traceEvents");
        int complete = 0, instants = 0, names = 0;
        for (JsonNode e : events) {
            switch (e.get("ph").asText()) {
                case "M" -> names++;
                case "X" -> {
                    complete++;
                    if (e.get("pid").asInt() == TraceWriter.CARRIERS_PID && e.get("name").asText().equals("worker \"a\"")) {
                        assertEquals(1, e.get("tid").asInt(), "carrier 0 is track 1");
                        assertEquals(1.0, e.get("ts").asDouble());
                        assertEquals(2000.0, e.get("dur").asDouble());
                        assertEquals("PREEMPTED", e.get("args").get("end").asText());
                    }
                }
                case "i" -> {
                    instants++;
                    assertEquals(2001.0, e.get("ts").asDouble(), "at the end of the preempted slice");
                }
                default -> throw new AssertionError("unexpected event " + e);
            }
        }
        assertEquals(2 + 2 + 2, names, "2 processes, 2 carriers, 2 threads");
        assertEquals(4, complete, "each slice on its carrier's and its thread's track");
        assertEquals(1, instants);
    }
}
