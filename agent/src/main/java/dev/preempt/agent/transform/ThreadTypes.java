package dev.preempt.agent.transform;

import dev.preempt.runtime.log.PreemptLog;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * Answers "is this class a {@code Thread}?" and "which of these methods does its superclass chain declare?"
 * from class files, never by loading a class: a ByteBuddy {@link TypePool} per class loader reads them
 * through the loader's resources. Loading a class from inside a transformer can deadlock the loader or end
 * in a {@code ClassCircularityError}; reading its bytes cannot.
 */
final class ThreadTypes {
    static final String THREAD = "java/lang/Thread";

    private final Map<ClassLoader, Pools> byLoader = new WeakHashMap<>();

    private static final class Pools {
        final TypePool pool;
        final Map<String, Boolean> isThread = new ConcurrentHashMap<>();

        Pools(ClassLoader loader) {
            this.pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(loader));
        }
    }

    private Pools pools(ClassLoader loader) {
        synchronized (byLoader) {
            return byLoader.computeIfAbsent(loader, Pools::new);
        }
    }

    /** Whether {@code internalName} is {@code java/lang/Thread} or extends it (false if it cannot be read). */
    boolean isThread(ClassLoader loader, String internalName) {
        if (internalName == null || internalName.startsWith("[")) {
            return false;
        }
        if (internalName.equals(THREAD)) {
            return true;
        }
        Pools p = pools(loader);
        return p.isThread.computeIfAbsent(internalName, n -> resolveIsThread(p.pool, n));
    }

    private static boolean resolveIsThread(TypePool pool, String internalName) {
        try {
            TypeDescription td = pool.describe(internalName.replace('/', '.')).resolve();
            for (int depth = 0; td != null && depth < 64; depth++) {
                if (td.getName().equals("java.lang.Thread")) {
                    return true;
                }
                if (td.isInterface() || td.getSuperClass() == null) {
                    return false;
                }
                td = td.getSuperClass().asErasure();
            }
        } catch (RuntimeException | LinkageError e) {
            PreemptLog.once(PreemptLog.Level.DEBUG, "typepool:" + internalName,
                    "cannot read class " + internalName.replace('/', '.') + " to tell whether it is a Thread: " + e);
        }
        return false;
    }

    /**
     * Whether a class between {@code superName} (inclusive) and {@code java/lang/Thread} (exclusive)
     * declares {@code name+desc}: then a subclass inherits that implementation rather than Thread's.
     */
    boolean chainDeclares(ClassLoader loader, String superName, String name, String desc) {
        if (superName == null || superName.equals(THREAD)) {
            return false;
        }
        try {
            TypeDescription td = pools(loader).pool.describe(superName.replace('/', '.')).resolve();
            for (int depth = 0; td != null && depth < 64 && !td.getName().equals("java.lang.Thread"); depth++) {
                for (MethodDescription.InDefinedShape m : td.getDeclaredMethods()) {
                    if (m.getInternalName().equals(name) && m.getDescriptor().equals(desc)) {
                        return true;
                    }
                }
                td = td.getSuperClass() == null ? null : td.getSuperClass().asErasure();
            }
            return false;
        } catch (RuntimeException | LinkageError e) {
            return true; // unknown: do not add an override that might clash with a final method
        }
    }
}
