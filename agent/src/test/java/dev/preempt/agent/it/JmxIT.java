package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scheduler's MXBean, read by the app from its own platform MBean server. */
class JmxIT {
    private static final String READER = """
            import java.lang.management.ManagementFactory;
            import javax.management.*;
            import java.util.concurrent.atomic.AtomicLong;
            public class Reader {
                static volatile boolean stop;
                public static void main(String[] a) throws Exception {
                    ObjectName name = new ObjectName("dev.preempt:type=Scheduler");
                    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                    Thread[] hogs = new Thread[3];
                    for (int i = 0; i < hogs.length; i++) hogs[i] = Thread.ofVirtual().start(() -> {
                        long x = 1; while (!stop) { for (int k = 0; k < 1000; k++) x = x * 31 + k; }
                        if (x == 42) System.out.println();
                    });
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (!server.isRegistered(name) && System.nanoTime() < deadline) Thread.sleep(20);
                    Thread.sleep(300);
                    for (String attr : new String[] {"ThreadsStarted", "ThreadsLive", "Preemptions", "Ticks", "QueueLength", "Carriers",
                            "SliceMicros", "TimeToSafepointP99Micros", "Recording", "WakeupLatencyP99Micros", "PinnedYields"}) {
                        System.out.println(attr + "=" + server.getAttribute(name, attr));
                    }
                    stop = true;
                    for (Thread t : hogs) t.join();
                }
            }
            """;

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
