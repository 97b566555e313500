package dev.preempt.agent.transform;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.log.PreemptLog;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one class-file transformer. Decides which classes are the app's, runs {@link ClassRewriter} on
 * them, and guarantees that a class it cannot rewrite loads unchanged: any failure is logged once with the
 * class and the reason, and {@code null} (no change) is returned.
 */
public final class PreemptTransformer implements ClassFileTransformer {
    /** Packages of the JDK and of preempt itself, never rewritten whatever include= says. */
    private static final String[] NEVER = {
        "java/", "jdk/", "sun/",
        "dev/preempt/agent/", "dev/preempt/runtime/", "dev/preempt/timer/", "dev/preempt/shaded/",
    };

    private final AgentConfig config;
    private final ClassRewriter rewriter;
    private final ThreadLocal<Boolean> inTransform = new ThreadLocal<>();
    private final AtomicLong transformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public PreemptTransformer(AgentConfig config) {
        this.config = config;
        this.rewriter = new ClassRewriter(config);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        if (className == null || !isAppClass(loader, className) || !config.instruments(className)) {
            return null;
        }
        // A class loaded while we transform another one (by a loader we call) is left alone rather than
        // recursing into the rewriter: the same guard as ByteBuddy's circularity lock.
        if (inTransform.get() != null) {
            return null;
        }
        inTransform.set(Boolean.TRUE);
        try {
            byte[] out = rewriter.rewrite(className, bytes, loader, redefined != null);
            if (out != null) {
                transformed.incrementAndGet();
                if (PreemptLog.enabled(PreemptLog.Level.DEBUG)) {
                    PreemptLog.debug("instrumented " + className.replace('/', '.'));
                }
            }
            return out;
        } catch (Throwable t) {
            failed.incrementAndGet();
            PreemptLog.once(PreemptLog.Level.WARN, "transform:" + className,
                    "class " + className.replace('/', '.') + " loads unchanged: " + t);
            return null;
        } finally {
            inTransform.remove();
        }
    }

    /** Classes defined by the boot or platform loader, and preempt's own, are not the app's. */
    public static boolean isAppClass(ClassLoader loader, String className) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        for (String p : NEVER) {
            if (className.startsWith(p)) {
                return false;
            }
        }
        return true;
    }

    public long transformedCount() {
        return transformed.get();
    }

    public long failedCount() {
        return failed.get();
    }
}
