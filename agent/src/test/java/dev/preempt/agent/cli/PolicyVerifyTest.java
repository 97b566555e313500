package dev.preempt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code policy verify FILE} and {@code info --policy FILE}: a policy's syntax, what it allows, its digest and its permissions. */
class PolicyVerifyTest {
    @TempDir
    Path dir;

    private static final String POLICY = """
            {
              "schema": "preempt-cfi-policy",
              "version": 1,
              "rules": [
                {"action": "allow", "sink": "file.write", "detail": "/srv/data/**"},
                {"action": "deny", "sink": "jvm.exit", "caller": "plugins.**"}
              ],
              "sinks": [
                {"sink": "process.start", "callers": "App.runTool < App.main"}
              ],
              "calls": [
                {"site": "App.main([Ljava/lang/String;)V#0", "target": "java.lang.String.toUpperCase"}
              ]
            }
            """;

    private record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new PreemptCli()).execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void aValidPolicyIsPrintedAsWhatItAllowsWithItsDigest() throws Exception {
        Path p = Files.writeString(dir.resolve("policy.json"), POLICY);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        Run r = cli("policy", "verify", p.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith(p + ": valid (schema preempt-cfi-policy version 1), sha256:"), r.out());
        for (String line : new String[] {"  rules[0] allow file.write detail /srv/data/**", "  rules[1] deny  jvm.exit caller plugins.**",
                "  process.start     from App.runTool < App.main", "  App.main([Ljava/lang/String;)V#0 -> java.lang.String.toUpperCase",
                "permissions: only its owner can change it"}) {
            assertTrue(r.out().lines().anyMatch(line::equals), line + " in\n" + r.out());
        }
        Run info = cli("info", "--policy", p.toString());
        assertTrue(info.out().contains("cfi policy " + p + ": sha256:") && info.out().contains("(2 rules, 1 sink entries, 1 call edges)"), info.out());
        String digest = r.out().lines().findFirst().orElseThrow().replaceAll(".*(sha256:\\p{XDigit}{64}).*", "$1");
        assertTrue(info.out().contains(digest), "info and verify print the same digest");
    }

    @Test
    void anInvalidPolicyExits2WithThePosition() throws Exception {
        Path p = Files.writeString(dir.resolve("bad.json"), POLICY.replace("\"jvm.exit\"", "\"exit\""));
        Run r = cli("policy", "verify", p.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("preempt policy verify: invalid CFI policy '" + p + "' at rules[1].sink: unknown sink \"exit\""), r.err());
    }

    @Test
    void aPolicyOthersCanWriteIsValidButExits3() throws Exception {
        Path p = Files.writeString(dir.resolve("open.json"), POLICY);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
        Run r = cli("policy", "verify", p.toString());
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.out().contains("permissions: '" + p + "' is writable by others (mode 0666)"), r.out());
    }
}
