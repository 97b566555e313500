package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scheduler's MXBean, read by the app from its own platform MBean server. */
class JmxIT {
    private static final String READER = ForkedJvm.resource("/it/jmx/Reader.java");

    @Test
    void theSchedulerBeanAppearsOnceTheAppMakesThePlatformServerAndCountsLive() {
        Path classes = ForkedJvm.compile(25, "Reader", READER);
        ForkedJvm.Result r = ForkedJvm.java().agent("carriers=1,slice=2ms").classpath(classes).main("Reader").run().assertOk();
        Map<String, String> v = new HashMap<>();
        r.stdout().lines().filter(l -> l.contains("=")).forEach(l -> v.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertTrue(Long.parseLong(v.get("ThreadsStarted")) >= 3, r::toString);
        assertTrue(Long.parseLong(v.get("ThreadsLive")) >= 3, r::toString);
        assertTrue(Long.parseLong(v.get("Preemptions")) >= 20, "3 hogs on 1 carrier for 300 ms at 2 ms slices: " + r);
        assertTrue(Long.parseLong(v.get("Ticks")) > 0, r::toString);
        assertTrue(Integer.parseInt(v.get("QueueLength")) >= 1, "2 of 3 hogs wait at any time: " + r);
        assertEquals("1", v.get("Carriers"));
        assertEquals("2000", v.get("SliceMicros"));
        assertEquals("false", v.get("Recording"));
        assertEquals("-1", v.get("WakeupLatencyP99Micros"), "no wake-up latencies unless recording");
    }
}
