package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The short soak CI runs (scripts/soak.sh runs the same program for minutes): mixed hogs, parkers, monitor
 * users, socket I/O, sleepers and thread churn, all mapped, on one and two carriers; the program checks
 * its own invariants (every thread ends, every activity progresses in every 3 s window, counters add up).
 */
class SoakIT {
    @ParameterizedTest
    @ValueSource(strings = {"carriers=1,slice=1ms", "carriers=2"})
    void invariantsHold(String options) {
        ForkedJvm.Result r = ForkedJvm.java().agent(options).classpath(ForkedJvm.samplesJar())
                .main("dev.preempt.samples.soak.Soak", "12").timeout(Duration.ofSeconds(90)).run();
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("violations=0"), r::toString);
        assertTrue(r.stdout().contains("threadsJoined=110/110"), r::toString);
    }
}
