package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./preempt demo cfi}: the launcher run as the script runs it ({@code java -cp preempt-samples.jar
 * DemoLauncher JAVA AGENT_JAR cfi}), with the old libraries found in {@code lib/} beside the samples jar.
 */
class CfiDemoIT {
    private static final String LAUNCHER = "dev.preempt.samples.DemoLauncher";

    private static ForkedJvm.Result demo(Path samplesJar) {
        return ForkedJvm.java().classpath(samplesJar)
                .main(LAUNCHER, System.getProperty("preempt.java"), ForkedJvm.agentJar().toString(), "cfi")
                .timeout(Duration.ofMinutes(5)).run();
    }

    @Test
    void theCfiDemoShowsBothAttacksWorkingStockAndRefusedUnderEnforce() {
        ForkedJvm.Result r = demo(ForkedJvm.samplesJar()).assertOk();
        List<String> lines = r.stdout().lines().toList();
        for (String row : List.of(
                "gadget  stock, attack  marker file  present  ok",
                "gadget  cfi=learn, benign  policy  written  ok",
                "gadget  cfi=enforce, attack  attack  refused  ok",
                "gadget  cfi=enforce, attack  marker file  absent  ok",
                "gadget  cfi=enforce, attack  own Runtime.exec exit  0  ok",
                "gadget  cfi=enforce  audit log  1 deny  ok",
                "log4j  stock, ${jndi:...}  listener connections  1  ok",
                "log4j  cfi=learn, ordinary  policy  written  ok",
                "log4j  cfi=enforce, ${jndi:...}  listener connections  0  ok",
                "log4j  cfi=enforce, next request  logged  yes  ok",
                "log4j  cfi=enforce  audit log  1 deny  ok")) {
            assertTrue(lines.stream().anyMatch(row(row)), "row '" + row + "' in:\n" + r);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"what\":\"deserialize.class\"") && l.contains("\"detail\":\"java.lang.Runtime\"")),
                "the gadget's audit record is printed: " + r);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"what\":\"jndi.lookup\"") && l.contains("ldap://127.0.0.1:")),
                "the log4j audit record is printed: " + r);
        assertEquals("OK", lines.get(lines.size() - 1), r::toString);
    }

    /** A table row: the given cells, in order, separated by any run of spaces. */
    private static Predicate<String> row(String cells) {
        String regex = "\\s*" + String.join("\\s+", Arrays.stream(cells.split(" {2}")).map(Pattern::quote).toList()) + "\\s*";
        return Pattern.compile(regex).asMatchPredicate();
    }

    @Test
    void withoutTheLibraryJarsBesideTheSamplesJarTheDemoStopsWithOneLine() throws IOException {
        Path alone = ForkedJvm.scratch("cfi-demo-nolib").resolve("preempt-samples.jar");
        Files.copy(ForkedJvm.samplesJar(), alone);
        ForkedJvm.Result r = demo(alone);
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(List.of("FAILED: no library jars in " + alone.getParent().resolve("lib")
                + " (the build copies them there: run ./preempt build)"), r.stdout().lines().toList());
    }
}
