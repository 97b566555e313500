package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.lang.reflect.Member;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * What the agent inserts at the entry of guarded JDK methods (it is on the boot class path and java.base,
 * java.naming and java.scripting are made to read it). Re-entrant-safe: a check runs JDK code (the stack
 * walk, the audit log, a class load) that may reach another guarded method, which then passes unchecked.
 * The {@code check*} methods other than {@link #check} decide from an argument whether the call is a sink
 * at all, without a stack walk when it is not (a read-only open, a send on a connected channel).
 */
public final class SinkGuard {
    private static final ThreadLocal<Object> BUSY = new ThreadLocal<>();
    private static final Module RUNTIME = SinkGuard.class.getModule();

    private SinkGuard() {}

    /** At the entry of a sink method: {@code detail} is an argument or the receiver that says what (a path), or null. */
    public static void check(Object detail, int sink) {
        if (!Cfi.active() || BUSY.get() != null || (detail == null && sink == Sink.DESERIALIZE_CLASS.ordinal())) {
            return; // a class check without a class is the stream's count and depth check
        }
        BUSY.set(Boolean.TRUE);
        try {
            Sink s = Sink.byOrdinal(sink);
            Cfi.sink(s, describe(detail));
        } catch (CfiViolation v) {
            throw v;
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.ERROR, "sink-guard:" + e.getClass().getName(), "cfi sink check failed and let the call pass: " + e);
        } finally {
            BUSY.remove();
        }
    }

    /** At the entry of {@code RandomAccessFile(File, String, boolean)}: a mode that can write ("rw", "rws", "rwd"). */
    public static void checkRandomAccessOpen(Object file, String mode) {
        if (mode != null && mode.indexOf('w') >= 0) {
            check(file, Sink.FILE_WRITE.ordinal());
        }
    }

    /**
     * At the entry of {@code FileChannel.open}, {@code Files.newByteChannel} and {@code AsynchronousFileChannel.open}:
     * WRITE or APPEND is a file.write (CREATE, TRUNCATE_EXISTING without them are ignored by the JDK: a read),
     * DELETE_ON_CLOSE a file.delete. The set is iterated, as the JDK's providers read it.
     */
    public static void checkChannelOpen(Object path, Set<?> options) {
        if (!Cfi.active() || options == null) {
            return;
        }
        boolean write = false;
        boolean delete = false;
        for (Object o : options) {
            write |= o == StandardOpenOption.WRITE || o == StandardOpenOption.APPEND;
            delete |= o == StandardOpenOption.DELETE_ON_CLOSE;
        }
        if (write) check(path, Sink.FILE_WRITE.ordinal());
        if (delete) check(path, Sink.FILE_DELETE.ordinal());
    }

    /** At the entry of {@code Files.move}: the target is written and the source deleted. */
    public static void checkMove(Object source, Object target) {
        check(target, Sink.FILE_WRITE.ordinal());
        check(source, Sink.FILE_DELETE.ordinal());
    }

    /**
     * At the entry of {@code DatagramChannelImpl.send(ByteBuffer, SocketAddress)} (every datagram send, the
     * socket adaptor's too): a send to the address the channel is connected to was checked at connect and
     * is not walked again. The comparison is the JDK's address against the target, so even a disconnect
     * racing with this send can only send where connect was checked; an unconnected send is a socket.connect.
     */
    public static void checkDatagramSend(DatagramChannel channel, Object target) {
        if (!Cfi.active()) {
            return;
        }
        try {
            SocketAddress remote = channel.getRemoteAddress();
            if (remote != null && remote.equals(target)) {
                return;
            }
        } catch (IOException e) {
            // closed: the send throws; check as if unconnected
        }
        check(target, Sink.SOCKET_CONNECT.ordinal());
    }

    /**
     * At the entry of {@code Class.getDeclared*} and {@code MethodHandles.privateLookupIn}: app code may not
     * get a reflective handle on preempt's own classes (to switch its checks off). The fast path is one
     * module comparison (the runtime) or a name prefix (the agent's classes in the app loader).
     */
    public static void reflectOn(Class<?> target) {
        if (target == null || !Cfi.active()) {
            return;
        }
        if (target.getModule() != RUNTIME && (target.getClassLoader() == null || !target.getName().startsWith("dev.preempt."))) {
            return;
        }
        if (!CallerFrames.isPreemptName(target.getName())) {
            return; // the samples and benchmarks, or another class appended to the boot class path
        }
        if (BUSY.get() != null) {
            return;
        }
        BUSY.set(Boolean.TRUE);
        try {
            Cfi.reflectOnPreempt(target);
        } finally {
            BUSY.remove();
        }
    }

    /** What the audit log and rules see of a sink's argument: a path for files, text for the rest. */
    static String describe(Object detail) {
        if (detail == null) return null;
        if (detail instanceof java.io.File f) return normalised(f);
        if (detail instanceof java.nio.file.Path p) return p.toAbsolutePath().normalize().toString();
        if (detail instanceof java.io.ObjectStreamClass c) return c.getName();
        if (detail instanceof Member m) return m.getDeclaringClass().getName() + "." + m.getName();
        if (detail instanceof Class<?> c) return c.getName();
        if (detail instanceof ProcessBuilder pb) return String.join(" ", pb.command());
        if (detail instanceof byte[] || detail instanceof java.nio.ByteBuffer) return null;
        return String.valueOf(detail);
    }

    /** Normalised as a Path's detail is, so that {@code allowed/../x} cannot match a rule for {@code allowed/**}. */
    private static String normalised(java.io.File f) {
        try {
            return f.toPath().toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return f.getAbsolutePath(); // the JDK refuses to open it anyway
        }
    }
}
