package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code attach PID}: the agent loaded into a JVM that is already running, its loaded classes rewritten. */
class AttachIT {

    /** Waits for a signal file, then runs two CPU hogs on virtual threads and reports who progressed. */
    private static final String TARGET = ForkedJvm.resource("/it/attach/Target.java");

    @Test
    void attachingToARunningJvmTimeSlicesItsNewVirtualThreadsAndASecondAttachChangesNothing() throws Exception {
        Path classes = ForkedJvm.compile(25, "Target", TARGET);
        Path signal = ForkedJvm.scratch("attach").resolve("go");
        // One JDK carrier: without preempt the first hog would keep it and the second never run.
        String all;
        try (ForkedJvm.Target target = ForkedJvm.java().jvmArg("-XX:+EnableDynamicAgentLoading",
                "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1")
                .classpath(classes).main("Target", signal.toString()).start()) {
            target.readUntil("ready");
            ForkedJvm.Result attach = ForkedJvm.java().jar(ForkedJvm.agentJar(), "attach", String.valueOf(target.pid()),
                    "carriers=1,slice=2ms,log=info").run().assertOk();
            assertTrue(attach.stdout().contains("preempt agent loaded into process " + target.pid()), attach::toString);
            // Attaching twice is harmless: the second load says so in the target's log and changes nothing.
            ForkedJvm.java().jar(ForkedJvm.agentJar(), "attach", String.valueOf(target.pid()), "carriers=2").run().assertOk();
            Files.writeString(signal, "go");
            int exit = target.finish();
            all = String.join("\n", target.output());
            assertEquals(0, exit, all);
        }
        assertTrue(all.contains("attached: ") && all.contains(" rewritten"), all);
        assertTrue(all.contains("agent loaded twice into this JVM; the second load does nothing"), all);
        assertTrue(all.contains("progressed=2"), "both hogs share the one carrier after the attach:\n" + all);
    }

    @Test
    void badOptionsAreRefusedBeforeAttaching() {
        ForkedJvm.Result r = ForkedJvm.java().jar(ForkedJvm.agentJar(), "attach", "1", "slise=2ms").run();
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("unknown option 'slise'"), r::toString);
    }
}
