package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code attach PID --duration D profile=... trace=...}: a report from a JVM that keeps running. */
class AttachProfileIT {

    @Test
    void attachingForADurationWritesTheReportWhileTheAppRunsOn() throws Exception {
        Path classes = ProfileTargets.compile();
        Path dir = ForkedJvm.scratch("attach-profile");
        Path go = dir.resolve("go");
        // The workload runs 3 s after the signal, then stays alive 3 s more: the profile ends (2 s) before it.
        try (ForkedJvm.Target target = ForkedJvm.java().jvmArg("-XX:+EnableDynamicAgentLoading").classpath(classes)
                .main("Workload", "3000", "wait", go.toString(), "3000").start()) {
            target.readUntil("ready");
            Path report = dir.resolve("report.html"), trace = dir.resolve("trace.json");
            List<String> cmd = ForkedJvm.java().jar(ForkedJvm.agentJar(), "attach", String.valueOf(target.pid()), "--duration", "2s",
                    "carriers=2,slice=2ms,profile=" + report + ",trace=" + trace).command();
            Process attach = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> attachOutput = new ArrayList<>();
            try (BufferedReader a = new BufferedReader(new InputStreamReader(attach.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = a.readLine()) != null; ) {
                    attachOutput.add(l);
                    if (l.startsWith("preempt agent loaded into process")) {
                        Files.writeString(go, "go"); // classes retransformed: the threads it starts now are preempt's
                    }
                }
            }
            assertTrue(attach.waitFor(60, TimeUnit.SECONDS), "attach ended");
            String said = String.join("\n", attachOutput);
            assertEquals(0, attach.exitValue(), said);
            assertTrue(said.contains("written: " + report) && said.contains("written: " + trace), said);
            assertTrue(target.isAlive(), "the app runs on after the profile");
            JsonNode events = new ObjectMapper().readTree(trace.toFile()).get("traceEvents");
            List<String> named = new ArrayList<>();
            int slices = 0;
            for (JsonNode e : events) {
                if (e.get("ph").asText().equals("M") && e.get("pid").asInt() == 2) named.add(e.get("args").get("name").asText());
                if (e.get("ph").asText().equals("X")) slices++;
            }
            for (String name : List.of("hog-0", "hog-1", "hog-2", "sleeper")) {
                assertTrue(named.stream().anyMatch(n -> n.startsWith(name + " #")), name + " not in " + named);
            }
            assertTrue(slices >= 100, "slices: " + slices);
            String html = Files.readString(report);
            assertTrue(html.contains("\"hog-0\"") && html.contains("Workload"), "report names the threads and the app");
            int exit = target.finish();
            assertEquals(0, exit, String.join("\n", target.output()));
            assertTrue(target.output().contains("done"), String.join("\n", target.output()));
        }
    }

    @Test
    void aDurationWithoutAnOutputIsRefusedBeforeAttaching() {
        ForkedJvm.Result r = ForkedJvm.java().jar(ForkedJvm.agentJar(), "attach", "1", "--duration", "2s", "slice=2ms").run();
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("--duration 2s needs profile=FILE or trace=FILE"), r::toString);
    }
}
