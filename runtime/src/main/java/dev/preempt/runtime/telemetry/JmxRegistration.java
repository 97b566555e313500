package dev.preempt.runtime.telemetry;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Registers the scheduler's MXBean once the JVM's platform MBean server exists, and never creates that
 * server itself: creating it costs about 130 ms and 0.2 s of CPU at start-up (measured here, JDK 25), which
 * every app would pay for a bean few look at. Whoever wants JMX creates it (a JMX agent, jconsole or
 * VisualVM attaching, a monitoring library, the app), and a daemon thread that looks every 250 ms
 * (0.1 ms, once, to load the check) registers the beans within a quarter second of that.
 */
public final class JmxRegistration {
    private static final long CHECK_MILLIS = 250;

    private JmxRegistration() {}

    /** Starts watching for the platform MBean server; registers {@code beans} (object name to bean) when it appears. */
    public static void registerWhenServerExists(Map<String, Object> beans) {
        Thread t = new Thread(null, () -> watch(beans), "preempt-jmx", 0, false);
        t.setDaemon(true);
        t.start();
    }

    private static void watch(Map<String, Object> beans) {
        try {
            // findMBeanServer lists the servers made through MBeanServerFactory, which is how the platform
            // server is made; it never makes one.
            while (MBeanServerFactory.findMBeanServer(null).isEmpty()) {
                Thread.sleep(CHECK_MILLIS);
            }
            for (Map.Entry<String, Object> b : beans.entrySet()) {
                ManagementFactory.getPlatformMBeanServer().registerMBean(b.getValue(), new ObjectName(b.getKey()));
                PreemptLog.debug("registered " + b.getKey());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | LinkageError e) {
            // LinkageError: a runtime image without java.management
            PreemptLog.info("preempt's MXBeans not registered: " + e);
        }
    }
}
