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
