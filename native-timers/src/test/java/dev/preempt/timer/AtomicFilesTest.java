package dev.preempt.timer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole-file replacement, the private directory and the one-file-per-content publication the agent's files are loaded from. */
class AtomicFilesTest {
    @Test
    void theSameBytesGiveTheSameFileAndOtherBytesAnother() throws IOException {
        byte[] a = "first version".getBytes(StandardCharsets.UTF_8);
        byte[] b = "second version".getBytes(StandardCharsets.UTF_8);
        Path pa = AtomicFiles.publish("private-files-test-", ".bin", a);
        assertEquals(pa, AtomicFiles.publish("private-files-test-", ".bin", a));
        Path pb = AtomicFiles.publish("private-files-test-", ".bin", b);
        assertNotEquals(pa, pb);
        assertArrayEquals(a, Files.readAllBytes(pa));
        assertArrayEquals(b, Files.readAllBytes(pb));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pa.getParent())));
    }

    @Test
    void aFileUnderTheRightNameWithOtherBytesIsReplacedNotUsed() throws IOException {
        byte[] good = "the real library".getBytes(StandardCharsets.UTF_8);
        Path p = AtomicFiles.publish("private-files-planted-", ".bin", good);
        Files.writeString(p, "planted");
        assertEquals(p, AtomicFiles.publish("private-files-planted-", ".bin", good));
        assertArrayEquals(good, Files.readAllBytes(p));
    }

    @Test
    void replaceLeavesTheNewBytesAndNoTemporaryFile(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("policy.json");
        Files.writeString(f, "old");
        AtomicFiles.replace(f, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(java.util.List.of(f), s.toList());
        }
        assertThrows(IOException.class, () -> AtomicFiles.replace(tmp.resolve("missing/dir/f"), new byte[1]));
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("shared");
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.ensurePrivateDir(dir));
        assertTrue(e.getMessage().contains("is not a private directory"), e.getMessage());
        Files.writeString(tmp.resolve("file"), "x");
        assertThrows(IOException.class, () -> AtomicFiles.ensurePrivateDir(tmp.resolve("file")));
    }
}
