package dev.preempt.agent.transform;

import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Answers "is this class a {@code Thread}?" (from class-file headers) and "which of these methods does its
 * superclass chain declare?" (for Thread subclasses only) from class files read through the loader's
 * resources, never by loading a class. Loading a class from inside a transformer can deadlock the loader or
 * end in a {@code ClassCircularityError}; reading its bytes cannot. ASM's {@code ClassReader} reads both
 * answers (the second skipping code); a ByteBuddy type pool did the second before, and carrying ByteBuddy for
 * it put 3,091 more entries in the agent jar, whose central directory the JVM keeps in the heap for as long
 * as the jar is on the class path (600 KiB, 4% of a 17,000-class app's whole retained heap).
 */
final class ThreadTypes {
    static final String THREAD = "java/lang/Thread";

    /**
     * Per loader, weakly: nothing in a {@link Known} may reach its loader, or the entry (and every class the
     * loader defined) would never be collected (a type pool over a strong class-file locator once kept every
     * loader that ever defined a class alive: 3,000 throwaway loaders, 3,000 leaked).
     */
    private final Map<ClassLoader, Known> byLoader = new WeakHashMap<>();

    /**
     * What is known of one loader's classes: the Thread subclasses by name, every other class by a 32-bit
     * hash of its name. The answer is asked for every class the agent rewrites, so it holds an entry per
     * class: as a map of names it kept 3.3 MiB alive after a 17,000-class corpus was loaded (23% of the
     * stock JVM's whole heap); as hashes, 4 to 8 bytes a class. A hash collision can only make an unseen
     * class look known not to be a Thread, with a chance of (classes known)/2^32 per unseen Thread subclass,
     * 1 in 250,000 with 17,000 classes: that subclass would then stay a platform thread, as under
     * threads=keep. A class is never taken for a Thread by mistake, since those are matched by name.
     */
    static final class Known {
        private final Set<String> threads = ConcurrentHashMap.newKeySet();
        private int[] others = new int[64]; // open addressing, 0 = empty; guarded by this
        private int size;

        /** TRUE, FALSE, or null when nothing is known of {@code name}. */
        Boolean get(String name) {
            if (threads.contains(name)) {
                return Boolean.TRUE;
            }
            int h = hash(name);
            synchronized (this) {
                for (int i = slot(h, others.length); others[i] != 0; i = (i + 1) & (others.length - 1)) {
                    if (others[i] == h) {
                        return Boolean.FALSE;
                    }
                }
            }
            return null;
        }

        void put(String name, boolean isThread) {
            if (isThread) {
                threads.add(name);
                return;
            }
            int h = hash(name);
            synchronized (this) {
                if (insert(others, h)) {
                    size++;
                    if (size * 4 > others.length * 3) {
                        int[] bigger = new int[others.length * 2];
                        for (int x : others) {
                            if (x != 0) {
                                insert(bigger, x);
                            }
                        }
                        others = bigger;
                    }
                }
            }
        }

        private static boolean insert(int[] table, int h) {
            int i = slot(h, table.length);
            for (; table[i] != 0; i = (i + 1) & (table.length - 1)) {
                if (table[i] == h) {
                    return false;
                }
            }
            table[i] = h;
            return true;
        }

        private static int slot(int h, int length) {
            return (h ^ (h >>> 16)) & (length - 1);
        }

        /** FNV-1a, 32 bits, never 0 (the empty slot). */
        static int hash(String s) {
            int h = 0x811c9dc5;
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x01000193;
            }
            return h == 0 ? 1 : h;
        }
    }

    private Known known(ClassLoader loader) {
        synchronized (byLoader) {
            return byLoader.computeIfAbsent(loader, l -> new Known());
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
        Known k = known(loader);
        Boolean cached = k.get(internalName);
        if (cached != null) {
            return cached;
        }
        boolean t = resolveIsThread(loader, internalName);
        k.put(internalName, t);
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
                PreemptLog.once(PreemptLog.Level.DEBUG, "classfile:" + name,
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

    /**
     * The class file of a (non-JDK) class as {@code loader} sees it. A {@code URLClassLoader} (app servers',
     * scripting engines' and test frameworks' loaders all are) is asked for its own resource first, without
     * delegating: {@code getResource} goes through the JDK's built-in loaders first, and each of them caches
     * every name it was asked for (found or not) in a soft map, so reading 2,500 superclasses that way left
     * 0.4 MiB in the heap (3 map entries a name) until memory ran short. A class file both a loader and its
     * parent have is then read from the child, which can only matter if one copy extends Thread and the other
     * does not.
     */
    private static byte[] classFile(ClassLoader loader, String internalName) {
        String resource = internalName + ".class";
        ClassLoader l = loader;
        try {
            for (; l instanceof URLClassLoader u; l = l.getParent()) {
                URL url = u.findResource(resource);
                if (url != null) {
                    try (InputStream in = url.openStream()) {
                        return in.readAllBytes();
                    }
                }
            }
            try (InputStream in = l == null ? ClassLoader.getSystemResourceAsStream(resource) : l.getResourceAsStream(resource)) {
                return in == null ? null : in.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Boolean knownIn(ClassLoader loader, String internalName) {
        Known k;
        synchronized (byLoader) {
            k = byLoader.get(loader);
        }
        return k == null ? null : k.get(internalName);
    }

    /**
     * Remembers whether a class being transformed is a Thread, from its superclass (which the JVM loaded, and
     * preempt saw, first): its subclasses then need no class file read. Without this, reading superclasses
     * through the type pool cost about a quarter of all rewrite time on a 17,000-class corpus.
     */
    boolean noteClass(ClassLoader loader, String internalName, String superName) {
        boolean t = !isPlatform(internalName) && isThread(loader, superName);
        known(loader).put(internalName, t);
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
        String type = superName;
        for (int depth = 0; depth < 64; depth++) {
            if (type == null || type.equals(THREAD)) {
                return false;
            }
            byte[] bytes = classFile(loader, type);
            if (bytes == null) {
                return true; // unknown: do not add an override that might clash with a final method
            }
            Declares d = new Declares(name, desc);
            try {
                new ClassReader(bytes).accept(d, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            } catch (RuntimeException e) {
                return true;
            }
            if (d.found) {
                return true;
            }
            type = d.superName;
        }
        return true;
    }

    /** Reads one class file's header and method table: its superclass, and whether it declares name+desc. */
    private static final class Declares extends ClassVisitor {
        private final String name;
        private final String desc;
        String superName;
        boolean found;

        Declares(String name, String desc) {
            super(Opcodes.ASM9);
            this.name = name;
            this.desc = desc;
        }

        @Override
        public void visit(int version, int access, String n, String signature, String superName, String[] interfaces) {
            this.superName = superName;
        }

        @Override
        public MethodVisitor visitMethod(int access, String n, String d, String signature, String[] exceptions) {
            found |= n.equals(name) && d.equals(desc);
            return null;
        }
    }
}
