package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import net.bytebuddy.ByteBuddy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults the agent must survive without breaking the app. */
class FaultsIT {
    private static Path app;

    /** Two classes: Hog (a loop the agent polls) and App (starts a platform thread, prints what it saw). */
    private static final String APP = ForkedJvm.resource("/it/faults/App.java");

    /** A counter the other agent's advice increments: public and on the app's class path. */
    private static final String COUNTER = ForkedJvm.resource("/it/faults/Counter.java");

    /** Another agent, built on ByteBuddy as many are: advice on Hog.spin counting its calls. */
    private static final String OTHER_AGENT = ForkedJvm.resource("/it/faults/OtherAgent.java");

    private static Path otherAgentJar;

    @BeforeAll
    static void build() throws IOException {
        app = ForkedJvm.compile(25, List.of(), "App", APP, "Counter", COUNTER);
        Path byteBuddy = Path.of(ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path classes = ForkedJvm.compile(25, List.of(byteBuddy), "OtherAgent", OTHER_AGENT);
        otherAgentJar = ForkedJvm.scratch("other-agent").resolve("other-agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", "OtherAgent");
        mf.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        mf.getMainAttributes().putValue("Class-Path", byteBuddy.toUri().toString());
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(otherAgentJar), mf); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString()));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }

    private static long expected() {
        long x = 1;
        for (int i = 0; i < 1_000_000; i++) x = x * 6364136223846793005L + 1;
        return x;
    }

    /**
     * The JVM puts an agent jar on the system class path, so any class there outside preempt's own
     * packages would shadow the app's copy of a library (it did: ByteBuddy's and Jackson's multi-release
     * entries kept their original paths after relocation).
     */
    @Test
    void theAgentJarHoldsNoClassOutsidePreemptsPackages() throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(ForkedJvm.agentJar().toFile())) {
            List<String> foreign = jar.stream().map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("dev/preempt/")).toList();
            assertEquals(List.of(), foreign);
        }
    }

    @Test
    void aClassWhoseRewriteThrowsLoadsUnchangedAndTheAppGoesOn() {
        ForkedJvm.Result r = ForkedJvm.java().jvmArg("-Dpreempt_fault.transform=Hog").agent("").classpath(app).main("App").run().assertOk();
        assertTrue(r.stdout().contains("result=" + expected()), r::toString);
        assertTrue(r.stdout().contains("virtual=true"), "the rest of the app is still rewritten: " + r);
        assertEquals(1, r.agentLogLines().stream().filter(l -> l.contains("class Hog loads unchanged") && l.contains("injected transformer fault")).count(), r::toString);
    }

    /** Two virtual-thread hogs on one carrier: enough slices for the recorder to fail mid-run. */
    private static final String HOGS = ForkedJvm.resource("/it/faults/Hogs.java");

    /** The recorder runs out of memory mid-run (injected): recording stops, the app and its carriers go on. */
    @Test
    void outOfMemoryInTheRecorderStopsRecordingNotTheApp() throws IOException {
        Path classes = ForkedJvm.compile(25, List.of(), "Hogs", HOGS, "Hog", APP.substring(APP.indexOf("class Hog")));
        Path report = ForkedJvm.scratch("oom").resolve("report.html");
        ForkedJvm.Result r = ForkedJvm.java().jvmArg("-Dpreempt_fault.recorder=oom").agent("carriers=1,slice=1ms,profile=" + report)
                .classpath(classes).main("Hogs").run().assertOk();
        assertTrue(r.stdout().contains("same=true"), r::toString);
        assertTrue(r.stderr().contains("profile recording stopped: out of memory"), r::toString);
        assertTrue(Files.readString(report).contains("<title>preempt profile</title>"), "the report of what was recorded is still written");
    }

    /** Writing the report at exit fails as on a full disk (injected): logged, and the app's exit is untouched. */
    @Test
    void aFullDiskForTheReportLosesTheReportOnly() {
        Path report = ForkedJvm.scratch("full").resolve("report.html");
        ForkedJvm.Result r = ForkedJvm.java().jvmArg("-Dpreempt_fault.report=full").agent("profile=" + report)
                .classpath(app).main("App").run().assertOk();
        assertTrue(r.stdout().contains("result=" + expected()), r::toString);
        assertTrue(r.stderr().contains("could not write the profile to " + report) && r.stderr().contains("No space left on device"), r::toString);
        assertTrue(!Files.exists(report) && !Files.exists(report.resolveSibling("report.html.tmp")), "nothing half-written is left");
    }

    private static final String LEARNER = ForkedJvm.resource("/it/faults/Learner.java");

    /** cfi=learn keeps what it learned in memory: a policy file deleted mid-run is written again, whole. */
    @Test
    void aPolicyFileDeletedMidRunIsWrittenAgainAtExit() throws Exception {
        Path classes = ForkedJvm.compile(25, List.of(), "Learner", LEARNER);
        Path dir = ForkedJvm.scratch("learn");
        Path policy = dir.resolve("policy.json");
        List<String> cmd = ForkedJvm.java().agent("cfi=learn,policy=" + policy).classpath(classes).main("Learner", dir.toString()).command();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(policy) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(policy), "the periodic flush wrote the policy");
        assertTrue(Files.readString(policy).contains("file.delete"));
        Files.delete(policy);
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, out);
        assertTrue(out.contains("done"), out);
        assertTrue(Files.exists(policy) && Files.readString(policy).contains("file.delete"), "written again at exit: " + out);
    }

    @Test
    void anotherByteBuddyAgentOnTheSameClassesBeforeOrAfterPreempt() {
        for (boolean otherFirst : new boolean[] {true, false}) {
            ForkedJvm jvm = ForkedJvm.java();
            if (otherFirst) {
                jvm.jvmArg("-javaagent:" + otherAgentJar).agent("").agentLast();
            } else {
                jvm.agent("").jvmArg("-javaagent:" + otherAgentJar);
            }
            ForkedJvm.Result r = jvm.classpath(app).main("App").run().assertOk();
            assertTrue(r.stdout().contains("result=" + expected()), r::toString);
            assertTrue(r.stdout().contains("virtual=true"), "preempt's rewrite works: " + r);
            assertTrue(r.stdout().contains("calls=1"), "the other agent's advice works: " + r);
        }
    }
}
