package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.reflect.Member;

/**
 * What the agent inserts at the entry of guarded JDK methods (it is on the boot class path and java.base,
 * java.naming and java.scripting are made to read it). Re-entrant-safe: a check runs JDK code (the stack
 * walk, the audit log, a class load) that may reach another guarded method, which then passes unchecked.
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
        if (detail instanceof java.io.File f) return f.getAbsolutePath();
        if (detail instanceof java.nio.file.Path p) return p.toAbsolutePath().normalize().toString();
        if (detail instanceof java.io.ObjectStreamClass c) return c.getName();
        if (detail instanceof Member m) return m.getDeclaringClass().getName() + "." + m.getName();
        if (detail instanceof Class<?> c) return c.getName();
        if (detail instanceof ProcessBuilder pb) return String.join(" ", pb.command());
        if (detail instanceof byte[] || detail instanceof java.nio.ByteBuffer) return null;
        return String.valueOf(detail);
    }
}
