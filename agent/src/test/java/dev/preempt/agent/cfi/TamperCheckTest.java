package dev.preempt.agent.cfi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cfi=enforce's ssh-like check: a policy or audit log that group or others can change, or whose directory they can, is refused. */
class TamperCheckTest {
    @TempDir
    Path dir;

    @Test
    void aFileOnlyItsOwnerCanWriteInADirectoryOnlyItsOwnerCanWritePasses() throws Exception {
        Path p = Files.writeString(dir.resolve("policy.json"), "{}");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.empty(), TamperCheck.problem(p));
        assertEquals(Optional.empty(), TamperCheck.problem(dir.resolve("not-yet.jsonl")), "a log not created yet: its directory decides");
    }

    @Test
    void aWorldOrGroupWritableFileIsNamedWithItsModeAndTheFix() throws Exception {
        Path p = Files.writeString(dir.resolve("policy.json"), "{}");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(Optional.of("'" + p + "' is writable by others (mode 0666): chmod go-w '" + p + "'"), TamperCheck.problem(p));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(TamperCheck.problem(p).orElseThrow().contains("is writable by its group (mode 0664)"));
    }

    @Test
    void aDirectoryOthersCanWriteIsRefusedUnlessSticky() throws Exception {
        Path p = Files.writeString(dir.resolve("audit.jsonl"), "");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(Optional.of("directory '" + dir + "' is writable by others (mode 0777): chmod go-w '" + dir + "'"), TamperCheck.problem(p));
        assertEquals(Optional.empty(), TamperCheck.problem(Path.of("/tmp/x.jsonl")), "/tmp is sticky: only a file's owner may replace it");
        assertEquals(Optional.empty(), TamperCheck.problem(Path.of("/dev/null")), "a device keeps nothing to tamper with");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void theDigestIsTheSha256OfTheBytes() throws Exception {
        Path p = Files.writeString(dir.resolve("p.json"), "abc");
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", TamperCheck.digest(p));
    }
}
