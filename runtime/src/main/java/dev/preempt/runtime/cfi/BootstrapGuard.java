package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Forward edges at link time: the agent makes this the bootstrap method of every {@code invokedynamic}
 * and dynamic constant in app code whose own bootstrap is not the JDK's. Its static arguments are
 * {@code (site id, "owner.name" of the real bootstrap, the real bootstrap, its static arguments...)}. The
 * (site, bootstrap) edge is decided like any other forward edge, then the real bootstrap is called with
 * the caller's own lookup, so it links exactly as it would have. Runs once per site (the JVM links a site
 * once), so it costs nothing per call. In enforce mode a refusal throws {@link CfiViolation} here, which
 * the JVM reports to the app as a {@code BootstrapMethodError} caused by it.
 */
public final class BootstrapGuard {
    private BootstrapGuard() {}

    /** The bootstrap of a guarded {@code invokedynamic}. */
    public static CallSite callSite(MethodHandles.Lookup caller, String name, MethodType type, Object... args) throws Throwable {
        return (CallSite) link(caller, name, type, args);
    }

    /** The bootstrap of a guarded dynamic constant ({@code ldc} of a {@code CONSTANT_Dynamic}). */
    public static Object constant(MethodHandles.Lookup caller, String name, Class<?> type, Object... args) throws Throwable {
        return link(caller, name, type, args);
    }

    private static Object link(MethodHandles.Lookup caller, String name, Object type, Object[] args) throws Throwable {
        int site = (Integer) args[0];
        String target = (String) args[1];
        MethodHandle bootstrap = (MethodHandle) args[2];
        check(site, target);
        Object[] call = new Object[args.length];
        call[0] = caller;
        call[1] = name;
        call[2] = type;
        System.arraycopy(args, 3, call, 3, args.length - 3);
        // invokeWithArguments applies the JVM's own conventions for a bootstrap: varargs collected, boxed
        // static arguments converted to the bootstrap's parameter types.
        return bootstrap.invokeWithArguments(call);
    }

    private static void check(int site, String target) {
        if (!Cfi.active()) {
            return;
        }
        try {
            Cfi.call(CallGuard.site(site), "bootstrap " + target, false);
        } catch (CfiViolation v) {
            throw v;
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.ERROR, "bootstrap-guard:" + e.getClass().getName(), "cfi bootstrap check failed and let the link pass: " + e);
        }
    }
}
