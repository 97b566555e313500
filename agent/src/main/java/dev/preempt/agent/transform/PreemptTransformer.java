package dev.preempt.agent.transform;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.cfi.Cfi;
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

    /**
     * Fault injection for tests: {@code -Dpreempt_fault.transform=GLOB} makes the rewrite of matching
     * classes throw, to prove that such a class loads unchanged and the app goes on. Not an option: no
     * {@code preempt.} prefix, so the option parser never sees it.
     */
    private static final String FAULT_GLOB = System.getProperty("preempt_fault.transform");

    private final AgentConfig config;
    /** With no rewrite switched on, classes are not even parsed. */
    private final boolean anythingToDo;
    private final dev.preempt.runtime.base.Glob fault = FAULT_GLOB == null ? null : dev.preempt.runtime.base.Glob.ofClass(FAULT_GLOB);
    private final ClassRewriter rewriter;
    private final ThreadLocal<Boolean> inTransform = new ThreadLocal<>();
    private final AtomicLong transformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong rewriteNanos = new AtomicLong();

    public PreemptTransformer(AgentConfig config) {
        this.config = config;
        this.anythingToDo = config.schedule() || config.cfi() != Cfi.Mode.OFF; // polls and bridges, call guards
        this.rewriter = new ClassRewriter(config);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        if (!anythingToDo || className == null || !isAppClass(loader, className) || !config.instruments(className)) {
            return null;
        }
        // A class loaded while we transform another one (by a loader we call) is left alone rather than
        // recursing into the rewriter: the same guard as ByteBuddy's circularity lock.
        if (inTransform.get() != null) {
            return null;
        }
        inTransform.set(Boolean.TRUE);
        try {
            if (fault != null && fault.matches(className)) {
                throw new IllegalStateException("injected transformer fault (preempt_fault.transform)");
            }
            long t0 = System.nanoTime();
            byte[] out = rewriter.rewrite(className, bytes, loader, redefined != null);
            rewriteNanos.addAndGet(System.nanoTime() - t0);
            seen.incrementAndGet();
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

    /** One line for the log at exit: how many app classes were looked at and rewritten, and how fast. */
    public String summary() {
        long n = seen.get();
        double ms = rewriteNanos.get() / 1e6;
        return String.format(java.util.Locale.ROOT, "transformer: %d app classes looked at, %d rewritten, %d left unchanged after an error, "
                + "%.1f ms rewriting (%.0f classes/s)", n, transformed.get(), failed.get(), ms, ms == 0 ? 0 : n / (ms / 1000));
    }
}
