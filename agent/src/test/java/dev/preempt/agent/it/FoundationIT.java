package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The agent attaches to real programs, old bytecode included, and stays out of their output. */
class FoundationIT {

    private static final String LEGACY = "dev.preempt.samples.legacy.LegacyReportJob";

    @Test
    void legacyJobCompiledForJava8IsClassFileVersion52() throws IOException {
        try (JarFile jar = new JarFile(ForkedJvm.samplesJar().toFile());
             DataInputStream in = new DataInputStream(jar.getInputStream(jar.getEntry(LEGACY.replace('.', '/') + ".class")))) {
            assertEquals(0xCAFEBABE, in.readInt());
            in.readUnsignedShort();
            assertEquals(52, in.readUnsignedShort(), "the legacy sample must be Java 8 bytecode");
        }
    }

    @Test
    void legacyJobUnderTheAgentPrintsExactlyWhatItPrintsStock() {
        ForkedJvm.Result stock = ForkedJvm.java().classpath(ForkedJvm.samplesJar()).main(LEGACY, "3", "20000").run().assertOk();
        ForkedJvm.Result agent = ForkedJvm.java().agent("").classpath(ForkedJvm.samplesJar()).main(LEGACY, "3", "20000").run().assertOk();
        assertTrue(stock.stdout().contains("total primes: 6057"), stock::toString);
        assertEquals(stock.stdout(), agent.stdout());
        assertEquals(List.of(), agent.stderrLines(), "the agent is silent at the default log level");
    }

    @Test
    void legacyClassesAreInstrumentedAtLoad() {
        ForkedJvm.Result r = ForkedJvm.java().agent("log=debug").classpath(ForkedJvm.samplesJar()).main(LEGACY, "2", "1000").run().assertOk();
        assertTrue(r.stderr().contains("instrumented " + LEGACY), r::toString);
        assertFalse(r.stdout().contains("[preempt"), "the agent log never goes to stdout");
    }

    @Test
    void runtimeClassIsOneClassWhicheverLoaderAsks() {
        // Compiled for Java 8: reflection only, so the program runs on old bytecode with no compile-time link to preempt.
        String src = ForkedJvm.resource("/it/foundation/SameClass.java");
        var classes = ForkedJvm.compile(8, "SameClass", src);
        ForkedJvm.Result r = ForkedJvm.java().agent("").classpath(classes).main("SameClass").run().assertOk();
        assertTrue(r.stdout().contains("loader=null"), r::toString);
        assertTrue(r.stdout().contains("same=true"), r::toString);
        assertTrue(r.stdout().contains("started=true"), r::toString);
        assertTrue(r.stdout().contains("agentLoader=true"), r::toString);
    }

    /**
     * The agent opens JDK internals to preempt's runtime only: the app's classes (which share the system
     * loader's unnamed module with the agent jar) are refused exactly as on the stock JVM. Before, the
     * opens went to the agent's module too, and commons-lang3's CompareToBuilderTest read String.value.
     */
    @Test
    void theAppGetsNoDeepAccessToTheJdkThatItLacksStock() {
        String src = ForkedJvm.resource("/it/foundation/DeepAccess.java");
        var classes = ForkedJvm.compile(8, "DeepAccess", src);
        ForkedJvm.Result stock = ForkedJvm.java().classpath(classes).main("DeepAccess").run().assertOk();
        ForkedJvm.Result agent = ForkedJvm.java().agent("").classpath(classes).main("DeepAccess").run().assertOk();
        assertTrue(stock.stdout().contains("java.lang=refused"), stock::toString);
        assertEquals(stock.stdout(), agent.stdout(), "what the app may open, stock vs under the agent");
    }

    @Test
    void excludedClassesAreNotInstrumented() {
        ForkedJvm.Result r = ForkedJvm.java().agent("log=debug,exclude=dev.preempt.samples.legacy.**")
                .classpath(ForkedJvm.samplesJar()).main(LEGACY, "1", "100").run().assertOk();
        assertFalse(r.stderr().contains("instrumented " + LEGACY), r::toString);
    }

    @Test
    void logFileTakesTheAgentLogAndStderrStaysClean() throws IOException {
        var dir = ForkedJvm.scratch("log");
        var log = dir.resolve("agent.log");
        ForkedJvm.Result r = ForkedJvm.java().agent("log=info,log.file=" + log).classpath(ForkedJvm.samplesJar())
                .main(LEGACY, "1", "100").run().assertOk();
        assertEquals(List.of(), r.stderrLines());
        assertTrue(java.nio.file.Files.readString(log).contains("started on JDK"));
    }

    @Test
    void infoNamesVersionJdkArchTimersAndDefaults() {
        ForkedJvm.Result r = ForkedJvm.java().jar(ForkedJvm.agentJar(), "info").run().assertOk();
        String out = r.stdout();
        assertTrue(out.startsWith("preempt 0."), out);
        assertTrue(out.contains("jdk       25"), out);
        assertTrue(out.contains("arch      " + System.getProperty("os.arch")), out);
        assertTrue(out.contains("java     available"), out);
        assertTrue(out.contains("timer=auto selects:"), out);
        assertTrue(out.contains("slice          10ms"), out);
    }

    @Test
    void verifyInstrumentsAndVerifiesEveryClassOfAJar() {
        // the samples and the library the gadget sample's own code is typed against, as a user verifies an app and its libraries
        String collections = Path.of(System.getProperty("preempt.cfi.libs"), "commons-collections-3.1.jar").toString();
        ForkedJvm.Result r = ForkedJvm.java().jar(ForkedJvm.agentJar(), "verify", ForkedJvm.samplesJar().toString(), collections).run().assertOk();
        assertTrue(r.stdout().matches("(?s)classes \\d+, rewritten [1-9]\\d*, methods verified [1-9]\\d*, failures 0, unverifiable 0.*"), r::toString);
        assertTrue(r.stdout().contains("52="), "the legacy classes are Java 8 bytecode: " + r.stdout());
        ForkedJvm.Result missing = ForkedJvm.java().jar(ForkedJvm.agentJar(), "verify", "/nonexistent.jar").run();
        assertEquals(2, missing.exitCode(), missing::toString);
    }

    @Test
    void everyVerbHasHelp() {
        ForkedJvm.Result top = ForkedJvm.java().jar(ForkedJvm.agentJar(), "--help").run().assertOk();
        assertTrue(top.stdout().contains("info") && top.stdout().contains("verify"), top::toString);
        for (String verb : new String[] {"verify", "attach", "threads"}) {
            ForkedJvm.Result help = ForkedJvm.java().jar(ForkedJvm.agentJar(), verb, "--help").run().assertOk();
            assertTrue(help.stdout().contains("Usage: preempt-agent.jar " + verb), help::toString);
        }
        ForkedJvm.Result info = ForkedJvm.java().jar(ForkedJvm.agentJar(), "info", "--help").run().assertOk();
        assertTrue(info.stdout().contains("Usage: preempt-agent.jar info"), info::toString);
        ForkedJvm.Result bad = ForkedJvm.java().jar(ForkedJvm.agentJar(), "frobnicate").run();
        assertEquals(2, bad.exitCode(), bad::toString);
    }
}
