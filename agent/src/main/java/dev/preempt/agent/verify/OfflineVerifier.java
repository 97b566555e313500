package dev.preempt.agent.verify;

import dev.preempt.agent.transform.ClassRewriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.JSRInlinerAdapter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;

/**
 * Instruments every class of some jars as the agent would at load time, and verifies each result with
 * ASM's data-flow analyser over a hierarchy read from the jars and the JDK. A rewritten method that fails
 * where its original passes is preempt's fault; one whose original fails too (usually a dependency that
 * is not among the jars) is reported as unverifiable, not as a failure.
 */
public final class OfflineVerifier {
    /** What turns a class (internal name, bytes) into its rewritten bytes, or null for unchanged. */
    @FunctionalInterface
    public interface Rewrite {
        byte[] apply(String internalName, byte[] classFile);
    }

    private final Rewrite rewriter;

    public OfflineVerifier(ClassRewriter rewriter) {
        this(rewriter::rewrite);
    }

    public OfflineVerifier(Rewrite rewriter) {
        this.rewriter = rewriter;
    }

    /** The outcome for a set of jars. */
    public record Report(int classes, int changed, int methodsVerified, List<String> failures, List<String> unverifiable,
                         Map<Integer, Integer> classesByMajorVersion) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    public Report verify(List<Path> jars) throws IOException {
        ClassHierarchy hierarchy = new ClassHierarchy();
        Map<String, byte[]> classes = new TreeMap<>();
        for (Path jar : jars) {
            try (JarFile jf = new JarFile(jar.toFile())) {
                for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    String n = entry.getName();
                    if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")) {
                        continue;
                    }
                    byte[] b = jf.getInputStream(entry).readAllBytes();
                    hierarchy.add(b);
                    classes.putIfAbsent(n.substring(0, n.length() - 6), b);
                }
            }
        }
        int changed = 0, methods = 0;
        List<String> failures = new ArrayList<>();
        List<String> unverifiable = new ArrayList<>();
        Map<Integer, Integer> versions = new TreeMap<>();
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            byte[] original = c.getValue();
            versions.merge(new ClassReader(original).readUnsignedShort(6), 1, Integer::sum);
            byte[] rewritten;
            try {
                rewritten = rewriter.apply(c.getKey(), original);
            } catch (RuntimeException e) {
                failures.add(c.getKey().replace('/', '.') + ": the rewrite threw " + e);
                continue;
            }
            if (rewritten == null) {
                continue;
            }
            changed++;
            methods += verifyClass(c.getKey(), original, rewritten, hierarchy, failures, unverifiable);
        }
        return new Report(classes.size(), changed, methods, failures, unverifiable, versions);
    }

    private static int verifyClass(String name, byte[] original, byte[] rewritten, ClassHierarchy h,
                                   List<String> failures, List<String> unverifiable) {
        ClassNode after = node(rewritten);
        ClassNode before = node(original);
        int verified = 0;
        for (int i = 0; i < after.methods.size(); i++) {
            MethodNode m = after.methods.get(i);
            if ((m.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                continue;
            }
            String where = name.replace('/', '.') + "." + m.name + m.desc;
            String error = analyze(name, m, h);
            if (error == null) {
                verified++;
            } else if (analyze(name, before.methods.get(i), h) != null) {
                unverifiable.add(where + ": " + error);
            } else {
                failures.add(where + ": " + error);
            }
        }
        return verified;
    }

    /** Null when the method verifies, else the analyser's message. */
    private static String analyze(String owner, MethodNode m, ClassHierarchy h) {
        try {
            HierarchyVerifier v = new HierarchyVerifier(h);
            MethodNode target = inlineSubroutines(m);
            var frames = new Analyzer<BasicValue>(v).analyze(owner, target);
            return target == m ? FrameChecker.check(m, frames, v) : null;
        } catch (AnalyzerException | HierarchyVerifier.MissingTypeException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    /** The analyser cannot follow JSR/RET (Java 1.1 to 5 bytecode): verify an inlined copy instead. */
    private static MethodNode inlineSubroutines(MethodNode m) {
        boolean jsr = false;
        for (var n : m.instructions) {
            jsr |= n.getOpcode() == Opcodes.JSR;
        }
        if (!jsr) {
            return m;
        }
        MethodNode copy = new JSRInlinerAdapter(null, m.access, m.name, m.desc, m.signature,
                m.exceptions.toArray(String[]::new));
        m.accept(copy);
        return copy;
    }

    private static ClassNode node(byte[] b) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, ClassReader.EXPAND_FRAMES);
        return cn;
    }
}
