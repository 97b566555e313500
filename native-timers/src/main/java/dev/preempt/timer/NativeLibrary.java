package dev.preempt.timer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Finds {@code libpreempt-timer.so} for this OS and architecture among the class path resources and
 * extracts it where it can be loaded safely: a per-user directory that must be private (mode 0700, owned by
 * this user), a file named by the content's hash, published by an atomic rename, so two JVMs starting at
 * once never load a half-written file and a file someone else planted is never loaded.
 *
 * <p>The agent's {@code BootstrapJar} does the same for its jar with its own copy of this logic: it runs
 * before this class may be loaded (loading it then would split the runtime between two loaders).
 */
final class NativeLibrary {
    static final String NAME = "libpreempt-timer.so";

    private NativeLibrary() {}

    /** {@code linux-x86_64}, {@code linux-aarch64}, {@code linux-riscv64}, or what this JVM runs on. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
        return (os.startsWith("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch;
    }

    static String resource() {
        return "dev/preempt/timer/native/" + platform() + "/" + NAME;
    }

    /** The extracted library, or an exception whose message says why there is none. */
    static Path extract() throws IOException {
        byte[] bytes;
        // The class may be on the boot class path: ClassLoader.getSystemResourceAsStream searches it too.
        try (InputStream in = ClassLoader.getSystemResourceAsStream(resource())) {
            if (in == null) {
                throw new IOException("no native timer library for " + platform() + " in this build");
            }
            bytes = in.readAllBytes();
        }
        String hash = sha256(bytes);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "preempt-" + safeUser());
        ensurePrivateDir(dir);
        Path target = dir.resolve("libpreempt-timer-" + platform() + "-" + hash.substring(0, 24) + ".so");
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && sha256(Files.readAllBytes(target)).equals(hash)) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, "timer-", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static void ensurePrivateDir(Path dir) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (posix) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another JVM made it first: checked below like any existing directory
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        if (posix) {
            PosixFileAttributes a = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            Set<PosixFilePermission> p = a.permissions();
            if (!a.owner().getName().equals(System.getProperty("user.name"))
                    || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException(dir + " is not a private directory of user " + System.getProperty("user.name"));
            }
        }
    }

    private static String safeUser() {
        return System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
