package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mapped threads stay visible ({@code threads=map}, the default): the program {@code VisibleThreads} (a
 * thread asleep in its own group, a {@code Thread} subclass in a monitor wait, a thread in a CPU loop at
 * priority 7) looks for them through every API that enumerates threads, and prints the same with the agent
 * as without it; then the JDK's dump tools and {@code threads PID} look at the running JVM.
 */
class VisibleThreadsIT {
    private static final List<String> NAMES = List.of("vis-sleeper", "vis-waiter", "vis-spinner");
    private static Path classes;

    @BeforeAll
    static void compile() {
        classes = ForkedJvm.compile(25, "VisibleThreads", ForkedJvm.resource("/it/VisibleThreads.java"));
    }

    @Test
    void everyEnumerationApiFindsMappedThreadsWithStackAndStateAsOnTheStockJvm() {
        Map<String, String> stock = facts(ForkedJvm.java().classpath(classes).main("VisibleThreads").run().assertOk());
        Map<String, String> agent = facts(ForkedJvm.java().agent("").classpath(classes).main("VisibleThreads").run().assertOk());
        // What the stock JVM answers, written out, so that the comparison below cannot pass by both failing.
        for (String n : NAMES) {
            for (String api : List.of("ThreadGroup.enumerate", "Thread.enumerate", "getAllThreadIds")) {
                assertEquals("true", stock.get(n + "." + api), n + "." + api + " in " + stock);
            }
        }
        assertEquals("java.lang.Thread.sleep,VisibleThreads.sleepLong", stock.get("vis-sleeper.getAllStackTraces"));
        assertEquals("vis-waiter WAITING prio=5 daemon=true stack=java.lang.Object.wait,java.lang.Object.wait,VisibleThreads$Waiter.run",
                stock.get("vis-waiter.getThreadInfo(id,depth)"));
        assertEquals("vis-spinner RUNNABLE prio=7 daemon=true stack=VisibleThreads.spin", stock.get("vis-spinner.dumpAllThreads"));
        assertEquals("vis-sleeper TIMED_WAITING prio=5 daemon=true stack=java.lang.Thread.sleep,VisibleThreads.sleepLong",
                stock.get("vis-sleeper.getThreadInfo(ids,true,true)"));
        assertEquals("3", stock.get("activeCount.main.delta"));
        assertEquals("3", stock.get("getThreadCount.delta"));
        assertEquals("true", stock.get("vis-spinner.getCurrentThreadCpuTime.positive"));
        assertEquals(36, stock.size(), stock.toString());
        assertEquals(stock, agent);
    }

    @Test
    void threadsVerbShowsMappedThreadsThatJstackCannotAndThreadDumpToFileShowsThemAsVirtualThreads() throws Exception {
        Path dir = ForkedJvm.scratch("visible");
        Path signal = dir.resolve("go");
        Path bin = Path.of(System.getProperty("preempt.java")).getParent();
        try (ForkedJvm.Target target = ForkedJvm.java().agent("").classpath(classes).main("VisibleThreads", signal.toString()).start()) {
            String pid = String.valueOf(target.pid());
            List<String> output = target.readUntil("ready");
            String spinnerId = output.stream().filter(l -> l.startsWith("vis-spinner.id=")).findFirst().orElseThrow().substring(15);

            // jstack and jcmd Thread.print list platform threads: no mapped thread is there by name, and one that
            // is not on a carrier not at all; a carrier shows the virtual thread mounted on it by id, with its frames.
            for (List<String> tool : List.of(List.of(bin.resolve("jstack").toString(), pid),
                    List.of(bin.resolve("jcmd").toString(), pid, "Thread.print"))) {
                String dump = exec(tool);
                assertTrue(dump.contains("\"preempt-carrier-0\""), dump);
                for (String n : NAMES) {
                    assertFalse(dump.contains(n), tool + " shows " + n + ":\n" + dump);
                }
                assertFalse(dump.contains("VisibleThreads.sleepLong") || dump.contains("VisibleThreads$Waiter.run"), dump);
                assertEquals(dump.contains("Mounted virtual thread #" + spinnerId), dump.contains("VisibleThreads.spin"), dump);
            }

            // jcmd Thread.dump_to_file lists virtual threads: each mapped one by name, state and stack, with the
            // virtual thread's id (for a Thread subclass, its shadow's, not the app's object's).
            Path json = dir.resolve("dump.json");
            exec(List.of(bin.resolve("jcmd").toString(), pid, "Thread.dump_to_file", "-format=json", json.toString()));
            Map<String, JsonNode> virtual = new TreeMap<>();
            for (JsonNode c : new ObjectMapper().readTree(json.toFile()).path("threadDump").path("threadContainers")) {
                for (JsonNode t : c.path("threads")) {
                    if (NAMES.contains(t.path("name").asText())) {
                        virtual.put(t.path("name").asText(), t);
                    }
                }
            }
            assertEquals(NAMES.stream().sorted().toList(), List.copyOf(virtual.keySet()), virtual::toString);
            assertEquals("TIMED_WAITING", virtual.get("vis-sleeper").path("state").asText());
            assertTrue(virtual.get("vis-sleeper").path("stack").toString().contains("VisibleThreads.sleepLong"));
            assertEquals("WAITING", virtual.get("vis-waiter").path("state").asText());
            assertTrue(virtual.get("vis-waiter").path("stack").toString().contains("VisibleThreads$Waiter.run"));
            assertTrue(virtual.get("vis-spinner").path("stack").toString().contains("VisibleThreads.spin"));
            assertTrue(virtual.values().stream().allMatch(t -> t.path("virtual").asBoolean()));

            // threads PID: the app's view (its object's id, group, daemon, priority) plus carrier and time on carriers.
            ForkedJvm.Result text = ForkedJvm.java().jar(ForkedJvm.agentJar(), "threads", pid).run().assertOk();
            String s = text.stdout();
            assertTrue(s.contains("3 mapped platform threads"), s);
            assertTrue(Pattern.compile("\"vis-sleeper\" #\\d+ mapped daemon prio=5 cpu=[\\d.]+ms group=vis-group carrier=none\n"
                    + "   java.lang.Thread.State: TIMED_WAITING\n(\tat .*\n)*\tat VisibleThreads.sleepLong").matcher(s).find(), s);
            assertTrue(Pattern.compile("\"vis-waiter\" #\\d+ mapped daemon prio=5 cpu=[\\d.]+ms group=main carrier=none virtual-thread=#\\d+\n"
                    + "   java.lang.Thread.State: WAITING\n(\tat .*\n)*\tat VisibleThreads\\$Waiter.run").matcher(s).find(), s);
            Matcher spinner = Pattern.compile("\"vis-spinner\" #" + spinnerId + " mapped daemon prio=7 cpu=([\\d.]+)ms group=main carrier=\\S+\n"
                    + "   java.lang.Thread.State: RUNNABLE\n(\tat .*\n)*\tat VisibleThreads.spin").matcher(s);
            assertTrue(spinner.find(), s);
            assertTrue(Double.parseDouble(spinner.group(1)) > 0, s);

            JsonNode threads = new ObjectMapper().readTree(ForkedJvm.java().jar(ForkedJvm.agentJar(), "threads", pid, "--json").run().assertOk().stdout())
                    .path("threads");
            JsonNode waiter = null;
            for (JsonNode t : threads) {
                if (t.path("name").asText().equals("vis-waiter")) {
                    waiter = t;
                }
            }
            assertTrue(waiter != null, threads::toString);
            assertEquals(output.stream().filter(l -> l.startsWith("vis-waiter.id=")).findFirst().orElseThrow().substring(14), waiter.path("id").asText());
            assertTrue(waiter.path("mapped").asBoolean() && waiter.path("stack").toString().contains("Object.wait"), waiter::toString);

            Files.writeString(signal, "go");
            assertEquals(0, target.finish(), String.join("\n", target.output()));
            assertTrue(target.output().contains("done"), String.join("\n", target.output()));
        }
    }

    @Test
    void threadsVerbSaysWhenTheTargetDoesNotRunPreempt() throws Exception {
        Path dir = ForkedJvm.scratch("visible-stock");
        Path signal = dir.resolve("go");
        try (ForkedJvm.Target target = ForkedJvm.java().classpath(classes).main("VisibleThreads", signal.toString()).start()) {
            target.readUntil("ready");
            ForkedJvm.Result r = ForkedJvm.java().jar(ForkedJvm.agentJar(), "threads", String.valueOf(target.pid())).run();
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("does not run preempt's scheduler"), r::toString);
            Files.writeString(signal, "go");
            assertEquals(0, target.finish(), String.join("\n", target.output()));
        }
    }

    private static Map<String, String> facts(ForkedJvm.Result r) {
        Map<String, String> m = new TreeMap<>();
        for (String l : r.stdout().lines().toList()) {
            int eq = l.indexOf('=');
            if (eq > 0 && !l.contains(".id=")) {
                m.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return m;
    }

    private static String exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command::toString);
        assertEquals(0, p.exitValue(), command + ":\n" + out);
        return out;
    }
}
