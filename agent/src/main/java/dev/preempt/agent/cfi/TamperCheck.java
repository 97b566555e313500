package dev.preempt.agent.cfi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Whether anyone but this user (or root) can change what {@code cfi=enforce} enforces or what it reports,
 * checked as ssh's {@code StrictModes} checks a key file: the policy file and the audit log (when it is a
 * file) must not be writable by group or others nor owned by another user, and their directories must
 * not be writable by group or others unless sticky ({@code /tmp}: there only the owner can rename or
 * delete a file). Only the file and its own directory are checked, not every directory up to the root.
 * On a file system without POSIX modes (Windows) nothing is checked.
 */
public final class TamperCheck {
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    private TamperCheck() {}

    /** What is wrong with {@code file} (which may not exist yet) and its directory, as one line, or empty. */
    public static Optional<String> problem(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isSymbolicLink(abs)) {
                return Optional.empty(); // a device or a pipe (audit=/dev/null): it keeps nothing to tamper with
            }
            if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                Optional<String> p = check(abs, false);
                if (p.isPresent()) return p;
            }
            Path dir = abs.getParent();
            return dir == null ? Optional.empty() : check(dir, true);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty(); // no unix modes here
        } catch (IOException e) {
            return Optional.of("'" + abs + "': cannot read its owner and mode (" + e + ")");
        }
    }

    private static Optional<String> check(Path p, boolean directory) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        String owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
        String what = (directory ? "directory '" : "'") + p + "'";
        if (uid != 0 && !owner.equals(System.getProperty("user.name"))) {
            return Optional.of(what + " is owned by " + owner + ", not by " + System.getProperty("user.name") + " or root");
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0 && !(directory && (mode & STICKY) != 0)) {
            return Optional.of(what + " is writable by " + ((mode & 0002) != 0 ? "others" : "its group") + " (mode "
                    + String.format("%04o", mode & 07777) + "): chmod go-w '" + p + "'");
        }
        return Optional.empty();
    }

    /** The SHA-256 of a file's bytes, {@code sha256:} and 64 hex digits: what {@code info} and {@code policy verify} print. */
    public static String digest(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return "sha256:" + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
