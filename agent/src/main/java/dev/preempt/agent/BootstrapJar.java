package dev.preempt.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
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
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Extracts the nested {@code preempt-bootstrap.jar} (runtime + native-timers, nothing shaded) into a
 * per-user directory and appends it to the bootstrap class path. The file name carries the content hash,
 * so two JVMs of different preempt versions never share a file, and a file is published by an atomic
 * rename, so two JVMs starting at once never see a half-written jar. Uses only JDK classes.
 */
final class BootstrapJar {
    static final String RESOURCE = "META-INF/preempt/preempt-bootstrap.jar";
    private static volatile boolean appended;

    private BootstrapJar() {}

    static synchronized void append(Instrumentation inst) throws IOException {
        if (appended || runtimeAlreadyOnBootPath()) {
            appended = true;
            return;
        }
        byte[] bytes;
        try (InputStream in = BootstrapJar.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is missing from the agent jar (a broken build?)");
            }
            bytes = in.readAllBytes();
        }
        Path jar = extract(bytes);
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
        appended = true;
    }

    /** True when a previous load of the agent (a second -javaagent, an attach) already appended it. */
    private static boolean runtimeAlreadyOnBootPath() {
        try {
            Class.forName("dev.preempt.runtime.PreemptRuntime", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static Path extract(byte[] bytes) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "preempt-" + safeUser());
        ensurePrivateDir(dir);
        Path target = dir.resolve("preempt-bootstrap-" + sha256(bytes).substring(0, 24) + ".jar");
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                && MessageDigest.isEqual(sha256(Files.readAllBytes(target)).getBytes(), sha256(bytes).getBytes())) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, "bootstrap-", ".tmp");
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

    /** The directory must be ours and not writable by others, or another user could plant a jar in it. */
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
                throw new IOException(dir + " is not a private directory of user " + System.getProperty("user.name")
                        + " (owner " + a.owner().getName() + ", " + PosixFilePermissions.toString(p) + ")");
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
