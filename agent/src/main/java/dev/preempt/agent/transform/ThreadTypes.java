package dev.preempt.agent.transform;

import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.objectweb.asm.ClassReader;

/**
 * Answers "is this class a {@code Thread}?" (from class-file headers) and "which of these methods does its
 * superclass chain declare?" (a ByteBuddy {@link TypePool}, for Thread subclasses only) from class files
 * read through the loader's resources, never by loading a class. Loading a class from inside a transformer can deadlock the loader or end
 * in a {@code ClassCircularityError}; reading its bytes cannot.
 */
final class ThreadTypes {
    static final String THREAD = "java/lang/Thread";

    /**
     * Per loader, weakly: nothing in a {@link Pools} may reach its loader, or the entry (and every class the
     * loader defined) would never be collected. The type pool reads class files through a weakly referenced
     * locator for that reason (a strong {@code ForClassLoader} kept every loader that ever defined a class
     * alive: 3,000 throwaway loaders, 3,000 leaked), and its cache holds type descriptions, not classes.
     */
    private final Map<ClassLoader, Pools> byLoader = new WeakHashMap<>();

    private static final class Pools {
        final TypePool pool;
        final Map<String, Boolean> isThread = new ConcurrentHashMap<>();

        Pools(ClassLoader loader) {
            this.pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.WeaklyReferenced.of(loader));
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
        if (isPlatform(internalName)) {
            return false; // Object (most classes: no class file read), and the JDK's own Thread subclasses
        }
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            Boolean known = knownIn(l, internalName);
            if (known != null) {
                return known;
            }
        }
        Pools p = pools(loader);
        Boolean cached = p.isThread.get(internalName);
        if (cached != null) {
            return cached;
        }
        boolean t = resolveIsThread(loader, internalName);
        p.isThread.put(internalName, t);
        return t;
    }

    /**
     * Walks the superclass chain reading only each class file's header (ASM's {@code ClassReader} parses
     * the constant pool, not the methods): a full type-pool parse of every superclass cost 16% of the rewrite
     * time on a 17,000-class corpus.
     */
    private boolean resolveIsThread(ClassLoader loader, String internalName) {
        String name = internalName;
        for (int depth = 0; depth < 64; depth++) {
            byte[] bytes = classFile(loader, name);
            if (bytes == null) {
                PreemptLog.once(PreemptLog.Level.DEBUG, "typepool:" + name,
                        "cannot read class " + name.replace('/', '.') + " to tell whether it is a Thread");
                return false;
            }
            String sup;
            try {
                sup = new ClassReader(bytes).getSuperName();
            } catch (RuntimeException e) {
                return false;
            }
            if (sup == null || isPlatform(sup)) {
                return THREAD.equals(sup);
            }
            name = sup;
        }
        return false;
    }

    private static byte[] classFile(ClassLoader loader, String internalName) {
        String resource = internalName + ".class";
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Boolean knownIn(ClassLoader loader, String internalName) {
        Pools p;
        synchronized (byLoader) {
            p = byLoader.get(loader);
        }
        return p == null ? null : p.isThread.get(internalName);
    }

    /**
     * Remembers whether a class being transformed is a Thread, from its superclass (which the JVM loaded, and
     * preempt saw, first): its subclasses then need no class file read. Without this, reading superclasses
     * through the type pool cost about a quarter of all rewrite time on a 17,000-class corpus.
     */
    boolean noteClass(ClassLoader loader, String internalName, String superName) {
        boolean t = !isPlatform(internalName) && isThread(loader, superName);
        pools(loader).isThread.put(internalName, t);
        return t;
    }

    /**
     * A JDK class other than Thread: never a Thread for mapping purposes. Its Thread subclasses
     * ({@code ForkJoinWorkerThread}, ...) are started by JDK code that expects a platform thread, so an app
     * class extending one is left alone, and classes extending Object need no class file read at all.
     */
    private static boolean isPlatform(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") || internalName.startsWith("jdk/")
                || internalName.startsWith("sun/") || internalName.startsWith("com/sun/");
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
