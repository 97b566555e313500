package dev.preempt.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.preempt.runtime.telemetry.SchedulerMXBean;
import dev.preempt.runtime.telemetry.ThreadsMXBean;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code threads PID}: a dump of every thread on preempt's scheduler in a running JVM, mapped platform
 * threads first among them as the app knows them, which {@code jstack} and {@code jcmd Thread.print} cannot
 * show (they list platform threads; a carrier says only which virtual thread it carries). Read over JMX:
 * the attach API starts the target's local management agent (as {@code jcmd PID ManagementAgent.start_local}
 * does, or jconsole when it attaches), and preempt's {@code dev.preempt:type=Threads} bean answers.
 */
@Command(name = "threads", mixinStandardHelpOptions = true,
        description = "Print every thread on preempt's scheduler in a running JVM that has the agent: the app's mapped "
                + "platform threads (as the app knows them: name, id, group, daemon status, priority) and the virtual threads "
                + "it created, with state, stack, the carrier running it and its time on carriers, in a jstack-like format. "
                + "jstack and jcmd Thread.print do not show these threads. Starts the target's local JMX agent if it is not running.")
final class ThreadsCommand implements Callable<Integer> {
    /** preempt registers its beans within 250 ms of the MBean server's creation: wait a good deal longer. */
    private static final long REGISTRATION_WAIT_MILLIS = 5_000;

    @Parameters(index = "0", paramLabel = "PID", description = "process id of the target JVM")
    String pid;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException | IOException e) {
            System.err.println("preempt threads: cannot attach to process " + pid + ": " + e.getMessage());
            return 1;
        }
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = c.getMBeanServerConnection();
            ObjectName threads = new ObjectName(ThreadsMXBean.OBJECT_NAME);
            long deadline = System.currentTimeMillis() + REGISTRATION_WAIT_MILLIS;
            while (!server.isRegistered(threads)) {
                if (System.currentTimeMillis() > deadline) {
                    System.err.println("preempt threads: process " + pid + " does not run preempt's scheduler (no "
                            + ThreadsMXBean.OBJECT_NAME + " MBean after " + REGISTRATION_WAIT_MILLIS / 1000
                            + " s): start it with -javaagent:preempt-agent.jar, or attach the agent first");
                    return 1;
                }
                Thread.sleep(50);
            }
            List<CompositeData> entries = new ArrayList<>(Arrays.asList((CompositeData[]) server.getAttribute(threads, "Threads")));
            entries.sort(Comparator.comparingLong(e -> (Long) e.get("id")));
            int carriers = (Integer) server.getAttribute(new ObjectName(SchedulerMXBean.OBJECT_NAME), "Carriers");
            if (json) {
                printJson(entries, carriers, System.out);
            } else {
                printText(entries, carriers, System.out);
            }
            return 0;
        } catch (IOException | JMException e) {
            System.err.println("preempt threads: cannot read the threads of process " + pid + " over JMX: " + e);
            return 1;
        }
    }

    private void printText(List<CompositeData> entries, int carriers, PrintStream out) {
        long mapped = entries.stream().filter(e -> (Boolean) e.get("mapped")).count();
        out.printf("preempt threads of process %s: %d on preempt's scheduler (%d mapped platform threads), %d carriers%n",
                pid, entries.size(), mapped, carriers);
        for (CompositeData e : entries) {
            out.println();
            long id = (Long) e.get("id");
            long vid = (Long) e.get("virtualThreadId");
            StringBuilder head = new StringBuilder("\"").append(e.get("name")).append("\" #").append(id);
            head.append((Boolean) e.get("mapped") ? " mapped" : " virtual");
            if ((Boolean) e.get("daemon")) {
                head.append(" daemon");
            }
            head.append(" prio=").append(e.get("priority"));
            head.append(String.format(Locale.ROOT, " cpu=%.2fms", (Long) e.get("cpuNanos") / 1e6));
            if (e.get("group") != null) {
                head.append(" group=").append(e.get("group"));
            }
            head.append(" carrier=").append(e.get("carrier") != null ? e.get("carrier") : "none");
            if (vid != id) {
                head.append(" virtual-thread=#").append(vid);
            }
            out.println(head);
            out.println("   java.lang.Thread.State: " + e.get("state"));
            String[] stack = (String[]) e.get("stack");
            for (int i = 0; i < stack.length; i++) {
                out.println("\tat " + stack[i]);
                if (i == 0 && e.get("waitingFor") != null) {
                    out.println("\t- parking to wait for <" + e.get("waitingFor") + ">");
                }
            }
        }
    }

    private void printJson(List<CompositeData> entries, int carriers, PrintStream out) throws IOException {
        List<Map<String, Object>> threads = new ArrayList<>();
        for (CompositeData e : entries) {
            Map<String, Object> t = new LinkedHashMap<>();
            for (String k : List.of("name", "id", "virtualThreadId", "mapped", "state", "priority", "daemon", "group", "carrier", "cpuNanos",
                    "waitingFor", "stack")) {
                t.put(k, e.get(k));
            }
            threads.add(t);
        }
        Map<String, Object> dump = new LinkedHashMap<>();
        dump.put("pid", pid);
        dump.put("carriers", carriers);
        dump.put("threads", threads);
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(dump));
    }
}
