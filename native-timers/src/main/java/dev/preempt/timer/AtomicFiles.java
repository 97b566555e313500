package dev.preempt.timer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Files written whole or not at all: {@link #replace} writes under a temporary name beside the target and
 * renames it over the target, so a reader never sees half a file (the learned CFI policy); {@link #publish}
 * does that for bytes the JVM must load from a file (the agent's bootstrap jar, the native timer library) where
 * that is safe: a per-user directory, {@code $TMPDIR/preempt-$USER}, that must be private (mode 0700, owned
 * by this user, or nothing is published), one file per content, named by its CRC-32C and length and used
 * only if its bytes are exactly these, written under a temporary name and published by an atomic rename, so
 * two JVMs starting at once never load a half-written file and a file someone else planted is never loaded.
 *
 * <p>Stateless and JDK-only on purpose: the agent calls it before the bootstrap jar is on the boot class
 * path, so the agent's loader gets a copy of this class and the boot loader another, which is harmless for
 * a class without state. No {@code MessageDigest}: its first use loads the JDK's security providers, about
 * 0.2 MiB of tables that stay in the heap of an app that never uses them; the full comparison of the bytes
 * is what makes reuse safe, the name only keeps versions apart.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The file holding {@code bytes} in the private directory, named {@code prefix + CRC + length + suffix}. */
    public static Path publish(String prefix, String suffix, byte[] bytes) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "preempt-" + safeUser());
        ensurePrivateDir(dir);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        Path target = dir.resolve(String.format(Locale.ROOT, "%s%08x-%x%s", prefix, crc.getValue(), bytes.length, suffix));
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return target;
        }
        replace(target, bytes);
        return target;
    }

    /**
     * Replaces {@code target} by a file holding {@code bytes}, atomically where the file system can rename
     * atomically: written as a hidden temporary file in the same directory first, removed if anything fails.
     */
    public static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = createTemporary(dir, "." + target.getFileName());
        try {
            try (SeekableByteChannel out = Files.newByteChannel(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new empty file, readable and writable by this user only, named by this process and a counter.
     * Not {@code Files.createTempFile}: its random names come from {@code SecureRandom}, whose first use
     * loads the JDK's security providers (about 0.3 MB of tables that stay in the heap), so the first
     * learned-policy write of a run grew the heap of an app that never used them. {@code CREATE_NEW} fails
     * on anything already there, a link included, so a planted name is skipped, never written through.
     */
    private static Path createTemporary(Path dir, String prefix) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(prefix + "." + ProcessHandle.current().pid() + "." + COUNTER.incrementAndGet() + ".tmp");
            try {
                if (posix) {
                    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(tmp);
                }
                return tmp;
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 100) {
                    throw taken;
                }
            }
        }
    }

    private static final AtomicLong COUNTER = new AtomicLong();

    /** The directory must be ours and not writable by others, or another user could plant a file in it. */
    static void ensurePrivateDir(Path dir) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (posix) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (FileAlreadyExistsException raced) {
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
}
